import type { Session, TableRef } from '../dialects/dialect.js';
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
    const merge = (gens: boolean): string =>
      sql.mergeStagedCounted?.(ref, STAGING, columns, conflict, gens) ??
      `${sql.countStagedExisting(ref, STAGING, conflict.key, gens)};\n${sql.mergeStaged(ref, STAGING, columns, conflict, gens)}`;
    return [
      ...sql.createStaging(STAGING, ref, columns).map((s) => `${s};`),
      plan.rawCopy ? '-- the whole file:' : '-- per batch:',
      ...(plan.rawCopy ? [] : [`${sql.clearStaging(STAGING)};`]),
      `${session.bulk.statement({ name: STAGING }, columns, plan.rawCopy)};`,
      ...(sql.mergeStagedCounted !== undefined && conflict.action === 'update'
        ? ['-- tried as one statement; refused when a key repeats, then per generation (below)']
        : [`${sql.countStagedDuplicates(STAGING, conflict.key)};`, '-- no key repeats:']),
      `${merge(false)};`,
      '-- a key repeats: per generation of keys (1: first occurrences, 2: second ones, ...):',
      `${sql.stagedGenerations(STAGING, conflict.key)};`,
      `${merge(true)};`,
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
