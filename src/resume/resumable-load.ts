import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Session, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import { load } from '../load.js';
import { tableRef, type LoadOptions } from '../options.js';
import type { LoadReport } from '../report.js';
import { formatFromPath, type LoadInput } from '../sources/from-input.js';
import { unseekableReason } from '../sources/byte-layer.js';
import type { SourceStart } from '../sources/source.js';
import { CheckpointRun, type BeforeFirstTransaction, type RunBase } from './checkpoint-run.js';
import { CHECKPOINT_TABLE, CheckpointTable, type Checkpoint } from './checkpoint-table.js';
import { resumeOptionsKey, optionDifferences } from './resume-options.js';
import { identityDifferences, lineAtOffset, sourceIdentity, type SourceIdentity } from './source-identity.js';
import { keepRejectsBefore } from './rejects-resume.js';
import { ReturnedAcrossRuns } from './returned-across-runs.js';
import { shareOf } from '../parallel/share-key.js';

export const DEFAULT_RETRIES = 3;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** The load's connection, replaced when a transient failure makes sluice reconnect. */
export interface SessionSlot {
  session: Session;
  /** A new connection to the same database; undefined when sluice was given a client it cannot reopen. */
  readonly reconnect: (() => Promise<Session>) | undefined;
  /** A second connection beside the session, on its node (commits taking turns on a cluster). */
  readonly partner?: () => Promise<Session>;
}

/**
 * A share of a parallel load (src/parallel/parallel-load.ts): its part of the file, run as a
 * checkpointed load of its own with its own checkpoint row.
 */
export interface LoadShare {
  /** The checkpoint row's source key: the file's absolute path and "#part k of N". */
  readonly key: string;
  /** Where its part starts: the first share at the file's start, the others just after a record. */
  readonly start: SourceStart;
  /** The byte offset where its part ends; undefined: at the file's end (the last share). */
  readonly end: number | undefined;
  /** Aborted when another share failed: this one stops at its next commit point. */
  readonly signal: AbortSignal;
}

/**
 * Upsert: a resumed run writes only the records after the checkpoint, so an upsert's result is
 * exactly-once as an insert's is, and the checkpoint keeps the inserted / updated / unchanged split
 * of the runs before (CommitPoint.counts), so the report counts the whole load.
 *
 * A load with `commitEvery` or `resume` on a file: checkpoints in the target database, resume from
 * the last one, and reconnect-and-resume on transient failures. Other loads go to load() as they are.
 */
