import type { LogicalType, TableRef } from '../dialect.js';
import { SharedSqlBuilder, quoteWith } from '../shared-sql.js';

const TYPES: Record<LogicalType, string> = {
  integer: 'bigint',
  real: 'double precision',
  decimal: 'numeric',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  json: 'jsonb',
  text: 'text',
  bytes: 'bytea',
};

/** PostgreSQL SQL text: "double-quoted" identifiers, $n placeholders, its own type names. */
export class PostgresSqlBuilder extends SharedSqlBuilder {
  quoteIdent(name: string): string {
    return quoteWith(name, '"');
  }

  placeholder(index: number): string {
    return `$${index}`;
  }

  typeName(type: LogicalType): string {
    return TYPES[type];
  }

  /**
   * With no columns (every field of the rows is missing) each row is all defaults: PostgreSQL has
   * no empty column list, but DEFAULT VALUES, and a column-less SELECT for several rows.
   */
  override insert(ref: TableRef, columns: readonly string[], rows: number): string {
    if (columns.length > 0) return super.insert(ref, columns, rows);
    const table = this.table(ref);
    return rows === 1
      ? `INSERT INTO ${table} DEFAULT VALUES`
      : `INSERT INTO ${table} SELECT FROM generate_series(1, ${Math.floor(rows)})`;
  }

  /** COPY of encoded rows: text format, tab-separated, NULL as \N (the defaults, spelled out). */
  copyText(ref: TableRef, columns: readonly string[]): string {
    return `COPY ${this.table(ref)} (${this.columnList(columns)}) FROM STDIN (FORMAT text)`;
  }

  /**
   * COPY of a CSV file's own bytes: the server skips the header line; an empty unquoted field is
   * NULL and "" the empty string, as sluice's CSV parser reads them.
   */
  copyCsv(ref: TableRef, columns: readonly string[], delimiter: string): string {
    return `COPY ${this.table(ref)} (${this.columnList(columns)}) FROM STDIN (FORMAT csv, HEADER true, DELIMITER ${delimiterLiteral(delimiter)})`;
  }

  private columnList(columns: readonly string[]): string {
    return columns.map((c) => this.quoteIdent(c)).join(', ');
  }
}

/** A one-character delimiter as a string literal; a tab as E'\t' so the statement stays printable. */
function delimiterLiteral(delimiter: string): string {
  if (delimiter === '\t') return "E'\\t'";
  if (delimiter.length !== 1 || delimiter === '\\' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`COPY cannot use ${JSON.stringify(delimiter)} as a delimiter`);
  }
  return `'${delimiter === "'" ? "''" : delimiter}'`;
}
