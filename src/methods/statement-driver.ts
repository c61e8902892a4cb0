import type { MappedChunk } from '../rows/row-mapper.js';
import { locateFailure } from './locate-failure.js';
import { writeSkippingBadRows } from './skip-bad-rows.js';
import { rowError, type MethodContext, type MethodResult } from './method.js';
import { rechunk, sliceRun, splitRuns, type Run } from './runs.js';

const BATCH = 'sluice_batch';

/**
 * The loop shared by the statement methods (values, pipeline): pull a batch, write its runs inside
 * a savepoint, commit every N rows when asked. When the database refuses a batch, roll back to the
 * savepoint and bisect to name the first row it refuses; in skip mode reject that row and go on.
 *
 * Where a failed statement is undone on its own and the transaction goes on
 * (`capabilities.survivesStatementError`) and the method says how many rows one statement of
 * `write` takes (`statementRows`), batches are written without a savepoint: a savepoint there only
 * makes the database journal every page the batch touches a second time (SQLite: 10% of a load).
 */
export async function driveStatements(
  context: MethodContext,
  chunks: AsyncIterable<MappedChunk>,
  write: (run: Run) => Promise<number>,
  /** Reads the index of the refused row from a database error, when the database says it. */
  blame?: (run: Run, error: unknown) => number | undefined,
  /** Rows per statement of `write` (each call with at most this many rows is one statement). */
  statementRows?: number,
): Promise<MethodResult> {
  const { session, plan } = context;
  const unguarded = statementRows !== undefined && session.capabilities.survivesStatementError === true;
  const commitEvery = typeof plan.transaction === 'object' ? plan.transaction.commitEvery : undefined;
  let loaded = 0;
  let uncommitted = 0;
  for await (const chunk of rechunk(chunks, plan.batchSize)) {
    const runs = splitRuns(chunk, context.columns);
    if (context.onError === 'skip') {
      for (const run of runs) {
        loaded += await writeSkippingBadRows(
          session,
          run,
          write,
          context.reject,
          blame && ((e) => blame(run, e)),
        );
      }
      uncommitted += chunk.rows.length;
      context.onBatch(chunk.rows.length);
      if (commitEvery !== undefined && uncommitted >= commitEvery)
        uncommitted = await commitNow(context, uncommitted);
      continue;
    }
    if (unguarded) {
      for (const run of runs) await writeStatements(context, run, write, statementRows!, blame);
    } else {
      await session.savepoint(BATCH);
      try {
        for (const run of runs) await write(run);
      } catch (error) {
        await session.rollbackToSavepoint(BATCH);
        throw await explainFailure(context, runs, write, error, blame);
      }
      await session.releaseSavepoint(BATCH);
    }
    loaded += chunk.rows.length;
    uncommitted += chunk.rows.length;
    context.onBatch(chunk.rows.length);
    if (commitEvery !== undefined && uncommitted >= commitEvery)
      uncommitted = await commitNow(context, uncommitted);
  }
  return { rowsLoaded: loaded };
}

/**
 * Writes a run one statement at a time without a savepoint. When a statement fails, the database
 * has undone that statement alone and the ones before it stay applied: exactly the state the
 * bisection of its rows expects.
 */
async function writeStatements(
  context: MethodContext,
  run: Run,
  write: (run: Run) => Promise<number>,
  statementRows: number,
  blame: ((run: Run, error: unknown) => number | undefined) | undefined,
): Promise<void> {
  for (let start = 0; start < run.rows.length; start += statementRows) {
    const end = Math.min(run.rows.length, start + statementRows);
    const piece = start === 0 && end === run.rows.length ? run : sliceRun(run, start, end);
    try {
      await write(piece);
    } catch (error) {
      throw await explainFailure(context, [piece], write, error, blame);
    }
  }
}

/** COMMIT what is pending and open the next transaction; returns the new pending count (0). */
async function commitNow(context: MethodContext, uncommitted: number): Promise<number> {
  await context.session.commit();
  context.onCommit(uncommitted);
  await context.session.begin();
  return 0;
}

/** Re-runs a failed batch run by run, then row range by row range, to find the row to blame. */
async function explainFailure(
  context: MethodContext,
  runs: readonly Run[],
  write: (run: Run) => Promise<number>,
  original: unknown,
  blame: ((run: Run, error: unknown) => number | undefined) | undefined,
): Promise<Error> {
  if (runs.length === 1 && blame !== undefined) {
    const index = blame(runs[0]!, original);
    if (index !== undefined) return rowError(context, original, runs[0]!.lines[index]);
  }
  try {
    for (const run of runs) {
      const failure = await locateFailure(context.session, run, write);
      if (failure !== undefined) return rowError(context, failure.error, run.lines[failure.index]);
    }
  } catch {
    // The database could not be asked again (it rolled the whole transaction back, say): the
    // original error, blamed on the batch, says more than the failed probe.
  }
  // Not reproducible row by row (e.g. a statement-level limit): blame the batch as a whole.
  const first = runs[0]?.lines[0];
  return rowError(context, original, first);
}
