import { Readable } from 'node:stream';
import type { BulkCopy, RowChunk, RowCounts } from '../dialects/dialect.js';
import type { SluiceError } from '../errors.js';
import { partDialect } from '../util/csv-dialect.js';
import { slicePositions } from '../util/record-positions.js';
import { copyColumnOf, copyRowOf, isRawCsvUnsafe, rawCsvLineOf } from './bulk-errors.js';
import { cutCsvRecords, type CsvPosition } from './csv-cut.js';
import { locateFailure } from './locate-failure.js';
import {
  addCounts,
  countRows,
  inserted,
  lastPosition,
  rowError,
  type MethodContext,
  type MethodResult,
  type RawCsvInput,
  type SourceStartAt,
} from './method.js';
import { Pending, type Run } from './runs.js';
import { SentLines } from './sent-lines.js';

/** Rows per bulk operation while searching: the search re-sends the file up to the bad batch. */
const PROBE_ROWS = 10_000;

/** A part of the file that goes as one statement; `records` undefined when it is the whole file. */
interface Part {
  readonly first: boolean;
  readonly start: CsvPosition;
  readonly bytes: AsyncIterable<Buffer>;
  readonly records: number | undefined;
  readonly end: CsvPosition | undefined;
}

/**
 * A CSV file whose records go to the table as they are, copied as its own bytes (no parsing in
 * this process). With commit points (--commit-every) the file is cut after every N records
 * (csv-cut.ts), each part its own COPY / LOAD DATA, so that a commit falls on a record boundary
 * with the byte offset and ordinal of the record after it; a resumed load starts at its
 * checkpoint's offset. Each part runs inside a savepoint, so that what the raw copy cannot do is
 * done afterwards:
 * - the bulk path found the file uses CSV it would read differently from sluice's parser
 *   (`rawCsvUnsafe`): the file is loaded parsed instead, from the start of that part (the parts
 *   before it are loaded as they were, and committed where a commit point fell);
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
  const every = tx.commitEvery;
  const parts: Iterable<Part> | AsyncIterable<Part> =
    every === undefined && raw.start.offset === 0
      ? [{ first: true, start: raw.start, bytes: raw.bytes(), records: undefined, end: undefined }]
      : cutCsvRecords(raw.bytes(), raw.dialect, every ?? Infinity, raw.start);
  let counts = inserted(0);
  // Each part goes through the transaction's connection, which may alternate (LoadTransaction).
  tx.takeTurns();
  // Where the part not yet sent starts: the screen (FieldCheck.screen) may stop the bytes while
  // the next part is being cut, between two statements.
  let next: CsvPosition = raw.start;
  try {
    for await (const part of parts) {
      let done: RowCounts;
      try {
        // On the connection the transaction is on: the partner's, when commits take turns.
        const on = tx.active.bulk ?? bulk;
        done = await tx.savepoint(() =>
          on.copyCsv!(
            ref,
            context.columns,
            Readable.from(part.bytes, { objectMode: false }),
            raw.dialect,
            part.first,
          ),
        );
      } catch (error) {
        // What follows runs on the load's own connection: commits stop taking turns here (and the
        // COMMIT still on its way is waited for; its failure, if any, is the one thrown).
        await tx.rehome();
        if (isRawCsvUnsafe(error)) {
          const parsed = await copyParsedCsvFile(context, bulk, raw, part.start);
          return { counts: addCounts(counts, parsed), rawCopy: false };
        }
        throw await located(context, bulk, raw, part, error);
      }
      const rows = countRows(done);
      // The cutter and the bulk path's own scanner read the records alike (csv-scanners-agree.test.ts):
      // a part the database counted otherwise must not commit under a checkpoint that says else.
      if (part.records !== undefined && rows !== part.records)
        throw new Error(`the database stored ${rows} rows of a part of ${part.records} records`);
      counts = addCounts(counts, done);
      context.onRows(rows);
      const end = part.end ?? { offset: raw.bytesRead(), ordinal: raw.start.ordinal + rows };
      await tx.wrote(rows, { ordinal: end.ordinal, end: end.offset }, done);
      next = end;
    }
  } catch (error) {
    if (!isRawCsvUnsafe(error)) throw error;
    await tx.rehome();
    const parsed = await copyParsedCsvFile(context, bulk, raw, next);
    return { counts: addCounts(counts, parsed), rawCopy: false };
  }
  return { counts };
}

/** The error of a part that failed, at the line of the file it names (or searched for). */
async function located(
  context: MethodContext,
  bulk: BulkCopy,
  raw: RawCsvInput,
  part: Part,
  error: unknown,
): Promise<SluiceError> {
  const at = rawCsvLineOf(error);
  if (at === undefined)
    return (
      (await locateInCsvFile(context, bulk, raw, part.start)) ??
      rowError(context, error, undefined, copyColumnOf(error))
    );
  // Lines the bulk path counts from the part's first line; a record number within the part.
  const first = await raw.lineAt(part.start.offset);
  let line: number | undefined;
  if ('exact' in at) line = first + at.exact - 1;
  else if ('record' in at) line = await raw.lineOfRecord(part.start.ordinal + at.record);
  else {
    // A later part went to the database with no header or preamble (partDialect).
    const within = await bulk.recordStartLine?.(
      raw.reread(part.start.offset),
      partDialect(raw.dialect, part.first),
      at.within,
    );
    line = within === undefined ? undefined : first + within - 1;
  }
  return rowError(context, error, line, copyColumnOf(error));
}

