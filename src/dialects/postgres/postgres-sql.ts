import type { CsvDialect } from '../../util/csv-dialect.js';
import {
  ORDINAL_COLUMN,
  type ColumnDefinition,
  type Conflict,
  type LogicalType,
  type TableRef,
} from '../dialect.js';
import { SluiceError, excerpt } from '../../errors.js';
import { SharedSqlBuilder, quoteWith } from '../shared-sql.js';
import { serverEncoding } from './csv-guard.js';

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

/** The longest identifier PostgreSQL keeps, in bytes (NAMEDATALEN - 1): it cuts longer ones. */
const MAX_IDENTIFIER_BYTES = 63;

/** PostgreSQL SQL text: "double-quoted" identifiers, $n placeholders, its own type names. */
export class PostgresSqlBuilder extends SharedSqlBuilder {
  /**
   * PostgreSQL cuts a longer name to 63 bytes with only a NOTICE, so a created table would not
   * have the columns the file names (and two long names with the same start collide): refused.
   */
  override createTable(ref: TableRef, columns: readonly ColumnDefinition[]): string {
    for (const [what, name] of [
      ['table', ref.name],
      ...columns.map((c): [string, string] => ['column', c.name]),
    ] as const) {
      const bytes = Buffer.byteLength(name, 'utf8');
      if (bytes > MAX_IDENTIFIER_BYTES)
        throw new SluiceError(
          'BAD_USAGE',
          `the ${what} name ${excerpt(name, 80)} is ${bytes} bytes: PostgreSQL keeps ${MAX_IDENTIFIER_BYTES} and would cut it`,
          {
            hint:
              what === 'column'
                ? 'give it a shorter name with --columns src=dst (columns in the library)'
                : 'choose a shorter --table',
          },
        );
    }
    return super.createTable(ref, columns);
  }

  /** Autovacuum never analyzes a temporary table: the merge's planner gets the staged rows' statistics. */
  analyzeStaging(staging: string): string {
    return `ANALYZE ${this.quoteIdent(staging)}`;
  }

  /** Identity columns GENERATED ALWAYS of the tables described, by quoted table name. */
  private readonly generatedAlways = new Map<string, ReadonlySet<string>>();

  /** Called by the table's description: INSERTs that give these columns values must say so. */
  noteGeneratedAlways(ref: TableRef, columns: readonly string[]): void {
    if (columns.length === 0) this.generatedAlways.delete(this.table(ref));
    else this.generatedAlways.set(this.table(ref), new Set(columns));
  }

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
    if (columns.length > 0) {
      const sql = super.insert(ref, columns, rows);
      const always = this.generatedAlways.get(this.table(ref));
      if (always === undefined || !columns.some((c) => always.has(c))) return sql;
      // The rows carry values for an identity column GENERATED ALWAYS (ids reserved from its
      // sequence for returning, or given by the input): stored as given, as COPY stores them.
      const head = `INSERT INTO ${this.table(ref)} (${this.columnNames(columns)})`;
      return `${head} OVERRIDING SYSTEM VALUE${sql.slice(head.length)}`;
    }
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

  /**
   * A staging table with the table's column types and no constraints (WITH NO DATA reads no rows),
   * and an identity ordinal COPY fills in the order the rows arrive.
   */
  override createStaging(staging: string, ref: TableRef, columns: readonly string[]): readonly string[] {
    const s = this.quoteIdent(staging);
    return [
      `CREATE TEMPORARY TABLE ${s} AS SELECT ${this.columnNames(columns)} FROM ${this.table(ref)} WITH NO DATA`,
      `ALTER TABLE ${s} ADD COLUMN ${this.quoteIdent(ORDINAL_COLUMN)} bigint GENERATED BY DEFAULT AS IDENTITY`,
    ];
  }

  /** TRUNCATE, not DELETE: deleted rows would stay as dead tuples every later merge scans. */
  override clearStaging(staging: string): string {
    return `TRUNCATE ${this.quoteIdent(staging)}`;
  }

  /**
   * The merge counting what it did in the same statement: RETURNING gives the rows inserted or
   * updated (not those the WHERE of DO UPDATE left alone), and `xmax = 0` tells an inserted row
   * from an updated one (an updated row's new version carries the lock ON CONFLICT took).
   */
  mergeStagedCounted(
    ref: TableRef,
    staging: string,
    columns: readonly string[],
    conflict: Conflict,
    generations: boolean,
  ): string {
    const merge = this.mergeStaged(ref, staging, columns, conflict, generations);
    return (
      `WITH sluice_merged AS (${merge} RETURNING (${this.quoteIdent(this.target)}.xmax = 0) AS inserted) ` +
      `SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) AS written FROM sluice_merged`
    );
  }

  /** COPY of encoded rows: text format, tab-separated, NULL as \N (the defaults, spelled out). */
  copyText(ref: TableRef, columns: readonly string[]): string {
    return `COPY ${this.table(ref)} (${this.columnList(columns)}) FROM STDIN (FORMAT text)`;
  }

  /**
   * COPY of a CSV file's own bytes: the server skips the header line (when there is one); an
   * unquoted field written as the NULL string (default: empty) is NULL and a quoted one is text
   * (FORCE_NULL: NULL too), as sluice's CSV parser reads them. Only for a dialect
   * `rawCsvRefusal` accepts: one-byte delimiter and quote, no escape, one NULL string.
   */
  /** A later part of the file is given its part's dialect (partDialect: no header line). */
  copyCsv(ref: TableRef, columns: readonly string[], dialect: CsvDialect): string {
    const options = [
      'FORMAT csv',
      `HEADER ${dialect.header}`,
      `DELIMITER ${delimiterLiteral(dialect.delimiter)}`,
    ];
    if (dialect.quote !== '"') options.push(`QUOTE ${stringLiteral(dialect.quote)}`);
    const nullString = dialect.nullStrings[0]!;
    if (nullString !== '') options.push(`NULL ${stringLiteral(nullString)}`);
    if (dialect.nullQuoted) options.push(`FORCE_NULL (${this.columnList(columns)})`);
    // A server encoding name from a fixed list (never user text).
    const encoding = serverEncoding(dialect.encoding);
    if (encoding !== undefined) options.push(`ENCODING '${encoding}'`);
    return `COPY ${this.table(ref)} (${this.columnList(columns)}) FROM STDIN (${options.join(', ')})`;
  }

  private columnList(columns: readonly string[]): string {
    return columns.map((c) => this.quoteIdent(c)).join(', ');
  }
}

const NO_EQUALITY = /^(json|xml|point|line|lseg|box|path|polygon|circle)(\[\])?$/;

/** A string literal that reads the same whatever standard_conforming_strings says: E'...'. */
function stringLiteral(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\t/g, '\\t');
  return `E'${escaped}'`;
}

/** A one-character delimiter as a string literal; a tab as E'\t' so the statement stays printable. */
function delimiterLiteral(delimiter: string): string {
  if (delimiter === '\t') return "E'\\t'";
  if (delimiter.length !== 1 || delimiter === '\\' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`COPY cannot use ${JSON.stringify(delimiter)} as a delimiter`);
  }
  return `'${delimiter === "'" ? "''" : delimiter}'`;
}