export async function resumableLoad(
  slot: SessionSlot,
  table: string | TableRef,
  input: LoadInput,
  options: LoadOptions,
  /** One share of a parallel load; the parallel load has checked the file and the checkpoints. */
  share?: LoadShare,
): Promise<LoadReport> {
  const notice = options.onNotice ?? (() => undefined);
  if (options.resume === true && (typeof input !== 'string' || input === '-')) {
    throw new SluiceError(
      'BAD_USAGE',
      input === '-'
        ? '--resume cannot read stdin again from a position: load a file to be able to resume'
        : 'resume: true needs a file path: a stream or a JS collection cannot be read again from a position',
      { hint: 'save the input to a file and load the file with --commit-every' },
    );
  }
  if (
    typeof input !== 'string' ||
    input === '-' ||
    (options.commitEvery === undefined && options.resume !== true)
  )
    return load(slot.session, table, input, options);

  const path = input;
  const format = options.format ?? formatFromPath(path);
  const skipping = options.onError === 'skip';
  if (format === 'json' && skipping && options.resume === true)
    throw new SluiceError('BAD_USAGE', 'a JSON array cannot be resumed with --on-error skip', {
      hint: 'a JSON array is scanned again from its start on resume, which would reject its bad elements twice: convert it to NDJSON (one object per line)',
    });
  const unseekable = await unseekableReason(path, options.encoding).catch(() => undefined);
  if (unseekable !== undefined && options.resume === true)
    throw new SluiceError('BAD_USAGE', `--resume cannot go on in ${path}: ${unseekable}`, {
      hint: 'load it again from the start (without --resume), or convert it first to an uncompressed UTF-8 file and load that with --commit-every',
    });
  const resumable = !(format === 'json' && skipping) && unseekable === undefined;
  const notResumable =
    unseekable !== undefined
      ? `${path} cannot be resumed: ${unseekable}`
      : 'a JSON array loaded with --on-error skip cannot be resumed';
  const target = displayName(tableRef(table));
  const optionsKey = resumeOptionsKey(options, format);
  // A share's checkpoint row is its own: keyed by its part's name beside the file's path.
  const identity = withKey(await identityOf(path), share?.key);
  const sourceKey = identity.path;
  const retries = resumable && options.commitEvery !== undefined ? (options.retries ?? DEFAULT_RETRIES) : 0;

  // The checkpoint work before the first COPY goes on a connection of its own where the database
  // gives one (Session.aside: PostgreSQL), so the load's session starts as an unchecked load's.
  let aside = await slot.session.aside?.().catch(() => undefined);
  const closeAside = async (): Promise<void> => {
    const closing = aside;
    aside = undefined;
    await closing?.close().catch(() => undefined);
  };
  try {
    return await checkpointedLoad();
  } finally {
    await closeAside();
  }

  async function checkpointedLoad(): Promise<LoadReport> {
    const before = aside ?? slot.session;
    let checkpoint: Checkpoint | undefined;
    if (options.resume === true) {
      checkpoint = await readCheckpoint(before, target, sourceKey);
      if (checkpoint === undefined && share !== undefined) {
        // A share that has no row yet never committed a row: it starts at its part's start.
      } else if (checkpoint === undefined) {
        await refuseOtherSources(before, target, path);
        notice(`nothing to resume for ${target}: starting from the beginning of ${path}`);
      } else check(checkpoint, identity, optionsKey, path, target);
    } else if (
      share === undefined &&
      resumable &&
      (await readCheckpoint(before, target, sourceKey)) !== undefined
    ) {
      notice(
        `an interrupted load into ${target} left a checkpoint: starting again from the beginning replaces it (add --resume to go on from it instead)`,
      );
    }
    let reconnects = 0;
    // A cluster may refuse a chunk as too big a write set (Galera's limits are global and may be
    // lowered while a load runs): the rest goes in smaller chunks, halved until one passes.
    let chunk = options.commitEvery;
    // report.returning of one run holds only that run's records: gathered across runs instead.
    const returned =
      options.returning !== undefined && options.onReturning === undefined
        ? new ReturnedAcrossRuns()
        : undefined;
    const runOptions = (): LoadOptions => ({
      ...options,
      commitEvery: chunk,
      ...(returned !== undefined ? { onReturning: returned.add } : {}),
    });
    for (let attempt = 0; ; attempt++) {
      const run = await runFrom(
        slot.session,
        aside && { table: new CheckpointTable(aside), close: closeAside },
        tableRef(table),
        target,
        identity,
        optionsKey,
        checkpoint,
        path,
        options,
        share,
      );
      // A share starts past the file's start without resuming anything: nothing to say then.
      if (run.start !== undefined && (share === undefined || checkpoint !== undefined))
        notice(
          `resuming ${target} at line ${run.start.line} of ${path} (byte ${run.start.offset}): ${run.base.rowsLoaded} rows were loaded before`,
        );
      const partner = resumable ? await partnerFor(slot, options, share) : undefined;
      try {
        const report = await load(
          slot.session,
          table,
          input,
          runOptions(),
          resumable ? run : undefined,
          undefined,
          partner,
        );
        return { ...report, reconnects, ...(returned !== undefined ? { returning: returned.rows } : {}) };
      } catch (error) {
        if (chunk !== undefined && chunk > 1 && slot.session.isWriteSetTooBig?.(error) === true) {
          chunk = Math.ceil(chunk / 2);
          notice(
            `${slot.session.describeError(error).message}: going on from the last checkpoint with a commit every ${chunk} rows`,
          );
          attempt--;
          checkpoint = await readCheckpoint(slot.session, target, sourceKey);
          returned?.keepThrough(checkpoint?.ordinal ?? 0);
          continue;
        }
        const transient =
          !(error instanceof SluiceError && error.code === 'BAD_INPUT') && slot.session.isTransient(error);
        if ((!transient || attempt >= retries || slot.reconnect === undefined) && share !== undefined)
          throw error; // the parallel load says what is committed over all its shares
        if (!transient || attempt >= retries || slot.reconnect === undefined)
          throw await failure(
            error,
            run,
            path,
            resumable ? undefined : notResumable,
            transient && attempt >= retries && retries > 0,
          );
        const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
        const { message } = slot.session.describeError(error);
        notice(
          `${message}: reconnecting in ${(delay / 1000).toFixed(1)} s to go on from the last checkpoint (retry ${attempt + 1} of ${retries})`,
        );
        await slot.session.close().catch(() => undefined);
        await closeAside();
        await sleep(delay);
        for (let reads = 1; ; reads++) {
          slot.session = await reconnectWithin(slot, retries - attempt, notice);
          if (slot.session.node !== undefined) notice(`connected to ${slot.session.node}`);
          try {
            checkpoint = await readCheckpoint(slot.session, target, sourceKey);
            break;
          } catch (readError) {
            // The node that took over may time the causal read out (wsrep_sync_wait: "Lock wait
            // timeout exceeded") while a failed node rejoins: read again, within the retries left.
            if (!slot.session.isTransient(readError) || reads >= Math.max(1, retries - attempt))
              throw readError;
            notice(
              `${slot.session.describeError(readError).message}: reading the checkpoint again in ${(delay / 1000).toFixed(1)} s`,
            );
            await slot.session.close().catch(() => undefined);
            await sleep(delay);
          }
        }
        reconnects++;
        returned?.keepThrough(checkpoint?.ordinal ?? 0);
        if (checkpoint !== undefined)
          check(checkpoint, withKey(await identityOf(path), share?.key), optionsKey, path, target);
      } finally {
        await partner?.close().catch(() => undefined);
      }
    }
  }
}

