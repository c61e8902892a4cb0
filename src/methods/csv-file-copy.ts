import type { BulkCopy, RowChunk, RowCounts } from '../dialects/dialect.js';
import type { SluiceError } from '../errors.js';
import { copyColumnOf, copyRowOf, isRawCsvUnsafe, rawCsvLineOf } from './bulk-errors.js';
import { locateFailure } from './locate-failure.js';
import {
  countRows,
  lastPosition,
  rowError,
  type MethodContext,
  type MethodResult,
  type RawCsvInput,
} from './method.js';
import { Pending, type Run } from './runs.js';
import { SentLines } from './sent-lines.js';

/** Rows per bulk operation while searching: the search re-sends the file up to the bad batch. */
const PROBE_ROWS = 10_000;

/**
 * A CSV file whose records go to the table as they are, copied as its own bytes (no parsing in
 * this process). Inside a savepoint, so that what the raw copy cannot do is done afterwards:
 * - the bulk path found the file uses CSV it would read differently from sluice's parser
 *   (`rawCsvUnsafe`): the file is loaded parsed instead;
 * - the database named the bad record: its first line is found by reading the file again;
 * - the database did not (PostgreSQL checks foreign keys when the COPY ends; LOAD DATA skips a
 *   duplicate key with a warning that names no row): the record is searched for, batch by batch.
 */
export async function copyCsvFile(
  context: MethodContext,
  bulk: BulkCopy,
  raw: RawCsvInput,
): Promise<MethodResult> {
  const { ref, tx } = context;
  let counts: RowCounts;
  try {
    counts = await tx.savepoint(() =>
      bulk.copyCsv!(ref, context.columns, raw.bytes(), raw.delimiter, raw.encoding),
    );
  } catch (error) {
    if (isRawCsvUnsafe(error)) {
      const parsed = await tx.savepoint(() => copyParsedCsvFile(context, bulk, raw));
      await tx.wrote(countRows(parsed.counts), parsed.last);
      return { counts: parsed.counts, rawCopy: false };
    }
    const at = rawCsvLineOf(error);
    if (at !== undefined) {
      // The database's own line count, or the record's number: find the line the record starts on.
      const line =
        'exact' in at
          ? at.exact
          : 'record' in at
            ? await raw.lineOfRecord(at.record)
            : await bulk.recordStartLine?.(raw.reread(), raw.delimiter, at.within);
      throw rowError(context, error, line, copyColumnOf(error));
    }
    throw (
      (await locateInCsvFile(context, bulk, raw)) ?? rowError(context, error, undefined, copyColumnOf(error))
    );
  }
  const rows = countRows(counts);
  context.onRows(rows);
  await tx.wrote(rows, { ordinal: rows, end: raw.bytesRead() });
  return { counts };
}

/**
 * The file read again through sluice's parser and copied as encoded rows. Errors name the line as
 * on any encoded copy.
 */
async function copyParsedCsvFile(
  context: MethodContext,
  bulk: BulkCopy,
  raw: RawCsvInput,
): Promise<{ counts: RowCounts; last: { ordinal: number; end: number } | undefined }> {
  const sent = new SentLines();
  let last: { ordinal: number; end: number } | undefined;
  async function* chunks(): AsyncGenerator<RowChunk> {
    for await (const chunk of raw.parsed()) {
      sent.add(chunk.lines);
      yield chunk;
      last = lastPosition(chunk) ?? last;
      context.onRows(chunk.rows.length, lastPosition(chunk));
    }
  }
  try {
    return { counts: await bulk.copyRows(context.ref, context.columns, chunks()), last };
  } catch (error) {
    const row = copyRowOf(error);
    throw rowError(context, error, row === undefined ? undefined : sent.lineOf(row), copyColumnOf(error));
  }
}

/**
 * Finds the record a raw copy failed on when the database did not say which: the file is read
 * again, parsed, and copied batch by batch inside savepoints; the failing batch is bisected. Runs
 * only after a failure, inside the load's transaction, which the caller rolls back: it costs a
 * second pass over the file up to the bad record, plus O(log batch) small copies. Undefined when
 * the failure does not reproduce record by record.
 */
async function locateInCsvFile(
  context: MethodContext,
  bulk: BulkCopy,
  raw: RawCsvInput,
): Promise<SluiceError | undefined> {
  const { ref, columns, tx } = context;
  const write = (run: Run): Promise<RowCounts> => bulk.copyRows(ref, run.columns, once(run));
  let batch = new Pending();
  const probe = async (): Promise<SluiceError | undefined> => {
    const run: Run = { key: '', columns, ...batch.chunk() };
    batch = new Pending();
    if ((await tx.attempt(() => write(run))) === undefined) return undefined;
    const failure = await locateFailure(tx, run, write);
    return failure === undefined
      ? undefined
      : rowError(context, failure.error, run.lines[failure.index], copyColumnOf(failure.error));
  };
  for await (const chunk of raw.parsed()) {
    for (let i = 0; i < chunk.rows.length; i++) {
      batch.push(chunk, i);
      if (batch.rows.length === PROBE_ROWS) {
        const found = await probe();
        if (found !== undefined) return found;
      }
    }
  }
  return batch.rows.length > 0 ? await probe() : undefined;
}

async function* once(run: Run): AsyncGenerator<RowChunk> {
  yield run;
}