/**
 * The file from `from`, read through sluice's parser and copied as encoded rows, one bulk
 * operation per commit point (one in all without commit points). Errors name the line as on any
 * encoded copy.
 */
async function copyParsedCsvFile(
  context: MethodContext,
  bulk: BulkCopy,
  raw: RawCsvInput,
  from: CsvPosition,
): Promise<RowCounts> {
  const { tx } = context;
  const iterator = raw.parsed(await startOf(raw, from))[Symbol.asyncIterator]();
  let leftover: RowChunk | undefined;
  const next = async (): Promise<RowChunk | undefined> => {
    if (leftover !== undefined) {
      const chunk = leftover;
      leftover = undefined;
      return chunk;
    }
    for (;;) {
      const result = await iterator.next();
      if (result.done === true) return undefined;
      if (result.value.rows.length > 0) return result.value;
    }
  };
  let counts = inserted(0);
  while ((leftover = await next()) !== undefined) {
    const room = tx.room();
    const sent = new SentLines();
    let rows = 0;
    let last: { ordinal: number; end: number } | undefined;
    async function* part(): AsyncGenerator<RowChunk> {
      while (rows < room) {
        let chunk = await next();
        if (chunk === undefined) return;
        if (chunk.rows.length > room - rows) {
          const take = room - rows;
          leftover = { rows: chunk.rows.slice(take), ...slicePositions(chunk, take, chunk.rows.length) };
          chunk = { rows: chunk.rows.slice(0, take), ...slicePositions(chunk, 0, take) };
        }
        sent.add(chunk.lines);
        yield chunk;
        rows += chunk.rows.length;
        last = lastPosition(chunk) ?? last;
        context.onRows(chunk.rows.length, lastPosition(chunk));
      }
    }
    try {
      counts = addCounts(counts, await bulk.copyRows(context.ref, context.columns, part()));
    } catch (error) {
      const row = copyRowOf(error);
      throw rowError(context, error, row === undefined ? undefined : sent.lineOf(row), copyColumnOf(error));
    }
    await tx.wrote(rows, last);
  }
  return counts;
}

/** Where the parser starts for a position: undefined at the file's start. */
async function startOf(raw: RawCsvInput, at: CsvPosition): Promise<SourceStartAt | undefined> {
  return at.offset === 0 ? undefined : { ...at, line: await raw.lineAt(at.offset) };
}

/**
 * Finds the record a raw copy failed on when the database did not say which: the file is read
 * again from the failed part's start, parsed, and copied batch by batch inside savepoints; the failing batch is bisected. Runs
 * only after a failure, inside the load's transaction, which the caller rolls back: it costs a
 * second pass over the file up to the bad record, plus O(log batch) small copies. Undefined when
 * the failure does not reproduce record by record.
 */
async function locateInCsvFile(
  context: MethodContext,
  bulk: BulkCopy,
  raw: RawCsvInput,
  from: CsvPosition,
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
  for await (const chunk of raw.parsed(await startOf(raw, from))) {
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
