import { rowError, type LoadMethod } from './method.js';
import { splitRuns } from './runs.js';

/**
 * row: one INSERT per row, each committing on its own: the guide's `session.add()` in a loop, kept
 * as the baseline every other rung is measured against. A failure keeps the rows before it.
 */
export const rowMethod: LoadMethod = async (context, chunks) => {
  const { session, ref } = context;
  let loaded = 0;
  for await (const chunk of chunks) {
    for (const run of splitRuns(chunk, context.columns)) {
      const sql = session.sql.insert(ref, run.columns, 1);
      for (let i = 0; i < run.rows.length; i++) {
        try {
          await session.execute(sql, run.rows[i]);
        } catch (error) {
          if (context.onError === 'abort') throw rowError(context, error, run.lines[i]);
          context.reject(run, i, error);
          continue;
        }
        loaded++;
        context.onCommit(1);
      }
    }
    context.onBatch(chunk.rows.length);
  }
  return { rowsLoaded: loaded };
};
