import type { LoadMethod } from './method.js';
import type { Run } from './runs.js';
import { driveStatements } from './statement-driver.js';

/**
 * values: multi-row INSERT statements of `plan.rowsPerStatement` rows (the guide's Core
 * insert().values(list)). Full statements share one SQL text, so the database parses it once.
 */
export const valuesMethod: LoadMethod = (context, chunks) => {
  const { session, ref, plan } = context;
  const write = async (run: Run): Promise<number> => {
    const width = run.columns.length;
    let changes = 0;
    for (let start = 0; start < run.rows.length; start += plan.rowsPerStatement) {
      const end = Math.min(run.rows.length, start + plan.rowsPerStatement);
      const params: unknown[] = new Array<unknown>((end - start) * width);
      let p = 0;
      for (let r = start; r < end; r++) {
        const row = run.rows[r]!;
        for (let c = 0; c < width; c++) params[p++] = row[c];
      }
      changes += await session.execute(session.sql.insert(ref, run.columns, end - start), params);
    }
    return changes;
  };
  return driveStatements(context, chunks, write);
};
