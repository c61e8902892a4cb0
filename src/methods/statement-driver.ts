import type { RowCounts } from '../dialects/dialect.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import { locateFailure } from './locate-failure.js';
import { writeSkippingBadRows } from './skip-bad-rows.js';
import {
  addCounts,
  inserted,
  lastPosition,
  rowError,
  subtractCounts,
  type MethodContext,
  type MethodResult,
} from './method.js';
import { rechunk, sliceRun, splitRuns, type Run } from './runs.js';
import { TransactionLost } from './transaction.js';
import { SluiceError } from '../errors.js';

/**
 * The loop shared by the batch methods (values, pipeline, and copy when each batch is its own bulk
 * statement): pull a batch of `plan.batchSize` rows, cut short where a commit point falls, write
 * its runs inside a savepoint, and hand the count to the transaction, which commits at exactly
 * every N rows. When the database refuses a batch, its savepoint is rolled back and the batch is
 * bisected to name the first row it refuses; in skip mode that row is rejected and the rest goes.
 *
 * Where a failed statement is undone on its own and the transaction goes on
 * (`capabilities.survivesStatementError`) and the method says how many rows one statement of
 * `write` takes (`statementRows`), batches are written without a savepoint: a savepoint there only
 * makes the database journal every page the batch touches a second time (SQLite: 10% of a load).
 */
export async function driveStatements(
  context: MethodContext,
  chunks: AsyncIterable<MappedChunk>,
  write: (run: Run) => Promise<RowCounts>,
  /** Reads the index of the refused row from a database error, when the database says it. */
  blame?: (run: Run, error: unknown) => number | undefined,
  /** Rows per statement of `write` (each call with at most this many rows is one statement). */
  statementRows?: number,
): Promise<MethodResult> {
  const { session, plan, tx } = context;
  const after = context.afterWrite;
  if (after !== undefined) {
    const plain = write;
    write = async (run) => {
      const counts = await plain(run);
      await after(run);
      return counts;
    };
  }
  const unguarded = statementRows !== undefined && session.capabilities.survivesStatementError === true;
  let counts = inserted(0);
  for await (const chunk of rechunk(chunks, () => Math.min(plan.batchSize, tx.room()))) {
    const runs = splitRuns(chunk, context.columns);
    // The batch's rows are held until it is written: a transaction the database rolled back whole
    // is replayed from them (skip mode's rejects are already written out: not replayed).
    const before = counts;
    if (context.onError === 'skip') {
      const written = await tx.replaying(async () => {
        let done = inserted(0);
        for (const run of runs) {
          done = addCounts(
            done,
            await writeSkippingBadRows(tx, run, write, context.reject, blame && ((e) => blame(run, e))),
          );
        }
        return done;
      }, false);
      counts = addCounts(counts, written);
    } else if (unguarded) {
      for (const run of runs)
        counts = addCounts(counts, await writeStatements(context, run, write, statementRows!, blame));
    } else {
      const written = await tx.replaying(async () => {
        let done = inserted(0);
        try {
          await tx.savepoint(async () => {
            for (const run of runs) done = addCounts(done, await write(run));
          });
        } catch (error) {
          if (error instanceof TransactionLost) throw error;
          throw await explainFailure(context, runs, write, error, blame);
        }
        return done;
      });
      counts = addCounts(counts, written);
    }
    context.onRows(chunk.rows.length, lastPosition(chunk));
    // Rejected rows count towards the commit point too: it is a place in the source.
    await tx.wrote(chunk.rows.length, lastPosition(chunk), subtractCounts(counts, before));
  }
  return { counts };
}

/**
 * Writes a run one statement at a time without a savepoint. When a statement fails, the database
 * has undone that statement alone and the ones before it stay applied: exactly the state the
 * bisection of its rows expects.
 */
async function writeStatements(
  context: MethodContext,
  run: Run,
  write: (run: Run) => Promise<RowCounts>,
  statementRows: number,
  blame: ((run: Run, error: unknown) => number | undefined) | undefined,
): Promise<RowCounts> {
  let counts = inserted(0);
  for (let start = 0; start < run.rows.length; start += statementRows) {
    const end = Math.min(run.rows.length, start + statementRows);
    const piece = start === 0 && end === run.rows.length ? run : sliceRun(run, start, end);
    try {
      counts = addCounts(counts, await write(piece));
    } catch (error) {
      throw await explainFailure(context, [piece], write, error, blame);
    }
  }
  return counts;
}

/** Re-runs a failed batch run by run, then row range by row range, to find the row to blame. */
async function explainFailure(
  context: MethodContext,
  runs: readonly Run[],
  write: (run: Run) => Promise<RowCounts>,
  original: unknown,
  blame: ((run: Run, error: unknown) => number | undefined) | undefined,
): Promise<Error> {
  // A lock race retried to its bound is not about a row.
  if (original instanceof SluiceError && original.code === 'DEADLOCK') return original;
  if (runs.length === 1 && blame !== undefined) {
    const index = blame(runs[0]!, original);
    if (index !== undefined) return rowError(context, original, runs[0]!.lines[index]);
  }
  try {
    for (const run of runs) {
      const failure = await locateFailure(context.tx, run, write);
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
