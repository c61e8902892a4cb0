import type { DeferrableConstraints, DeferredDefinition, TableRef } from '../dialect.js';

type Select = (sql: string, params?: readonly unknown[]) => Promise<readonly (readonly unknown[])[]>;

/**
 * --defer-constraints on SQLite: the indexes made by CREATE INDEX are dropped after BEGIN and
 * created again from their own SQL text (sqlite_master keeps it as written) before COMMIT; DDL is
 * transactional, so a duplicate found by a unique index's rebuild rolls everything back. The
 * PRIMARY KEY and UNIQUE constraints of the table definition are part of the table itself (SQLite
 * cannot drop them without rebuilding the table) and foreign keys are checked row by row however
 * they are declared (PRAGMA defer_foreign_keys moves the verdict to COMMIT, not the work): both stay.
 */
export function sqliteConstraints(select: Select): DeferrableConstraints {
  return {
    how: [
      "the indexes made by CREATE INDEX are dropped after BEGIN and created again from their own SQL before COMMIT, in the load's one transaction: a duplicate found by a unique index's rebuild rolls back the rows and leaves every index as it was",
      'the PRIMARY KEY and UNIQUE constraints written in the table definition are part of the table (SQLite cannot drop them without rebuilding it) and foreign keys are checked row by row in any case: both stay as they are',
      'other connections cannot write to the database until COMMIT, as in any SQLite load',
      'it pays when the table is empty or small beside the input: each index is then built once, sorted, instead of updated row by row',
    ],
    plan: async (ref: TableRef) => {
      if (ref.schema !== undefined && ref.schema !== 'main')
        return {
          refused: `only tables of the main database are rebuilt (${ref.schema}.${ref.name} is in an attached one)`,
        };
      const indexes = (await select(
        `SELECT l.name, l.origin, m.sql
           FROM pragma_index_list(?) AS l
           LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = l.name
          ORDER BY l.name`,
        [ref.name],
      )) as [string, string, string | null][];
      const deferred: DeferredDefinition[] = [];
      const kept: string[] = [];
      const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
      for (const [name, origin, sql] of indexes) {
        if (origin !== 'c' || sql === null) {
          kept.push(
            `${origin === 'pk' ? 'the primary key' : `unique constraint ${name}`}: part of the table definition`,
          );
          continue;
        }
        deferred.push({ kind: 'index', name, table: quote(ref.name), definition: sql });
      }
      const [[hasKeys]] = (await select('SELECT count(*) FROM pragma_foreign_key_list(?)', [ref.name])) as [
        [number],
      ];
      if (hasKeys > 0) kept.push('foreign keys: SQLite checks them row by row however they are declared');
      const [[any]] = (await select(`SELECT EXISTS (SELECT 1 FROM ${quote(ref.name)})`)) as [[number]];
      return {
        deferred,
        kept,
        lock: undefined,
        drop: deferred.map((d) => `DROP INDEX ${quote(d.name)}`),
        settings: [],
        rebuild: deferred.map((d) => ({ sql: d.definition, name: `index ${d.name}` })),
        fingerprint: deferred.map((d) => `${d.name} ${d.definition}`).sort(),
        existingRows: any === 0 ? 0 : undefined,
      };
    },
  };
}
