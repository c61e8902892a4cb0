import type { Database } from 'better-sqlite3';
import type { ColumnInfo, ForeignKey, TableInfo, TableRef } from '../dialect.js';

interface PragmaColumn {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

/** The table's columns in declaration order, or undefined when it does not exist. */
export function describeSqliteTable(db: Database, ref: TableRef): TableInfo | undefined {
  // The table name is bound as a value: table_xinfo accepts it as an argument, no quoting needed.
  const rows = db
    .prepare('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, ?)')
    .all(ref.name, ref.schema ?? 'main') as PragmaColumn[];
  if (rows.length === 0) return undefined;
  const pkColumns = rows.filter((r) => r.pk > 0).length;
  const columns: ColumnInfo[] = rows
    .filter((r) => r.hidden === 0)
    .map((r) => ({
      name: r.name,
      type: r.type.toLowerCase(),
      nullable: r.notnull === 0,
      // A lone INTEGER PRIMARY KEY is the rowid: SQLite fills it when the value is missing.
      hasDefault:
        r.dflt_value !== null || (r.pk > 0 && pkColumns === 1 && r.type.toUpperCase() === 'INTEGER'),
    }));
  return { ref, columns, uniqueKeys: sqliteUniqueKeys(db, ref, rows) };
}

/**
 * The primary key, then each unique index on plain columns (not partial, no expressions): the
 * column sets an ON CONFLICT target can name.
 */
function sqliteUniqueKeys(db: Database, ref: TableRef, rows: readonly PragmaColumn[]): string[][] {
  const schema = ref.schema ?? 'main';
  const keys: string[][] = [];
  const pk = rows.filter((r) => r.pk > 0).sort((a, b) => a.pk - b.pk);
  if (pk.length > 0) keys.push(pk.map((r) => r.name));
  const indexes = db
    .prepare('SELECT name, "unique", origin, partial FROM pragma_index_list(?, ?)')
    .all(ref.name, schema) as { name: string; unique: number; origin: string; partial: number }[];
  for (const index of indexes) {
    if (index.unique !== 1 || index.partial !== 0 || index.origin === 'pk') continue;
    const cols = db
      .prepare('SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno')
      .all(index.name, schema) as { name: string | null }[];
    if (cols.some((c) => c.name === null)) continue;
    keys.push(cols.map((c) => c.name!));
  }
  return keys;
}

/** The table's foreign keys; a key naming no parent columns refers to the parent's primary key. */
export function sqliteForeignKeys(db: Database, ref: TableRef): ForeignKey[] {
  const schema = ref.schema ?? 'main';
  const rows = db
    .prepare(
      'SELECT id, seq, "table" AS parent, "from" AS col, "to" AS ref FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq',
    )
    .all(ref.name, schema) as { id: number; parent: string; col: string; ref: string | null }[];
  const keys = new Map<number, { columns: string[]; parent: string; parentColumns: (string | null)[] }>();
  for (const r of rows) {
    const key = keys.get(r.id) ?? { columns: [], parent: r.parent, parentColumns: [] };
    key.columns.push(r.col);
    key.parentColumns.push(r.ref);
    keys.set(r.id, key);
  }
  return [...keys.values()].map((k) => {
    const parent: TableRef = { schema: ref.schema, name: k.parent };
    const parentColumns = k.parentColumns.every((c) => c !== null)
      ? (k.parentColumns as string[])
      : (describeSqliteTable(db, parent)?.uniqueKeys?.[0] ?? []);
    return { columns: k.columns, parent, parentColumns };
  });
}
