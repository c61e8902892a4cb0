import type { ColumnDefinition, LogicalType, TableRef } from '../dialect.js';
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
  /**
   * LOAD DATA for the escaped text format of load-data-encoder.ts and load-data-csv.ts. The
   * separators are hex literals, which read the same under every sql_mode (NO_BACKSLASH_ESCAPES
   * would turn '\\' into two characters). LOCAL: the client sends the bytes; the file name is
   * only a label, sluice answers the server's request with its own stream whatever it names.
   */
  loadData(ref: TableRef, columns: readonly string[], delimiter: string): string {
    const list = columns.map((c) => this.quoteIdent(c)).join(', ');
    return (
      `LOAD DATA LOCAL INFILE 'sluice' INTO TABLE ${this.table(ref)} CHARACTER SET utf8mb4 ` +
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
