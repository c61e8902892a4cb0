import type { LogicalType } from '../dialect.js';
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
}
