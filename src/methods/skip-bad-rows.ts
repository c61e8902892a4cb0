import type { RowCounts } from '../dialects/dialect.js';
import { locateFailure } from './locate-failure.js';
import { addCounts, inserted } from './method.js';
import { sliceRun, type Run } from './runs.js';
import type { LoadTransaction } from './transaction.js';

/**
 * Writes a run in skip mode: when the database refuses it, the first bad row is found (from the
 * row the error names when `blame` can read one, else by bisection), rejected, and the rest of the
 * run is tried again. Good rows are written exactly once in the end; rejected rows never. Cost per
 * bad row: one rollback plus O(log n) attempts when bisecting, one attempt when the database names
 * the row. Resolves to what was written.
 */
export async function writeSkippingBadRows(
  tx: LoadTransaction,
  run: Run,
  write: (run: Run) => Promise<RowCounts>,
  reject: (run: Run, index: number, error: unknown) => void,
  blame?: (error: unknown) => number | undefined,
): Promise<RowCounts> {
  let rest = run;
  let written = inserted(0);
  while (rest.rows.length > 0) {
    let counts: RowCounts | undefined;
    const current = rest;
    const error = await tx.attempt(async () => {
      counts = await write(current);
    });
    if (error === undefined) return addCounts(written, counts!);
    let index = blame?.(error);
    let cause: unknown = error;
    if (index !== undefined && index >= 0 && index < rest.rows.length) {
      // The database stops at the first row it refuses: the rows before it are good.
      if (index > 0)
        written = addCounts(
          written,
          await writeSkippingBadRows(tx, sliceRun(rest, 0, index), write, reject, blame),
        );
    } else {
      let applied = inserted(0);
      const failure = await locateFailure(tx, rest, write, (c) => (applied = addCounts(applied, c)));
      written = addCounts(written, applied);
      if (failure === undefined) return written; // went through on retry
      index = failure.index;
      cause = failure.error;
    }
    reject(rest, index, cause);
    rest = sliceRun(rest, index + 1, rest.rows.length);
  }
  return written;
}
