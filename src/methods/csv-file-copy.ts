import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { BulkCopy, RowChunk } from '../dialects/dialect.js';
import type { SluiceError } from '../errors.js';
import { openSource, READ_CHUNK } from '../sources/from-input.js';
import type { TextSource } from '../sources/source.js';
import { copyColumnOf, copyRowOf, isRawCsvUnsafe, rawCsvLineOf } from './bulk-errors.js';
import { locateFailure } from './locate-failure.js';
import { rowError, type MethodContext, type MethodResult } from './method.js';
import type { Run } from './runs.js';
import { SentLines } from './sent-lines.js';

const RAW_COPY = 'sluice_raw_copy';
const PROBE_BATCH = 'sluice_probe_batch';
/** Rows per bulk operation while searching: the search re-sends the file up to the bad batch. */
const PROBE_ROWS = 10_000;

/**
 * A CSV file whose records go to the table as they are, copied as its own bytes (no parsing in
 * this process). Inside a savepoint, so that what the raw copy cannot do is done afterwards:
 * - the bulk path found the file uses CSV it would read differently from sluice's parser
 *   (`rawCsvUnsafe`): the file is loaded parsed instead;
 * - the database named the bad record: its first line is found by reading the file again;
 * - the database did not (PostgreSQL checks foreign keys when the COPY ends): the record is
 *   searched for, batch by batch.
 */
export async function copyCsvFile(
  context: MethodContext,
  bulk: BulkCopy,
  path: string,
): Promise<MethodResult> {
  const { session, ref } = context;
  // Counted as the bulk path pulls them: a 'data' listener would set the file flowing before the
  // database is ready, and the bytes read meanwhile would be lost.
  // 64 KiB reads, as for parsing: 1 MiB ones loaded no faster (PostgreSQL or MySQL) and left more
  // dead buffers between collections (MySQL, 5M rows: 141 MB peak RSS against 120 MB).
  const file = createReadStream(path, { highWaterMark: READ_CHUNK });
  const bytes = Readable.from(countBytes(file, context.onBytes), { objectMode: false });
  await session.savepoint(RAW_COPY);
  try {
    const rows = await bulk.copyCsv!(ref, context.columns, bytes, context.source.delimiter ?? ',');
    await session.releaseSavepoint(RAW_COPY);
    context.onBatch(rows);
    return { rowsLoaded: rows };
  } catch (error) {
    if (isRawCsvUnsafe(error)) {
      await session.rollbackToSavepoint(RAW_COPY);
      const rows = await copyParsedCsvFile(context, bulk, path);
      await session.releaseSavepoint(RAW_COPY);
      return { rowsLoaded: rows, rawCopy: false };
    }
    const at = rawCsvLineOf(error);
    if (at !== undefined) {
      // The database's own line count: find the line the record starts on.
      const line =
        'exact' in at
          ? at.exact
          : await bulk.recordStartLine?.(
              createReadStream(path, { highWaterMark: 1 << 20 }),
              context.source.delimiter ?? ',',
              at.within,
            );
      throw rowError(context, error, line, copyColumnOf(error));
    }
    await session.rollbackToSavepoint(RAW_COPY);
    throw (
      (await locateInCsvFile(context, bulk, path)) ?? rowError(context, error, undefined, copyColumnOf(error))
    );
  }
}

/**
 * The file read again through sluice's parser and copied as encoded rows. Errors name the line as
 * on any encoded copy.
 */
async function copyParsedCsvFile(context: MethodContext, bulk: BulkCopy, path: string): Promise<number> {
  const source = await reopen(context, path);
  const sent = new SentLines();
  async function* chunks(): AsyncGenerator<RowChunk> {
    for await (const batch of source.batches()) {
      sent.add(batch.lines);
      yield { rows: batch.records, lines: batch.lines };
      context.onBatch(batch.records.length);
    }
  }
  try {
    return await bulk.copyRows(context.ref, context.columns, chunks());
  } catch (error) {
    const row = copyRowOf(error);
    throw rowError(context, error, row === undefined ? undefined : sent.lineOf(row), copyColumnOf(error));
  } finally {
    source.close();
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
  path: string,
): Promise<SluiceError | undefined> {
  const { session, ref, columns } = context;
  const source = await reopen(context, path);
  const write = (run: Run): Promise<number> => bulk.copyRows(ref, run.columns, once(run));
  let rows: (readonly unknown[])[] = [];
  let lines: number[] = [];
  const probe = async (): Promise<SluiceError | undefined> => {
    const run: Run = { key: '', columns, rows, lines };
    rows = [];
    lines = [];
    await session.savepoint(PROBE_BATCH);
    try {
      await write(run);
      await session.releaseSavepoint(PROBE_BATCH);
      return undefined;
    } catch {
      await session.rollbackToSavepoint(PROBE_BATCH);
    }
    const failure = await locateFailure(session, run, write);
    return failure === undefined
      ? undefined
      : rowError(context, failure.error, run.lines[failure.index], copyColumnOf(failure.error));
  };
  try {
    for await (const batch of source.batches()) {
      for (let i = 0; i < batch.records.length; i++) {
        rows.push(batch.records[i]!);
        lines.push(batch.lines[i]!);
        if (rows.length === PROBE_ROWS) {
          const found = await probe();
          if (found !== undefined) return found;
        }
      }
    }
    return rows.length > 0 ? await probe() : undefined;
  } finally {
    source.close();
  }
}

async function reopen(context: MethodContext, path: string): Promise<TextSource> {
  const source = await openSource(path, { format: context.source.delimiter === '\t' ? 'tsv' : 'csv' });
  if (source.kind !== 'text') throw new Error(`${path} did not open as delimited text`);
  return source;
}

async function* countBytes(file: Readable, onBytes: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of file as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    yield chunk;
  }
}

async function* once(run: Run): AsyncGenerator<RowChunk> {
  yield run;
}
