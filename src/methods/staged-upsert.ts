import type { BulkCopy, RowChunk, RowCounts, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import {
  addCounts,
  countRows,
  inserted,
  type MethodContext,
  type MethodResult,
  type RawCsvInput,
} from './method.js';
import type { Run } from './runs.js';
import { driveStatements } from './statement-driver.js';
import { countsOf, retrying } from './upsert.js';

/**
 * The bulk path's upsert: rows go through COPY / LOAD DATA into a temporary staging table (typed
 * as the table, numbered in arrival order by the database), then one INSERT ... SELECT merges them
 * into the table, on the same connection and in the load's transaction.
 *
 * A key that occurs twice among the staged rows (by the database's own equality, on the typed
 * staging columns: '01' and '1' into an integer key are one key) is merged in generations, first
 * occurrences, then second ones, and so on, so the last occurrence in input order is the one the
 * table keeps and each row counts as if written alone. Batches are merged in input order, so that
 * holds across batches too. Duplicates are rare, so the common case pays for no dedupe: where the
 * database refuses a statement that meets a key twice (PostgreSQL's ON CONFLICT DO UPDATE), the
 * merge is tried as one statement and split into generations only when refused; where it takes
 * the rows one after the other in the order given and says how many met an existing key (MySQL's
 * INSERT ... SELECT ... ON DUPLICATE KEY UPDATE, `Session.upsertSelect`), one statement in ordinal
 * order does it all; elsewhere one GROUP BY over the staged keys says whether there is any.
 */

let stagingTables = 0;

/** Creates the load's staging table with every loaded column; returns its name. */
export async function createStagingTable(context: MethodContext): Promise<string> {
  const name = `sluice_staging_${process.pid}_${++stagingTables}`;
  for (const statement of context.session.sql.createStaging(name, context.ref, context.columns))
    await context.session.execute(statement);
  return name;
}

/**
 * Encoded rows (the parsed or JS path): each batch replaces the staging table's rows and is merged,
 * retried whole when it lost a lock race.
 */
export function stagedUpsert(context: MethodContext, staging: string): (run: Run) => Promise<RowCounts> {
  const { session } = context;
  const stagingRef: TableRef = { name: staging };
  return (run) =>
    retrying(context, async () => {
      await session.execute(session.sql.clearStaging(staging));
      await session.bulk!.copyRows(stagingRef, run.columns, once(run));
      return mergeStaging(context, staging, run.columns, run.rows.length);
    });
}

/**
 * A CSV file that needs no transformation: its bytes go to the staging table untouched (no row is
 * parsed or held in this process), and one merge takes them all. Whatever the raw copy cannot do
 * (CSV the bulk path would read differently, a value or a row the database refuses, which it names
 * by no line of ours at the merge) is undone, and the file is loaded parsed, batch by batch, which
 * names the line of a refused row as every other path does.
 */
export async function upsertCsvFile(
  context: MethodContext,
  bulk: BulkCopy,
  raw: RawCsvInput,
  staging: string,
): Promise<MethodResult> {
  const { session, tx } = context;
  let counts: RowCounts;
  try {
    // The file is read again from its start when a lost race rolled the transaction back.
    counts = await tx.replaying(() =>
      tx.savepoint(async () => {
        // A resumed load's bytes start at its checkpoint: a later part of the file, no header.
        const copied = await bulk.copyCsv!(
          { name: staging },
          context.columns,
          raw.bytes(),
          raw.dialect,
          raw.start.offset === 0,
        );
        const rows = countRows(copied);
        return retrying(context, () => mergeStaging(context, staging, context.columns, rows));
      }),
    );
  } catch (error) {
    // A lost race retried to its bound, or a lost connection: the parsed path would fare no better.
    if ((error instanceof SluiceError && error.code === 'DEADLOCK') || session.isTransient(error))
      throw error;
    await session.execute(session.sql.clearStaging(staging));
    const parsed = await driveStatements(context, parsedChunks(raw), stagedUpsert(context, staging));
    return { counts: parsed.counts, rawCopy: false };
  }
  const rows = countRows(counts);
  context.onRows(rows);
  await tx.wrote(rows, { ordinal: raw.start.ordinal + rows, end: raw.bytesRead() }, counts);
  return { counts };
}

// PostgreSQL's "ON CONFLICT DO UPDATE command cannot affect row a second time" (cardinality violation).
const REPEATED_KEY = /^21000$/;

/** Merges the staged rows (`rows` of them, carrying `columns`) into the table; their counts. */
async function mergeStaging(
  context: MethodContext,
  staging: string,
  columns: readonly string[],
  rows: number,
): Promise<RowCounts> {
  const { session, ref, plan } = context;
  const { sql } = session;
  const conflict = plan.conflict!;
  const analyze = sql.analyzeStaging?.(staging);
  if (analyze !== undefined) await session.execute(analyze);
  const merge = async (generation: number | undefined, size: number): Promise<RowCounts> => {
    const gens = generation !== undefined;
    const params = gens ? [generation] : [];
    if (sql.mergeStagedCounted !== undefined) {
      const [row] = await session.select(
        sql.mergeStagedCounted(ref, staging, columns, conflict, gens),
        params,
      );
      const added = Number(row![0]);
      const written = Number(row![1]);
      return { inserted: added, updated: written - added, unchanged: size - written };
    }
    const found = await session.count(sql.countStagedExisting(ref, staging, conflict.key, gens), params);
    return countsOf(
      session,
      size,
      found,
      await session.execute(sql.mergeStaged(ref, staging, columns, conflict, gens), params),
    );
  };
  if (session.upsertSelect !== undefined) {
    // The server processes the rows in ordinal order and counts each as if alone: one statement.
    return session.upsertSelect(sql.mergeStaged(ref, staging, columns, conflict, false), rows);
  }
  const refusesRepeats =
    sql.mergeStagedCounted !== undefined &&
    conflict.action === 'update' &&
    conflict.update.some((c) => columns.includes(c));
  if (refusesRepeats) {
    try {
      return await context.tx.savepoint(() => merge(undefined, rows));
    } catch (error) {
      if (!REPEATED_KEY.test(session.describeError(error).code ?? '')) throw error;
    }
  } else if ((await session.count(sql.countStagedDuplicates(staging, conflict.key))) === 0) {
    return merge(undefined, rows);
  }
  let counts = inserted(0);
  for (const [generation, size] of await session.select(sql.stagedGenerations(staging, conflict.key)))
    counts = addCounts(counts, await merge(Number(generation), Number(size)));
  return counts;
}

/** The file parsed from where the load starts (a resumed load's checkpoint, or the start). */
async function* parsedChunks(raw: RawCsvInput): AsyncGenerator<MappedChunk> {
  const { start } = raw;
  const at = start.offset === 0 ? undefined : { ...start, line: await raw.lineAt(start.offset) };
  for await (const chunk of raw.parsed(at)) yield { ...chunk, shapes: undefined };
}

async function* once(chunk: RowChunk): AsyncGenerator<RowChunk> {
  yield chunk;
}
