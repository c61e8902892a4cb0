import type { RowChunk, RowCounts } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import { copyColumnOf, copyRowOf } from './bulk-errors.js';
import { copyCsvFile } from './csv-file-copy.js';
import { copyEncodedBatches } from './encoded-batches.js';
import {
  addCounts,
  inserted,
  lastPosition,
  rowError,
  type LoadMethod,
  type MethodContext,
} from './method.js';
import { splitRuns, type Run } from './runs.js';
import { SentLines } from './sent-lines.js';
import { driveStatements } from './statement-driver.js';
import { createStagingTable, stagedUpsert, upsertCsvFile } from './staged-upsert.js';

/**
 * copy: the database's bulk path (COPY FROM STDIN, LOAD DATA LOCAL INFILE). A CSV needing no
 * transformation goes as raw bytes; other rows stream through one bulk operation per run of equally
 * shaped rows. Each batch is its own bulk statement inside a savepoint instead (plan.copyPerBatch)
 * when it must be committed part by part (--commit-every), retried without the rows the database
 * refused (--on-error skip), cut as asked (--batch-size), or when the database judges a bulk
 * statement only at its end (LOAD DATA), so a failure is traced to its row by bisection.
 */
export const copyMethod: LoadMethod = async (context, chunks) => {
  const { session, ref, plan } = context;
  const bulk = session.bulk;
  if (bulk === undefined) throw new SluiceError('METHOD_UNAVAILABLE', 'this database has no bulk copy path');

  if (plan.conflict !== undefined) {
    const staging = await createStagingTable(context);
    const result =
      plan.rawCopy && bulk.copyCsv && context.raw !== undefined
        ? await upsertCsvFile(context, bulk, context.raw, staging)
        : await driveStatements(context, chunks, stagedUpsert(context, staging));
    await session.execute(session.sql.dropStaging(staging));
    return result;
  }

  // Batches held as encoded bytes drop the JS rows, which reading returned values back needs.
  if (
    plan.copyPerBatch &&
    context.onError === 'abort' &&
    context.afterWrite === undefined &&
    bulk.encodeRows &&
    bulk.copyEncoded
  ) {
    return copyEncodedBatches(context, chunks, {
      encodeRows: (rows) => bulk.encodeRows!(rows),
      copyEncoded: (ref, columns, bytes, rows) => bulk.copyEncoded!(ref, columns, bytes, rows),
    });
  }

  if (plan.copyPerBatch) {
    const copyRun = (run: Run): Promise<RowCounts> => bulk.copyRows(ref, run.columns, once(run));
    const blame = (run: Run, error: unknown): number | undefined => {
      const row = copyRowOf(error);
      return row !== undefined && row >= 1 && row <= run.rows.length ? row - 1 : undefined;
    };
    return driveStatements(context, chunks, copyRun, blame);
  }

  if (plan.rawCopy && bulk.copyCsv && context.raw !== undefined) {
    return copyCsvFile(context, bulk, context.raw);
  }
  return { counts: await streamRuns(context, chunks) };
};

/**
 * Every row in one bulk operation per run of equally shaped rows, in the one transaction. When
 * the source fails (a bad record), the operation is ended cleanly with the rows before it, so a
 * database error on one of those (the first bad row in source order) is the one reported.
 */
async function streamRuns(context: MethodContext, chunks: AsyncIterable<MappedChunk>): Promise<RowCounts> {
  const iterator = runsOf(chunks, context.columns)[Symbol.asyncIterator]();
  let sourceError: { error: unknown } | undefined;
  const pull = async (): Promise<IteratorResult<Run>> => {
    try {
      return await iterator.next();
    } catch (error) {
      sourceError = { error };
      return { done: true, value: undefined };
    }
  };
  let pending = await pull();
  let counts = inserted(0);
  while (!pending.done) {
    if (pending.value.key === BARRIER_KEY) {
      // The source needs the connection for its next chunk: no bulk statement is open now.
      pending = await pull();
      continue;
    }
    const key = pending.value.key;
    const columns = pending.value.columns;
    // Every row of the operation, compactly: the database may name a row sent megabytes ago.
    const sent = new SentLines();
    let rows = 0;
    let last: Run | undefined;
    async function* sameShape(): AsyncGenerator<RowChunk> {
      while (!pending.done && pending.value.key === key) {
        const run = pending.value;
        sent.add(run.lines);
        yield run;
        rows += run.rows.length;
        last = run;
        context.onRows(run.rows.length, lastPosition(run));
        pending = await pull();
      }
    }
    try {
      counts = addCounts(counts, await context.session.bulk!.copyRows(context.ref, columns, sameShape()));
    } catch (error) {
      const row = copyRowOf(error);
      throw rowError(context, error, row === undefined ? undefined : sent.lineOf(row), copyColumnOf(error));
    }
    await context.tx.wrote(rows, last && lastPosition(last));
  }
  if (sourceError !== undefined) throw sourceError.error;
  return counts;
}

async function* once(run: Run): AsyncGenerator<RowChunk> {
  yield run;
}

/** The shape key of a barrier (MappedChunk.barrier): unlike any run's, so the stream ends before it. */
const BARRIER_KEY = '\u0000barrier';

async function* runsOf(chunks: AsyncIterable<MappedChunk>, columns: readonly string[]): AsyncGenerator<Run> {
  for await (const chunk of chunks) {
    if (chunk.barrier === true) yield { ...chunk, key: BARRIER_KEY, columns };
    else yield* splitRuns(chunk, columns);
  }
}