/**
 * On a Galera cluster, a second connection to the load's node, so that commits take turns
 * (LoadTransaction's `partner`): a COMMIT there waits while the write set goes to the other nodes,
 * and the next chunk loads meanwhile on the other connection. Only the raw copy of a file takes
 * turns (LoadTransaction.takeTurns); loads that cannot take that path (skip mode, refs, returned
 * ids, upsert, deferred constraints) or are a parallel share open no second connection. Undefined
 * too when it cannot be had on the same node: the load then commits on one connection.
 */
async function partnerFor(
  slot: SessionSlot,
  options: LoadOptions,
  share: LoadShare | undefined,
): Promise<Session | undefined> {
  const { session } = slot;
  if (session.cluster === undefined || slot.partner === undefined || share !== undefined) return undefined;
  if (
    options.onError === 'skip' ||
    options.refs !== undefined ||
    options.returning !== undefined ||
    options.onConflict !== undefined ||
    options.deferConstraints === true ||
    options.commitEvery === 0
  )
    return undefined;
  const partner = await slot.partner().catch(() => undefined);
  if (partner === undefined || partner.node !== session.node) {
    await partner?.close().catch(() => undefined);
    return undefined;
  }
  return partner;
}

/** The run that starts at `checkpoint` (or the beginning), its rejects file trimmed to match. */
async function runFrom(
  session: Session,
  opening: BeforeFirstTransaction | undefined,
  targetRef: TableRef,
  target: string,
  identity: SourceIdentity,
  optionsKey: string,
  checkpoint: Checkpoint | undefined,
  path: string,
  options: LoadOptions,
  share: LoadShare | undefined,
): Promise<CheckpointRun> {
  const table = new CheckpointTable(session);
  const runShare = share && { end: share.end, origin: share.start.ordinal, signal: share.signal };
  const run = (from: SourceStart | undefined, base: RunBase) =>
    new CheckpointRun(table, target, targetRef, identity, optionsKey, from, base, runShare, opening);
  if (checkpoint === undefined && share !== undefined && share.start.offset > 0)
    return run(share.start, ZERO);
  if (checkpoint === undefined || checkpoint.offset === 0) return run(undefined, ZERO);
  const line = await lineAtOffset(path, checkpoint.offset);
  const start: SourceStart = { offset: checkpoint.offset, ordinal: checkpoint.ordinal, line };
  if (typeof options.rejects === 'string') await keepRejectsBefore(options.rejects, line);
  return run(start, {
    rowsLoaded: checkpoint.rowsLoaded,
    rowsRejected: checkpoint.rowsRejected,
    counts: checkpoint.counts,
    checkpoints: checkpoint.checkpoints,
  });
}

const ZERO: RunBase = {
  rowsLoaded: 0,
  rowsRejected: 0,
  counts: { inserted: 0, updated: 0, unchanged: 0 },
  checkpoints: 0,
};

