import { SluiceError } from '../../errors.js';
import type { ColumnInfo, ForeignKey, TableInfo, TableRef } from '../dialect.js';
import type { PreparedStatements } from './mysql-client.js';

interface ColumnRow {
  tableSchema: string;
  tableName: string;
  name: string;
  columnType: string;
  nullable: string;
  dflt: string | null;
  extra: string;
  current: string | null;
}

// Aliased: MySQL 8 returns information_schema column names in upper case, MariaDB as written.
const COLUMNS = `SELECT TABLE_SCHEMA AS tableSchema, TABLE_NAME AS tableName, COLUMN_NAME AS name,
  COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra,
  DATABASE() AS current
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`;

// MariaDB's JSON is an alias: the column is LONGTEXT with a column-level CHECK (json_valid(`c`))
// named after it, which is how a JSON column is told from a plain LONGTEXT one.
const MARIADB_JSON_CHECKS = `SELECT CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? AND LEVEL = 'Column'`;

// Unique indexes, the primary key first; a prefix index (SUB_PART) does not make its column unique.
const UNIQUE_KEYS = `SELECT INDEX_NAME AS indexName, COLUMN_NAME AS name, SUB_PART AS subPart
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`;

/**
 * The table's insertable columns in declaration order, or undefined when it does not exist. The
 * schema is the one named (`db.table`) or the connection's current database. information_schema
 * compares names case-insensitively, so the rows are matched again here: exactly, unless the server
 * folds table names (lower_case_table_names 1 or 2). On MariaDB, a JSON column is reported with the
 * type `json`, as MySQL reports it.
 */
export async function describeMysqlTable(
  statements: PreparedStatements,
  ref: TableRef,
  foldsNames: boolean,
  mariadb = false,
): Promise<TableInfo | undefined> {
  const rows = await statements.run<ColumnRow[]>(COLUMNS, [ref.schema ?? null, ref.name]);
  const schema = ref.schema ?? rows[0]?.current ?? (await currentDatabase(statements));
  if (schema === null) {
    throw new SluiceError('BAD_USAGE', 'no database is selected on this connection', {
      hint: 'name one in the URL (mysql://host/dbname) or in the table (--table dbname.table)',
    });
  }
  const same = (a: string, b: string): boolean =>
    foldsNames ? a.toLowerCase() === b.toLowerCase() : a === b;
  const mine = rows.filter((r) => same(r.tableSchema, schema) && same(r.tableName, ref.name));
  if (mine.length === 0) return undefined;
  const json = mariadb
    ? await mariadbJsonColumns(statements, mine[0]!.tableSchema, mine[0]!.tableName)
    : undefined;
  const columns: ColumnInfo[] = mine
    // Generated columns take no values (MySQL writes "VIRTUAL GENERATED", MariaDB too since 10.2).
    .filter((r) => !/\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(r.extra))
    .map((r) => ({
      name: r.name,
      type: json?.has(r.name) ? 'json' : r.columnType.toLowerCase(),
      nullable: r.nullable === 'YES',
      // MariaDB shows a nullable column without a default as the text NULL (a string default
      // 'NULL' is shown quoted); MySQL shows SQL NULL.
      hasDefault: (r.dflt !== null && r.dflt !== 'NULL') || /auto_increment/i.test(r.extra),
    }));
  const keyRows = await statements.run<{ indexName: string; name: string; subPart: unknown }[]>(UNIQUE_KEYS, [
    mine[0]!.tableSchema,
    mine[0]!.tableName,
  ]);
  const keys = new Map<string, string[]>();
  const prefixed = new Set<string>();
  for (const r of keyRows) {
    if (r.subPart !== null) prefixed.add(r.indexName);
    keys.set(r.indexName, [...(keys.get(r.indexName) ?? []), r.name]);
  }
  const uniqueKeys = [...keys].filter(([name]) => !prefixed.has(name)).map(([, cols]) => cols);
  return { ref, columns, uniqueKeys };
}

async function mariadbJsonColumns(
  statements: PreparedStatements,
  schema: string,
  table: string,
): Promise<Set<string>> {
  const checks = await statements.run<{ name: string; clause: string }[]>(MARIADB_JSON_CHECKS, [
    schema,
    table,
  ]);
  const names = new Set<string>();
  for (const { name, clause } of checks) {
    if (clause === `json_valid(\`${name.replaceAll('`', '``')}\`)`) names.add(name);
  }
  return names;
}

async function currentDatabase(statements: PreparedStatements): Promise<string | null> {
  const rows = await statements.run<{ db: string | null }[]>('SELECT DATABASE() AS db', []);
  return rows[0]?.db ?? null;
}

const FOREIGN_KEYS = `SELECT CONSTRAINT_NAME AS name, COLUMN_NAME AS col,
  REFERENCED_TABLE_SCHEMA AS parentSchema, REFERENCED_TABLE_NAME AS parentName, REFERENCED_COLUMN_NAME AS parentCol
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION`;

/** The table's foreign keys, each with its parent table and the parent's columns. */
export async function mysqlForeignKeys(statements: PreparedStatements, ref: TableRef): Promise<ForeignKey[]> {
  const rows = await statements.run<
    { name: string; col: string; parentSchema: string; parentName: string; parentCol: string }[]
  >(FOREIGN_KEYS, [ref.schema ?? null, ref.name]);
  const keys = new Map<string, { columns: string[]; parent: TableRef; parentColumns: string[] }>();
  for (const r of rows) {
    const key = keys.get(r.name) ?? {
      columns: [],
      parent: { schema: r.parentSchema, name: r.parentName },
      parentColumns: [],
    };
    key.columns.push(r.col);
    key.parentColumns.push(r.parentCol);
    keys.set(r.name, key);
  }
  return [...keys.values()];
}
