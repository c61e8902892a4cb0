import { inserted, type LoadMethod } from './method.js';
import type { Run } from './runs.js';
import { rowBytes, statementEnd } from './statement-size.js';
import { driveStatements } from './statement-driver.js';
import { upsertValues } from './upsert.js';

/**
 * values: multi-row INSERT statements of `plan.rowsPerStatement` rows (the guide's Core
 * insert().values(list)). Full statements share one SQL text, so the database parses it once.
 * Where the server caps a statement's size (capabilities.maxStatementBytes: MySQL's
 * max_allowed_packet), a statement also ends before its parameters would pass the cap.
 */
export const valuesMethod: LoadMethod = (context, chunks) => {
  const { session, ref, plan } = context;
  const maxBytes = session.capabilities.maxStatementBytes;
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
  const write = async (run: Run) => {
    if (plan.conflict !== undefined) return upsertValues(context, run);
    const width = run.columns.length;
    let changes = 0;
    for (let start = 0; start < run.rows.length;) {
      const end = statementEnd(run.rows, start, plan.rowsPerStatement, maxBytes);
      if (maxBytes !== undefined && end === start + 1 && rowBytes(run.rows[start]!) > maxBytes) {
        // Sent anyway, the server would drop the connection along with the transaction.
        throw new Error(
          `the row takes ${rowBytes(run.rows[start]!)} bytes; the server accepts statements of at most ${maxBytes} (raise max_allowed_packet, or use --method copy)`,
        );
      }
      const params: unknown[] = new Array<unknown>((end - start) * width);
      let p = 0;
      for (let r = start; r < end; r++) {
        const row = run.rows[r]!;
        for (let c = 0; c < width; c++) params[p++] = row[c];
      }
      const stored = await session.execute(insertFor(run, end - start), params);
      // Rows sent are rows stored, or the batch fails and the bisection names the row that went.
      if (stored !== end - start)
        throw new Error(`the database stored ${stored} of the ${end - start} rows sent`);
      changes += stored;
      start = end;
    }
    return inserted(changes);
  };
  return driveStatements(context, chunks, write, undefined, plan.rowsPerStatement);
};
