import { addCounts, inserted, rowError, type LoadMethod } from './method.js';
import { upsertRow } from './upsert.js';
import { splitRuns } from './runs.js';

/**
 * row: one INSERT per row, each committing on its own: the guide's `session.add()` in a loop, kept
 * as the baseline every other rung is measured against. A failure keeps the rows before it. The
 * transaction owner decides how a statement commits on its own (see LoadTransaction.autocommit).
 */
export const rowMethod: LoadMethod = async (context, chunks) => {
  const { session, ref, tx } = context;
  let counts = inserted(0);
  for await (const chunk of chunks) {
    for (const run of splitRuns(chunk, context.columns)) {
      const sql = session.sql.insert(ref, run.columns, 1);
      for (let i = 0; i < run.rows.length; i++) {
        const last = { ordinal: run.ordinals[i]!, end: run.ends[i]! };
        try {
          if (context.plan.conflict !== undefined) {
            const one = await tx.autocommit(
              1,
              () => upsertRow(context, run, i),
              last,
              (c) => c,
            );
            counts = addCounts(counts, one);
          } else {
            await tx.autocommit(1, () => session.execute(sql, run.rows[i]), last);
            counts = addCounts(counts, inserted(1));
          }
        } catch (error) {
          if (context.onError === 'abort') throw rowError(context, error, run.lines[i]);
          context.reject(run, i, error);
          context.onRows(1, last);
          continue;
        }
        context.onRows(1, last);
      }
    }
  }
  return { counts };
};
