import type { Capabilities, Conflict } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { MethodChoice, MethodName, Plan } from './plan.js';
import { batchSizeFor, rowsPerStatement } from './batch-size.js';

export interface PlanInput {
  readonly capabilities: Capabilities;
  readonly requested: MethodChoice;
  readonly columns: number;
  /** A CSV/TSV file whose fields go to the table as written (no defaults added, no conversion). */
  readonly rawCsvEligible: boolean;
  /** Why the bulk path cannot take this file's bytes as they are (its dialect, --limit), if so. */
  readonly rawCsvBlocker?: string;
  readonly batchSize: number | undefined;
  readonly commitEvery: number | undefined;
  readonly onError: 'abort' | 'skip';
  /** Upsert: resolve rows whose key exists (see Conflict). */
  readonly conflict?: Conflict;
  /**
   * Why the rows need the connection between batches (refs looked up, ids reserved or read back),
   * so each batch is its own statement: a bulk stream holds the connection until it ends.
   */
  readonly betweenBatches?: string;
  /** Why a CSV file that would otherwise go raw must be parsed (refs, returning). */
  readonly parsedBecause?: string;
  /** --defer-constraints: keys and indexes dropped after BEGIN, rebuilt before COMMIT. */
  readonly deferConstraints?: boolean;
}

/**
 * The guide's decision tree as code. Pure: the same inputs give the same plan, and every choice
 * carries the reason explain prints.
 */
export function choosePlan(input: PlanInput): Plan {
  const { capabilities } = input;
  const reasons: string[] = [];
  if (input.deferConstraints === true) refuseDeferral(input);
  const method = pickMethod(input, reasons);
  const perStatement =
    method === 'values' ? rowsPerStatement(capabilities, input.columns, input.batchSize, reasons) : 1;
  // A commit can only fall between batches, so a batch never spans a commit point.
  const batchSize = Math.min(
    batchSizeFor(
      method,
      capabilities,
      perStatement,
      input.batchSize,
      reasons,
      // An upsert's staged batch is held in memory with each row's generation: 10k rows keep a 1M-row
      // upsert's peak RSS under 150 MB (50k: 250 MB).
      input.onError === 'skip' || input.conflict !== undefined,
    ),
    input.commitEvery ?? Infinity,
  );
  if (method === 'pipeline') reasons.push(`pipeline here: ${capabilities.pipeline}`);
  // Raw bytes cannot be re-sent without the refused rows, nor cut into batches of a size asked
  // for; they are cut at commit points (after exactly --commit-every records: methods/csv-cut.ts).
  // An upsert copies them raw into its staging table (whole: not with --commit-every).
  const rawCopy =
    method === 'copy' &&
    input.rawCsvEligible &&
    input.rawCsvBlocker === undefined &&
    capabilities.rawCsvCopy !== undefined &&
    input.onError === 'abort' &&
    // An upsert's staging copy takes the whole file: it is not cut at commit points.
    !(input.conflict !== undefined && input.commitEvery !== undefined) &&
    input.batchSize === undefined;
  if (input.onError === 'skip') {
    reasons.push(
      '--on-error skip: each batch runs in a savepoint; a refused batch is retried without its bad rows',
    );
  }
  const copyPerBatch =
    method === 'copy' &&
    !rawCopy &&
    (input.onError === 'skip' ||
      input.conflict !== undefined ||
      input.commitEvery !== undefined ||
      input.batchSize !== undefined ||
      input.betweenBatches !== undefined ||
      capabilities.bulkVerdictAtEnd === true);
  if (input.parsedBecause !== undefined)
    reasons.push(`the CSV is parsed, not copied raw: ${input.parsedBecause}`);
  if (rawCopy) {
    reasons.push(`the CSV needs no transformation: ${capabilities.rawCsvCopy}`);
    if (input.conflict !== undefined)
      reasons.push(
        `upsert: the whole file goes by one ${capabilities.copy} into a temporary staging table, then one INSERT ... SELECT merges it into the table (the staging table analyzed first where the database keeps no statistics of a temporary table by itself, as on PostgreSQL); a row the database refuses is found by loading the file again parsed, batch by batch`,
      );
    else if (input.commitEvery !== undefined)
      reasons.push(
        `the file's bytes are cut after every ${input.commitEvery} records (at a record's end, quoted newlines kept): each part is one ${capabilities.copy} statement, committed with its checkpoint`,
      );
  } else if (method === 'copy') {
    if (input.rawCsvEligible && capabilities.rawCsvCopy !== undefined && input.rawCsvBlocker !== undefined) {
      reasons.push(`the CSV is parsed, not copied raw: ${input.rawCsvBlocker}`);
    } else if (input.rawCsvEligible && capabilities.rawCsvCopy !== undefined) {
      const why =
        input.onError === 'skip'
          ? '--on-error skip'
          : input.conflict !== undefined && input.commitEvery !== undefined
            ? 'an upsert with --commit-every'
            : '--batch-size';
      reasons.push(`the CSV is parsed, not copied raw: ${why} cuts it into batches of whole rows`);
    }
    reasons.push('rows are encoded to the bulk format in this process, batch by batch');
    if (copyPerBatch && capabilities.bulkVerdictAtEnd === true && input.batchSize === undefined)
      reasons.push(
        `each batch is one ${capabilities.copy} statement in a savepoint: the database judges a statement only at its end, so a refused one is searched row by row`,
      );
    else if (copyPerBatch && input.conflict !== undefined)
      reasons.push(
        `each batch is one ${capabilities.copy} into a temporary staging table, then merged into the table by one INSERT ... SELECT`,
      );
    else if (copyPerBatch && input.betweenBatches !== undefined)
      reasons.push(
        `each batch is one ${capabilities.copy} statement in a savepoint: ${input.betweenBatches} between batches`,
      );
    else if (copyPerBatch) reasons.push(`each batch is one ${capabilities.copy} statement in a savepoint`);
    else reasons.push(`every row goes through one ${capabilities.copy} stream`);
  }

  if (input.conflict !== undefined) reasons.push(...conflictReasons(input.conflict));

  let transaction: Plan['transaction'];
  if (method === 'row') {
    transaction = 'autocommit';
    reasons.push(
      "row: every INSERT commits on its own (the guide's baseline); a failure keeps the rows before it",
    );
  } else if (input.commitEvery !== undefined) {
    transaction = { commitEvery: input.commitEvery };
    reasons.push(`a commit every ${input.commitEvery} rows: a failure keeps the batches committed before it`);
  } else {
    transaction = 'single';
    reasons.push('one transaction for the whole load: a failure leaves nothing behind');
  }
  return {
    method,
    requested: input.requested,
    batchSize,
    rowsPerStatement: perStatement,
    rawCopy,
    copyPerBatch,
    transaction,
    conflict: input.conflict,
    reasons,
  };
}

