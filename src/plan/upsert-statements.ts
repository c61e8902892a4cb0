import { GENERATION_COLUMN, type Session, type TableRef } from '../dialects/dialect.js';
import type { Plan } from './plan.js';

const STAGING = 'sluice_staging';

/**
 * What an upsert sends, for explain (no values): the staging plan on the bulk path, else the
 * statement with its conflict clause, each preceded by the count of the keys already present.
 */
export function upsertStatements(
  session: Session,
  ref: TableRef,
  columns: readonly string[],
  plan: Plan,
): string {
  const { sql } = session;
  const conflict = plan.conflict!;
  if (plan.method === 'copy' && session.bulk !== undefined) {
    const analyze = sql.analyzeStaging(STAGING);
    return [
      `${sql.createStaging(STAGING, ref, columns)};`,
      '-- per batch:',
      `DELETE FROM ${sql.quoteIdent(STAGING)};`,
      `${session.bulk.statement({ name: STAGING }, [...columns, GENERATION_COLUMN], false)};`,
      ...(analyze === undefined ? [] : [`${analyze};`]),
      '-- per generation of keys in the batch (1: first occurrences, 2: second ones, ...):',
      `${sql.countStagedExisting(ref, STAGING, conflict.key)};`,
      `${sql.mergeStaged(ref, STAGING, columns, conflict)};`,
      '-- at the end:',
      `${sql.dropStaging(STAGING)};`,
    ].join('\n');
  }
  const rows = plan.rowsPerStatement;
  const count = sql.countExisting(ref, conflict.key, 1);
  const upsert = sql.upsert(ref, columns, 1, conflict);
  return rows > 1
    ? `${count}; -- with the keys of the statement's rows\n${upsert} -- x ${rows} rows per statement`
    : `${count};\n${upsert}`;
}
