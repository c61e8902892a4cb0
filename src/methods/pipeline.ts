import { inserted, type LoadMethod } from './method.js';
import type { Run } from './runs.js';
import { driveStatements } from './statement-driver.js';
import { upsertPipeline } from './upsert.js';

/**
 * pipeline: one prepared single-row INSERT executed for every row (the guide's executemany). How
 * the executions travel is the driver's business: pipelined Bind/Execute on PostgreSQL, the batch
 * protocol on MySQL, a reused statement inside the transaction on SQLite. A batch (--batch-size)
 * is one pipelined round (one Sync on PostgreSQL) inside one savepoint.
 */
export const pipelineMethod: LoadMethod = (context, chunks) => {
  const { session, ref } = context;
  const write = async (run: Run) =>
    context.plan.conflict !== undefined
      ? upsertPipeline(context, run)
      : inserted(await session.executeMany(session.sql.insert(ref, run.columns, 1), run.rows));
  return driveStatements(context, chunks, write);
};