/**
 * --defer-constraints needs one transaction around the whole load, and the table's keys absent
 * while the rows go in: what would need a key mid-load, or commit without it, is refused (exit 2).
 */
function refuseDeferral(input: PlanInput): void {
  const refuse = (why: string, hint: string): never => {
    throw new SluiceError('BAD_USAGE', `--defer-constraints cannot be used here: ${why}`, { hint });
  };
  if (input.conflict !== undefined)
    refuse(
      `an upsert needs the unique index on its key (${input.conflict.key.join(', ')}) to find existing rows, and the rebuild would drop it for the load`,
      'drop --defer-constraints, or load without --on-conflict',
    );
  if (input.commitEvery !== undefined)
    refuse(
      '--commit-every splits the load into several transactions: the keys and foreign keys would be missing from the table between them, and a failure would leave them dropped',
      'drop --commit-every (the deferred load is one transaction), or drop --defer-constraints',
    );
  if (input.requested === 'row')
    refuse(
      '--method row commits every row on its own: the keys would be missing from the table between them',
      'use another method',
    );
  if (input.onError === 'skip')
    refuse(
      'with --on-error skip a rebuild that finds a duplicate key or an orphan would have to trace each one back to its input line, which sluice does not do yet',
      'use --on-error abort (the default) with --defer-constraints, or drop --defer-constraints to skip bad rows',
    );
}

function conflictReasons(conflict: Conflict): string[] {
  const key = conflict.key.join(', ');
  const what =
    conflict.action === 'ignore' || conflict.update.length === 0
      ? `a row whose key (${key}) exists is kept as it is`
      : `a row whose key (${key}) exists gets ${conflict.update.join(', ')} from the input, and is left untouched where those are already equal`;
  return [
    `upsert: ${what}`,
    'duplicates of a key in the input (as the database compares keys): the last occurrence wins (a batch that has any is written in generations: first occurrences, then second ones, ...)',
  ];
}

function pickMethod(input: PlanInput, reasons: string[]): MethodName {
  const { capabilities, requested } = input;
  if (requested === 'row' && input.batchSize !== undefined) {
    throw new SluiceError(
      'BAD_USAGE',
      '--batch-size does not apply to --method row: every row is its own statement',
      {
        hint: 'drop --batch-size, or use --method values or pipeline',
      },
    );
  }
  if (requested === 'row' && input.commitEvery !== undefined) {
    throw new SluiceError(
      'BAD_USAGE',
      '--commit-every does not apply to --method row: every row commits on its own',
      {
        hint: 'drop --commit-every, or use another method',
      },
    );
  }
  if (requested !== 'auto') {
    if (requested === 'copy' && capabilities.copy === undefined) {
      throw new SluiceError('METHOD_UNAVAILABLE', 'this database has no bulk copy path', {
        hint: 'use --method values or pipeline (or auto)',
      });
    }
    reasons.push(`--method ${requested} was asked for`);
    return requested;
  }
  if (capabilities.copy !== undefined) {
    reasons.push(`auto: ${capabilities.copy} is the fastest path this database has`);
    return 'copy';
  }
  reasons.push(
    capabilities.inProcess
      ? 'auto: no bulk copy path; multi-row INSERTs make the fewest calls into the database engine'
      : 'auto: no bulk copy path; multi-row INSERTs make the fewest round trips',
  );
  return 'values';
}
