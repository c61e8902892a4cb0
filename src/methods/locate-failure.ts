import type { RowCounts } from '../dialects/dialect.js';
import { sliceRun, type Run } from './runs.js';
import type { LoadTransaction } from './transaction.js';

export interface Failure {
  /** Index of the first row in the run the database refuses. */
  readonly index: number;
  readonly error: unknown;
}

/** How the bisection counts and cuts what it searches: JS rows (a Run), or rows held as bytes. */
export interface Slicing<R> {
  rows(run: R): number;
  slice(run: R, start: number, end: number): R;
}

const RUNS: Slicing<Run> = { rows: (run) => run.rows.length, slice: sliceRun };

/**
 * Finds the first row of a failed run by bisection, inside savepoints. The rows before it are
 * left applied, exactly as they would have been had the rows gone one by one, so a duplicate key
 * against an earlier row of the same batch is found at the right row. Cost: O(log n) statements
 * per bad row; it runs only after a failure. The one bisection of sluice: statements, encoded
 * copies and LOAD DATA all come here.
 */
export async function locateFailure<R = Run>(
  tx: LoadTransaction,
  run: R,
  write: (run: R) => Promise<RowCounts>,
  /** Given what each write left applied (an upsert's counts are not its row count). */
  tally?: (counts: RowCounts) => void,
  slicing: Slicing<R> = RUNS as unknown as Slicing<R>,
): Promise<Failure | undefined> {
  let start = 0;
  let end = slicing.rows(run);
  let found: Failure | undefined;
  while (end - start >= 1) {
    const mid = end - start === 1 ? end : start + Math.ceil((end - start) / 2);
    const slice = slicing.slice(run, start, mid);
    const error = await tx.attempt(async () => {
      const counts = await write(slice);
      tally?.(counts);
    });
    if (error === undefined) {
      if (mid === end) return found;
      start = mid;
    } else {
      if (mid - start === 1) return { index: start, error };
      found = { index: start, error };
      end = mid;
    }
  }
  return found;
}
