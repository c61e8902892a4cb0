import type { Conflict, LogicalType, TableRef } from '../dialect.js';
import { SharedSqlBuilder, quoteWith } from '../shared-sql.js';

const TYPES: Record<LogicalType, string> = {
  integer: 'INTEGER',
  real: 'REAL',
  // SQLite's numbers are 64-bit integers and doubles: an exact decimal stays its literal, as TEXT
  // (which the decimal extension's functions read). NUMERIC affinity would make it a REAL.
  decimal: 'TEXT',
  boolean: 'INTEGER',
  // Dates stay ISO-8601 text: SQLite has no date type and its date functions read that form.
  date: 'TEXT',
  timestamp: 'TEXT',
  timestamptz: 'TEXT',
  json: 'TEXT',
  text: 'TEXT',
  bytes: 'BLOB',
};

export class SqliteSqlBuilder extends SharedSqlBuilder {
  quoteIdent(name: string): string {
    return quoteWith(name, '"');
  }
  placeholder(): string {
    return '?';
  }
  typeName(type: LogicalType): string {
    return TYPES[type];
  }
  /**
   * ON CONFLICT on exactly the key; DO UPDATE only where a value differs (IS NOT: NULLs equal),
   * so an unchanged row is not rewritten. sluice never inserts from a SELECT here (SQLite has no
   * bulk path to stage through), so the `WHERE true` parsing rule for upserts does not arise.
   */
  protected conflictClause(_ref: TableRef, columns: readonly string[], conflict: Conflict): string {
    const key = `ON CONFLICT (${this.columnNames(conflict.key)})`;
    const set = this.updated(columns, conflict);
    if (set.length === 0) return `${key} DO NOTHING`;
    const t = this.quoteIdent(this.target);
    const q = (c: string): string => this.quoteIdent(c);
    const assignments = set.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ');
    const changed = set.map((c) => `${t}.${q(c)} IS NOT excluded.${q(c)}`).join(' OR ');
    return `${key} DO UPDATE SET ${assignments} WHERE ${changed}`;
  }
}
