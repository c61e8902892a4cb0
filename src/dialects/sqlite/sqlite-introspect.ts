import type { Database } from 'better-sqlite3';
import type { ColumnInfo, TableInfo, TableRef } from '../dialect.js';

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
  return { ref, columns };
}
