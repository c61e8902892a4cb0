import type { Session } from '../dialects/dialect.js';
import { locateFailure } from './locate-failure.js';
import { sliceRun, type Run } from './runs.js';

const ATTEMPT = 'sluice_attempt';

/**
 * Writes a run in skip mode: when the database refuses it, the first bad row is found (from the
 * row the error names when `blame` can read one, else by bisection), rejected, and the rest of the
 * run is tried again. Good rows are written exactly once in the end; rejected rows never. Cost per
 * bad row: one rollback plus O(log n) attempts when bisecting, one attempt when the database names
 * the row. Resolves to the number of rows written.
 */
export async function writeSkippingBadRows(
  session: Session,
  run: Run,
  write: (run: Run) => Promise<number>,
  reject: (run: Run, index: number, error: unknown) => void,
  blame?: (error: unknown) => number | undefined,
): Promise<number> {
  let rest = run;
  let written = 0;
  while (rest.rows.length > 0) {
    await session.savepoint(ATTEMPT);
    try {
      await write(rest);
      await session.releaseSavepoint(ATTEMPT);
      return written + rest.rows.length;
    } catch (error) {
      await session.rollbackToSavepoint(ATTEMPT);
      await session.releaseSavepoint(ATTEMPT);
      let index = blame?.(error);
      let cause: unknown = error;
      if (index !== undefined && index >= 0 && index < rest.rows.length) {
        // The database stops at the first row it refuses: the rows before it are good.
        if (index > 0)
          written += await writeSkippingBadRows(session, sliceRun(rest, 0, index), write, reject, blame);
      } else {
        const failure = await locateFailure(session, rest, write);
        if (failure === undefined) return written + rest.rows.length; // went through on retry
        index = failure.index;
        cause = failure.error;
        written += index;
      }
      reject(rest, index, cause);
      rest = sliceRun(rest, index + 1, rest.rows.length);
    }
  }
  return written;
}
