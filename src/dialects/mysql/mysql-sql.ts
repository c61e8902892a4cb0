import type { ColumnDefinition, Conflict, LogicalType, TableRef } from '../dialect.js';
import { SharedSqlBuilder, quoteWith } from '../shared-sql.js';

const TYPES: Record<LogicalType, string> = {
  integer: 'BIGINT',
  real: 'DOUBLE',
  // The widest DECIMAL: 35 digits before the point and 30 after, which infer-types.ts checks the
  // sample's numbers fit (past that it infers text, which keeps the literal).
  decimal: 'DECIMAL(65,30)',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'DATETIME(6)',
  // MySQL has no zoned timestamp: the session runs with time_zone '+00:00', so the column holds UTC.
  timestamptz: 'DATETIME(6)',
  json: 'JSON',
  // LONGTEXT, not TEXT (64 KB) or VARCHAR (row-size limits): an inferred column must hold any value
  // the sample did not show, a 100k-character one included. Index it later with a prefix length.
  text: 'LONGTEXT',
  bytes: 'LONGBLOB',
};

export class MysqlSqlBuilder extends SharedSqlBuilder {
  quoteIdent(name: string): string {
    return quoteWith(name, '`');
  }
  placeholder(): string {
    return '?';
  }
  typeName(type: LogicalType): string {
    return TYPES[type];
  }
  /** MySQL's INSERT takes no table alias; the conflict clause names the row by VALUES(). */
  protected override insertInto(ref: TableRef): string {
    return `INSERT INTO ${this.table(ref)}`;
  }

  /**
   * ON DUPLICATE KEY UPDATE: the server leaves a row whose values are already those given as it
   * is (affected 0, or 1 with CLIENT_FOUND_ROWS), so unchanged rows are not rewritten. `ignore`
   * is a no-op update of the key, never INSERT IGNORE (which also hides type errors and
   * truncation); never REPLACE (which deletes, and fires cascades).
   */
  protected conflictClause(ref: TableRef, columns: readonly string[], conflict: Conflict): string {
    const set = this.updated(columns, conflict);
    const q = (c: string): string => this.quoteIdent(c);
    // Qualified: in INSERT ... SELECT from the staging table a bare name would be ambiguous.
    const k = `${this.table(ref)}.${q(conflict.key[0]!)}`;
    if (set.length === 0) return `ON DUPLICATE KEY UPDATE ${k} = ${k}`;
    return `ON DUPLICATE KEY UPDATE ${set.map((c) => `${q(c)} = VALUES(${q(c)})`).join(', ')}`;
  }

  override createStaging(staging: string, ref: TableRef, columns: readonly string[]): string {
    return `CREATE TEMPORARY TABLE ${this.quoteIdent(staging)} AS SELECT ${this.columnNames(columns)}, 0 AS ${this.quoteIdent('sluice_generation')} FROM ${this.table(ref)} LIMIT 0`;
  }

  override dropStaging(staging: string): string {
    return `DROP TEMPORARY TABLE ${this.quoteIdent(staging)}`;
  }

  /**
   * LOAD DATA for the escaped text format of load-data-encoder.ts and load-data-csv.ts. The
   * separators are hex literals, which read the same under every sql_mode (NO_BACKSLASH_ESCAPES
   * would turn '\\' into two characters). LOCAL: the client sends the bytes; the file name is
   * only a label, sluice answers the server's request with its own stream whatever it names.
   */
  /** `charset`: a character set name from a fixed list (never user text); default utf8mb4. */
  loadData(ref: TableRef, columns: readonly string[], delimiter: string, charset = 'utf8mb4'): string {
    const list = columns.map((c) => this.quoteIdent(c)).join(', ');
    return (
      `LOAD DATA LOCAL INFILE 'sluice' INTO TABLE ${this.table(ref)} CHARACTER SET ${charset} ` +
      `FIELDS TERMINATED BY ${hexLiteral(delimiter)} ESCAPED BY X'5C' LINES TERMINATED BY X'0A' (${list})`
    );
  }

  /** utf8mb4 with a binary collation: every Unicode character, compared byte for byte. */
  override createTable(ref: TableRef, columns: readonly ColumnDefinition[]): string {
    return `${super.createTable(ref, columns)} DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
  }
}

function hexLiteral(text: string): string {
  return `X'${Buffer.from(text).toString('hex').toUpperCase()}'`;
}
