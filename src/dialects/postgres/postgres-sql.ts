import type { Conflict, LogicalType, TableRef } from '../dialect.js';
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

  /**
   * ON CONFLICT on exactly the key; DO UPDATE only where a value differs (IS DISTINCT FROM, NULLs
   * equal), so an unchanged row gets no new version, no WAL and no trigger. Types without an
   * equality operator (json, xml, geometric) are compared as text.
   */
  protected conflictClause(_ref: TableRef, columns: readonly string[], conflict: Conflict): string {
    const key = `ON CONFLICT (${this.columnNames(conflict.key)})`;
    const set = this.updated(columns, conflict);
    if (set.length === 0) return `${key} DO NOTHING`;
    const t = this.quoteIdent(this.target);
    const cmp = (c: string, side: string): string => {
      const type = conflict.types.get(c) ?? '';
      return NO_EQUALITY.test(type) ? `${side}.${this.quoteIdent(c)}::text` : `${side}.${this.quoteIdent(c)}`;
    };
    const assignments = set.map((c) => `${this.quoteIdent(c)} = EXCLUDED.${this.quoteIdent(c)}`).join(', ');
    const old = set.map((c) => cmp(c, t)).join(', ');
    const now = set.map((c) => cmp(c, 'EXCLUDED')).join(', ');
    return `${key} DO UPDATE SET ${assignments} WHERE (${old}) IS DISTINCT FROM (${now})`;
  }

  /** A staging table with the table's column types and no constraints; WITH NO DATA reads no rows. */
  override createStaging(staging: string, ref: TableRef, columns: readonly string[]): string {
    return `CREATE TEMPORARY TABLE ${this.quoteIdent(staging)} AS SELECT ${this.columnNames(columns)}, 0::integer AS ${this.quoteIdent('sluice_generation')} FROM ${this.table(ref)} WITH NO DATA`;
  }

  /** Autovacuum never visits temporary tables: without this the merge plans for an empty table. */
  override analyzeStaging(staging: string): string {
    return `ANALYZE ${this.quoteIdent(staging)}`;
  }

  /** COPY of encoded rows: text format, tab-separated, NULL as \N (the defaults, spelled out). */
  copyText(ref: TableRef, columns: readonly string[]): string {
    return `COPY ${this.table(ref)} (${this.columnList(columns)}) FROM STDIN (FORMAT text)`;
  }

  /**
   * COPY of a CSV file's own bytes: the server skips the header line; an empty unquoted field is
   * NULL and "" the empty string, as sluice's CSV parser reads them.
   */
  /** `header` false: a later part of the file, whose first line is a record. */
  copyCsv(ref: TableRef, columns: readonly string[], delimiter: string, header = true): string {
    return `COPY ${this.table(ref)} (${this.columnList(columns)}) FROM STDIN (FORMAT csv, HEADER ${header}, DELIMITER ${delimiterLiteral(delimiter)})`;
  }

  private columnList(columns: readonly string[]): string {
    return columns.map((c) => this.quoteIdent(c)).join(', ');
  }
}

const NO_EQUALITY = /^(json|xml|point|line|lseg|box|path|polygon|circle)(\[\])?$/;

/** A one-character delimiter as a string literal; a tab as E'\t' so the statement stays printable. */
function delimiterLiteral(delimiter: string): string {
  if (delimiter === '\t') return "E'\\t'";
  if (delimiter.length !== 1 || delimiter === '\\' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`COPY cannot use ${JSON.stringify(delimiter)} as a delimiter`);
  }
  return `'${delimiter === "'" ? "''" : delimiter}'`;
}
