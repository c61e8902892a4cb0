import type { Session } from '../dialects/dialect.js';
import { sliceRun, type Run } from './runs.js';

const PROBE = 'sluice_probe';

export interface Failure {
  /** Index of the first row in the run the database refuses. */
  readonly index: number;
  readonly error: unknown;
}

/**
 * Finds the first row of a failed run by bisection, inside savepoints. The rows before it are
 * left applied, exactly as they would have been had the rows gone one by one, so a duplicate key
 * against an earlier row of the same batch is found at the right row. Cost: O(log n) statements
 * per bad row; it runs only after a failure.
 */
export async function locateFailure(
  session: Session,
  run: Run,
  write: (run: Run) => Promise<number>,
): Promise<Failure | undefined> {
  let start = 0;
  let end = run.rows.length;
  let found: Failure | undefined;
  while (end - start >= 1) {
    const mid = end - start === 1 ? end : start + Math.ceil((end - start) / 2);
    const error = await attempt(session, sliceRun(run, start, mid), write);
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

async function attempt(session: Session, run: Run, write: (run: Run) => Promise<number>): Promise<unknown> {
  await session.savepoint(PROBE);
  try {
    await write(run);
    await session.releaseSavepoint(PROBE);
    return undefined;
  } catch (error) {
    await session.rollbackToSavepoint(PROBE);
    await session.releaseSavepoint(PROBE);
    return error;
  }
}
