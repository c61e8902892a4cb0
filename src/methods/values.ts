import type { LoadMethod } from './method.js';
import type { Run } from './runs.js';
import { driveStatements } from './statement-driver.js';

/**
 * values: multi-row INSERT statements of `plan.rowsPerStatement` rows (the guide's Core
 * insert().values(list)). Full statements share one SQL text, so the database parses it once.
 */
export const valuesMethod: LoadMethod = (context, chunks) => {
  const { session, ref, plan } = context;
  // The INSERT text for each (shape, row count): built once, not once per statement. Bounded, as
  // rows of objects can come in many shapes.
  const texts = new Map<string, string>();
  const insertFor = (run: Run, rows: number): string => {
    const key = `${rows}:${run.key}`;
    let sql = texts.get(key);
    if (sql === undefined) {
      sql = session.sql.insert(ref, run.columns, rows);
      if (texts.size >= 64) texts.clear();
      texts.set(key, sql);
    }
    return sql;
  };
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
      changes += await session.execute(insertFor(run, end - start), params);
    }
    return changes;
  };
  return driveStatements(context, chunks, write);
};
