import type { RowChunk } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import { copyColumnOf, copyRowOf } from './bulk-errors.js';
import { copyCsvFile } from './csv-file-copy.js';
import { rowError, type LoadMethod } from './method.js';
import { splitRuns, type Run } from './runs.js';
import { SentLines } from './sent-lines.js';
import { driveStatements } from './statement-driver.js';

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
    return copyCsvFile(context, bulk, context.source.path);
  }

  const iterator = runsOf(chunks, context.columns)[Symbol.asyncIterator]();
  let pending = await iterator.next();
  let loaded = 0;
  while (!pending.done) {
    const key = pending.value.key;
    const columns = pending.value.columns;
    // Every row of the operation, compactly: the database may name a row sent megabytes ago.
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

async function* runsOf(chunks: AsyncIterable<MappedChunk>, columns: readonly string[]): AsyncGenerator<Run> {
  for await (const chunk of chunks) yield* splitRuns(chunk, columns);
}
