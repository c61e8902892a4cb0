import type { TableRef } from '../dialects/dialect.js';
import type { CheckConstraint, CheckSql, ForeignKey, ScratchSql } from './scratch-sql.js';

// Every foreign key column of the table, in key order; grouped by constraint below.
const FOREIGN_KEY_COLUMNS = `
SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
       k.REFERENCED_COLUMN_NAME
  FROM information_schema.KEY_COLUMN_USAGE k
 WHERE k.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND k.TABLE_NAME = ?
   AND k.REFERENCED_TABLE_NAME IS NOT NULL
 ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION`;

async function foreignKeys(
  session: Parameters<ScratchSql['foreignKeys']>[0],
  table: TableRef,
): Promise<ForeignKey[]> {
  const rows = await session.select(FOREIGN_KEY_COLUMNS, [table.schema ?? null, table.name]);
  const keys = new Map<string, { columns: string[]; parent: TableRef; parentColumns: string[] }>();
  for (const [constraint, column, schema, parent, parentColumn] of rows) {
    const name = String(constraint);
    let key = keys.get(name);
    if (key === undefined) {
      key = { columns: [], parent: { schema: String(schema), name: String(parent) }, parentColumns: [] };
      keys.set(name, key);
    }
    key.columns.push(String(column));
    key.parentColumns.push(String(parentColumn));
  }
  return [...keys.values()];
}

// MariaDB's CHECK_CONSTRAINTS names the table (MySQL 8's does not: there the names are unique in
// the schema and TABLE_CONSTRAINTS says whose they are).
const MARIADB_CHECKS = `
SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
 WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?
 ORDER BY CONSTRAINT_NAME`;
const MYSQL_CHECKS = `
SELECT c.CONSTRAINT_NAME, c.CHECK_CLAUSE
  FROM information_schema.CHECK_CONSTRAINTS c
  JOIN information_schema.TABLE_CONSTRAINTS t
    ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME
 WHERE t.CONSTRAINT_TYPE = 'CHECK' AND t.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND t.TABLE_NAME = ?
 ORDER BY c.CONSTRAINT_NAME`;

const mysqlChecks: CheckSql = {
  async read(session, table): Promise<CheckConstraint[]> {
    const params = [table.schema ?? null, table.name];
    const rows = await session
      .select(MARIADB_CHECKS, params)
      .catch(() => session.select(MYSQL_CHECKS, params));
    const info = await session.describeTable(table);
    const columns = info?.columns.map((c) => c.name) ?? [];
    return rows.map(([name, clause]) => {
      // The server prints every column of the clause in backquotes: `age` between 18 and 120.
      const named = new Set(
        [...String(clause).matchAll(/`((?:[^`]|``)*)`/g)].map((m) => m[1]!.replaceAll('``', '`')),
      );
      return {
        name: String(name),
        definition: String(clause),
        columns: columns.filter((c) => named.has(c)),
      };
    });
  },
  add: ({ sql }, table, check) =>
    `ALTER TABLE ${sql.table(table)} ADD CONSTRAINT ${sql.quoteIdent(check.name)} CHECK (${check.definition})`,
  // MariaDB: CONSTRAINT `age` failed for `db`.`t`; MySQL 8: Check constraint 'c' is violated.
  violated: (message) => {
    const found =
      /CONSTRAINT `((?:[^`]|``)*)` failed/.exec(message) ??
      /Check constraint '((?:[^']|'')*)' is violated/.exec(message);
    return found?.[1]!.replaceAll('``', '`').replaceAll("''", "'");
  },
  textOf: ({ sql }, column) => `CAST(${sql.quoteIdent(column)} AS CHAR)`,
};

export const mysqlScratch: ScratchSql = {
  versionQuery: 'SELECT version()',
  rolesTable: ({ sql }, roles) =>
    `CREATE TABLE ${sql.table(roles)} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE) ENGINE=InnoDB`,
  usersTable: ({ sql }, users, roles) =>
    `CREATE TABLE ${sql.table(users)} (
  id INT AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(100) NOT NULL UNIQUE,
  email VARCHAR(255),
  created_at DATETIME,
  role_id INT,
  FOREIGN KEY (role_id) REFERENCES ${sql.table(roles)} (id)
) ENGINE=InnoDB`,
  // CREATE TABLE ... LIKE copies columns, AUTO_INCREMENT (its own counter), indexes and checks, but
  // no foreign keys: those are added as the source declares them, names left to the server.
  async copyStructure(session, source, scratch) {
    const { sql } = session;
    const statements = [`CREATE TABLE ${sql.table(scratch)} LIKE ${sql.table(source)}`];
    await session.execute(statements[0]!);
    for (const key of await foreignKeys(session, source)) {
      const columns = key.columns.map((c) => sql.quoteIdent(c)).join(', ');
      const parentColumns = key.parentColumns.map((c) => sql.quoteIdent(c)).join(', ');
      statements.push(
        `ALTER TABLE ${sql.table(scratch)} ADD FOREIGN KEY (${columns}) REFERENCES ${sql.table(key.parent)} (${parentColumns})`,
      );
      await session.execute(statements.at(-1)!);
    }
    return statements;
  },
  foreignKeys,
  async cancelOthers(session, tag) {
    const rows = await session.select(
      'SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ?',
      [`%sluice_bench_${tag}_%`],
    );
    // KILL takes no parameter; the id is a number the server just gave.
    for (const [id] of rows) await session.execute(`KILL QUERY ${Number(id)}`).catch(() => undefined);
  },
  dropTable: ({ sql }, table) => `DROP TABLE IF EXISTS ${sql.table(table)}`,
  checks: mysqlChecks,
};