async function reconnectWithin(
  slot: SessionSlot,
  attempts: number,
  notice: (message: string) => void,
): Promise<Session> {
  for (let i = 0; ; i++) {
    try {
      return await slot.reconnect!();
    } catch (error) {
      if (i + 1 >= Math.max(1, attempts)) throw error;
      const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (i + 1));
      notice(`${(error as Error).message}: trying again in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay);
    }
  }
}

/** The checkpoint of `sourceKey` (a file's absolute path, or a parallel share's key) into `target`. */
export async function readCheckpoint(
  session: Session,
  target: string,
  sourceKey: string,
): Promise<Checkpoint | undefined> {
  if ((await session.describeTable({ name: CHECKPOINT_TABLE })) === undefined) return undefined;
  return new CheckpointTable(session).read(target, sourceKey);
}

/** The file's identity with a parallel share's key as its path, or as it is. */
function withKey(identity: SourceIdentity, key: string | undefined): SourceIdentity {
  return key === undefined ? identity : { ...identity, path: key };
}

/**
 * --resume found no checkpoint for this file: one for another file into the same table means the
 * file was renamed or moved, or the wrong one named; starting from the beginning would load rows
 * twice, so that is refused.
 */
async function refuseOtherSources(session: Session, target: string, path: string): Promise<void> {
  if ((await session.describeTable({ name: CHECKPOINT_TABLE })) === undefined) return;
  const others = await new CheckpointTable(session).sourcesOf(target);
  if (others.length === 0) return;
  const share = others.map((key) => shareOf(key, resolve(path))).find((s) => s !== undefined);
  if (share !== undefined)
    throw new SluiceError(
      'BAD_USAGE',
      `cannot resume the load of ${path} into ${target} without --parallel: the interrupted load ran with --parallel ${share.of}, and each of its parts has its own checkpoint`,
      { hint: `resume with --parallel ${share.of}, or run the load without --resume to start again` },
    );
  throw new SluiceError(
    'BAD_USAGE',
    `cannot resume the load into ${target} from ${path}: the interrupted load${others.length > 1 ? 's' : ''} into ${target} read ${others.join(', ')}`,
    {
      hint: 'resume with the file the checkpoint was written for, or run the load without --resume to start again from the beginning',
    },
  );
}

function check(
  checkpoint: Checkpoint,
  identity: SourceIdentity,
  optionsKey: string,
  path: string,
  target: string,
): void {
  const differences = [
    ...identityDifferences(checkpoint.source, identity).map((d) => `${path}: ${d}`),
    ...optionDifferences(checkpoint.options, optionsKey),
  ];
  if (differences.length === 0) return;
  throw new SluiceError(
    'BAD_USAGE',
    `cannot resume the load into ${target}: it is not the load the checkpoint was written for (${differences.join('; ')})`,
    {
      hint: `the checkpoint is for ${checkpoint.source.path}; to start again from the beginning, run the load without --resume`,
    },
  );
}

async function identityOf(path: string): Promise<SourceIdentity> {
  try {
    return await sourceIdentity(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SluiceError('BAD_USAGE', `cannot read ${path}: ${why}`, { cause: error });
  }
}

/** The error with what is committed: rows, the line they run through, and how to go on. */
async function failure(
  error: unknown,
  run: CheckpointRun,
  path: string,
  /** Why the load cannot be resumed; undefined when it can. */
  notResumable: string | undefined,
  retriesSpent: boolean,
): Promise<unknown> {
  if (!(error instanceof SluiceError)) return error;
  const committed = run.committed;
  if (committed === undefined || committed.rowsLoaded === 0) return error;
  const through = (await lineAtOffset(path, committed.offset).catch(() => undefined)) ?? 0;
  const what = `${committed.rowsLoaded} rows are committed, through line ${through - 1} of ${path} (byte ${committed.offset})`;
  const how = notResumable ?? 'run the same command with --resume to go on from there';
  const spent = retriesSpent ? 'the retries are used up; ' : '';
  return error.with({
    rowsCommitted: committed.rowsLoaded,
    writeStarted: true,
    hint: [error.hint, `${spent}${what}: ${how}`].filter((h) => h !== undefined).join('\n'),
  });
}

export function displayName(ref: TableRef): string {
  return ref.schema === undefined ? ref.name : `${ref.schema}.${ref.name}`;
}
