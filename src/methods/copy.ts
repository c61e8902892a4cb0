import { createReadStream } from 'node:fs';
import type { RowChunk } from '../dialects/dialect.js';
import { SluiceError, type SourceLocation } from '../errors.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import { csvRecordLine } from '../sources/csv-record-line.js';
import { rowError, type LoadMethod } from './method.js';
import { splitRuns, type Run } from './runs.js';
import { driveStatements } from './statement-driver.js';

/** Lines of the last chunks sent, to name the row a COPY error points at. */
const LINE_WINDOW = 64;

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
    const bytes = createReadStream(context.source.path, { highWaterMark: 1 << 20 });
    bytes.on('data', (chunk) => context.onBytes(chunk.length));
    try {
      const rows = await bulk.copyCsv(ref, context.columns, bytes, context.source.delimiter ?? ',');
      context.onBatch(rows);
      return { rowsLoaded: rows };
    } catch (error) {
      // copyRow counts the file's data records; a quoted field may span lines, so the record's
      // first line is found by reading the file again, now that the copy has failed.
      const row = copyRowOf(error);
      const line = row === undefined ? undefined : await csvRecordLine(context.source.path, row);
      throw rowError(context, error, line, copyColumnOf(error));
    }
  }

  const iterator = runsOf(chunks, context.columns)[Symbol.asyncIterator]();
  let pending = await iterator.next();
  let loaded = 0;
  while (!pending.done) {
    const key = pending.value.key;
    const columns = pending.value.columns;
    const window: { first: number; lines: readonly number[] }[] = [];
    let sent = 0;
    async function* sameShape(): AsyncGenerator<RowChunk> {
      while (!pending.done && pending.value.key === key) {
        const run = pending.value;
        window.push({ first: sent + 1, lines: run.lines });
        if (window.length > LINE_WINDOW) window.shift();
        sent += run.rows.length;
        yield run;
        context.onBatch(run.rows.length);
        pending = await iterator.next();
      }
    }
    try {
      loaded += await bulk.copyRows(ref, columns, sameShape());
    } catch (error) {
      const row = copyRowOf(error);
      const entry =
        row === undefined ? undefined : window.find((w) => row >= w.first && row < w.first + w.lines.length);
      throw rowError(
        context,
        error,
        entry === undefined || row === undefined ? undefined : entry.lines[row - entry.first],
        copyColumnOf(error),
      );
    }
  }
  return { rowsLoaded: loaded };
};

async function* once(run: Run): AsyncGenerator<RowChunk> {
  yield run;
}

async function* runsOf(chunks: AsyncIterable<MappedChunk>, columns: readonly string[]): AsyncGenerator<Run> {
  for await (const chunk of chunks) yield* splitRuns(chunk, columns);
}

/**
 * The 1-based row within the bulk operation the database blamed, when the bulk path reports it:
 * a data row of the copy (for a raw CSV, its data records: the header is not counted).
 */
function copyRowOf(error: unknown): number | undefined {
  const row = (error as { copyRow?: unknown } | null)?.copyRow;
  return typeof row === 'number' ? row : undefined;
}

/** The column the database blamed (`copyColumn`), when the bulk path reports it. */
function copyColumnOf(error: unknown): Partial<SourceLocation> | undefined {
  const column = (error as { copyColumn?: unknown } | null)?.copyColumn;
  return typeof column === 'string' ? { columnName: column } : undefined;
}
