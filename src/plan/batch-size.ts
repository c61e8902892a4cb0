import type { Capabilities } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { MethodName } from './plan.js';

/**
 * Rows per multi-row INSERT: as many as the bind-parameter limit allows, capped at a size past
 * which bigger statements stop paying off (parse time grows, the gain in round trips does not).
 * An explicit --batch-size above the limit is refused rather than silently split differently.
 */
// In-process (SQLite), measured on 1M rows: 500 rows per statement loads ~14% faster than 100
// (fewer statement executions; each page a statement touches is journaled once per statement).
export const IN_PROCESS_ROWS_PER_STATEMENT = 500;
export const SERVER_ROWS_PER_STATEMENT = 1000;

export function rowsPerStatement(
  capabilities: Capabilities,
  columns: number,
  requested: number | undefined,
  reasons: string[],
): number {
  const limit = Math.max(1, Math.floor(capabilities.maxBindParams / Math.max(1, columns)));
  if (requested !== undefined) {
    if (requested > limit) {
      throw new SluiceError(
        'BAD_USAGE',
        `--batch-size ${requested} needs ${requested * columns} bind parameters per statement; this database takes at most ${capabilities.maxBindParams}`,
        { hint: `use --batch-size ${limit} or less` },
      );
    }
    reasons.push(`${requested} rows per INSERT (--batch-size)`);
    return requested;
  }
  const preferred = capabilities.inProcess ? IN_PROCESS_ROWS_PER_STATEMENT : SERVER_ROWS_PER_STATEMENT;
  const rows = Math.min(limit, preferred);
  reasons.push(
    `${rows} rows per INSERT: ${columns} columns x ${rows} = ${columns * rows} parameters (limit ${capabilities.maxBindParams})`,
  );
  if (capabilities.maxStatementBytes !== undefined)
    reasons.push(
      `fewer when the rows would pass ${capabilities.maxStatementBytes} bytes, the server's statement size limit`,
    );
  return rows;
}

/** Rows pulled from the source per batch: the unit of savepoints, progress and commit-every. */
export function batchSizeFor(
  method: MethodName,
  capabilities: Capabilities,
  perStatement: number,
  requested: number | undefined,
  reasons: string[],
  skipping = false,
): number {
  if (method === 'row') return 1;
  if (requested !== undefined && method === 'copy') {
    reasons.push(`${requested} rows per ${capabilities.copy ?? 'bulk'} statement (--batch-size)`);
    return requested;
  }
  // In-process (SQLite): one statement per batch. Any savepoint around a batch (skip mode's, or
  // the batch's own where a failed statement would abort the transaction) then covers what the
  // statement's own journal covers, instead of journaling every page the batch touches again
  // (measured: 1M rows 30% faster than 2000-row batches with a savepoint each).
  if (method === 'values' && capabilities.inProcess) return perStatement;
  if (method === 'values') return perStatement * Math.max(1, Math.floor(2_000 / perStatement));
  if (requested !== undefined) {
    reasons.push(`${requested} rows per pipelined batch, one savepoint each (--batch-size)`);
    return requested;
  }
  // In skip mode a refused copy batch is sent again without its bad row: smaller batches bound
  // what one bad row costs, and it is held as JS rows (50,000 of them peaked at 421 MB). Where
  // each batch is a bulk statement held until the database's verdict (LOAD DATA) in abort mode,
  // it is held as its encoded bytes (methods/encoded-batches.ts): 50,000 rows are ~3 MB, and
  // fewer statements mean fewer round trips the server waits through.
  if (method === 'copy') return skipping ? 10_000 : 50_000;
  return capabilities.inProcess ? 10_000 : 5_000;
}
