import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { RowChunk } from '../dialects/dialect.js';
import { SluiceError, type SourceLocation } from '../errors.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import { csvRecordStartLine, type CsvRecordAt } from '../sources/csv-record-line.js';
import { locateInCsvFile } from './locate-in-file.js';
import { rowError, type LoadMethod } from './method.js';
import { splitRuns, type Run } from './runs.js';
import { SentLines } from './sent-lines.js';
import { driveStatements } from './statement-driver.js';

const RAW_COPY = 'sluice_raw_copy';

/**
 * copy: the database's bulk path (COPY FROM STDIN, LOAD DATA LOCAL INFILE). By default rows stream
 * through one bulk operation per run of equally shaped rows, and a CSV needing no transformation
 * goes as raw bytes. With --commit-every or --on-error skip, each batch is its own bulk operation
 * inside a savepoint, so it can be committed, or retried without the rows the database refused.
 */
export const copyMethod: LoadMethod = async (context, chunks) => {
  const { session, ref, plan } = context;
  const bulk = session.bulk;
  if (bulk === undefined) throw new SluiceError('METHOD_UNAVAILABLE', 'this database has no bulk copy path');

  if (context.onError === 'skip' || typeof plan.transaction === 'object') {
    const copyRun = (run: Run): Promise<number> => bulk.copyRows(ref, run.columns, once(run));
    const blame = (run: Run, error: unknown): number | undefined => {
      const row = copyRowOf(error);
      return row !== undefined && row >= 1 && row <= run.rows.length ? row - 1 : undefined;
    };
    return driveStatements(context, chunks, copyRun, blame);
  }

  if (plan.rawCopy && bulk.copyCsv && context.source.path !== undefined) {
    // Counted as the bulk path pulls them: a 'data' listener would set the file flowing before
    // the database is ready, and the bytes read meanwhile would be lost.
    const file = createReadStream(context.source.path, { highWaterMark: 1 << 20 });
    const bytes = Readable.from(countBytes(file, context.onBytes), { objectMode: false });
    // A savepoint, so that a failure the database does not place can be searched for afterwards.
    await session.savepoint(RAW_COPY);
    try {
      const rows = await bulk.copyCsv(ref, context.columns, bytes, context.source.delimiter ?? ',');
      await session.releaseSavepoint(RAW_COPY);
      context.onBatch(rows);
      return { rowsLoaded: rows };
    } catch (error) {
      // A quoted field may span lines, so the line the record starts on is found by reading the
      // file again, now that the copy has failed.
      const at = rawCsvRecordOf(error);
      if (at !== undefined) {
        const line = await csvRecordStartLine(context.source.path, at);
        throw rowError(context, error, line, copyColumnOf(error));
      }
      await session.rollbackToSavepoint(RAW_COPY);
      const located = await locateInCsvFile(context, bulk, context.source.path, copyColumnOf);
      throw located ?? rowError(context, error, undefined, copyColumnOf(error));
    }
  }

  const iterator = runsOf(chunks, context.columns)[Symbol.asyncIterator]();
  let pending = await iterator.next();
  let loaded = 0;
  while (!pending.done) {
    const key = pending.value.key;
    const columns = pending.value.columns;
    const sent = new SentLines();
    async function* sameShape(): AsyncGenerator<RowChunk> {
      while (!pending.done && pending.value.key === key) {
        const run = pending.value;
        sent.add(run.lines);
        yield run;
        context.onBatch(run.rows.length);
        pending = await iterator.next();
      }
    }
    try {
      loaded += await bulk.copyRows(ref, columns, sameShape());
    } catch (error) {
      const row = copyRowOf(error);
      throw rowError(context, error, row === undefined ? undefined : sent.lineOf(row), copyColumnOf(error));
    }
  }
  return { rowsLoaded: loaded };
};

async function* once(run: Run): AsyncGenerator<RowChunk> {
  yield run;
}

async function* countBytes(file: Readable, onBytes: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of file as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    yield chunk;
  }
}

async function* runsOf(chunks: AsyncIterable<MappedChunk>, columns: readonly string[]): AsyncGenerator<Run> {
  for await (const chunk of chunks) yield* splitRuns(chunk, columns);
}

/** The 1-based row within the bulk operation the database blamed, when the bulk path reports it. */
function copyRowOf(error: unknown): number | undefined {
  const row = (error as { copyRow?: unknown } | null)?.copyRow;
  return typeof row === 'number' ? row : undefined;
}

/**
 * The record of a raw CSV the database blamed: `copyLine`, a line of the file (header = line 1),
 * or `copyRow`, a data record number (header not counted), whichever the bulk path reports.
 */
function rawCsvRecordOf(error: unknown): CsvRecordAt | undefined {
  const line = (error as { copyLine?: unknown } | null)?.copyLine;
  if (typeof line === 'number') return { line };
  const row = copyRowOf(error);
  return row === undefined ? undefined : { record: row };
}

/** The column the database blamed (`copyColumn`), when the bulk path reports it. */
function copyColumnOf(error: unknown): (Partial<SourceLocation> & { columnName: string }) | undefined {
  const column = (error as { copyColumn?: unknown } | null)?.copyColumn;
  return typeof column === 'string' ? { columnName: column } : undefined;
}
