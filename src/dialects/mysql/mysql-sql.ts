import {
  ORDINAL_COLUMN,
  type ColumnDefinition,
  type Conflict,
  type LogicalType,
  type TableRef,
} from '../dialect.js';
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

/** The alias of the incoming row in MySQL 8's row alias form of ON DUPLICATE KEY UPDATE. */
const NEW_ROW = 'sluice_new';

/**
 * MySQL 8.0.19 and later name the incoming row by an alias (`INSERT ... AS new ON DUPLICATE KEY
 * UPDATE c = new.c`) and deprecate `VALUES(c)` there, with a warning sluice's strict checks would
 * count; MariaDB has no row alias and keeps `VALUES(c)`. From the server's version string.
 */
export function usesRowAlias(version: string): boolean {
  if (/mariadb/i.test(version)) return false;
  const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 19));
}

export class MysqlSqlBuilder extends SharedSqlBuilder {
  /** `rowAlias`: the server takes MySQL 8's row alias (see `usesRowAlias`). */
  constructor(private readonly rowAlias = false) {
    super();
  }
  quoteIdent(name: string): string {
    return quoteWith(name, '`');
  }
  placeholder(): string {
    return '?';
  }
  typeName(type: LogicalType): string {
    return TYPES[type];
  }
  /** MySQL's INSERT takes no table alias; the conflict clause names the row by VALUES() or its alias. */
  protected override insertInto(ref: TableRef): string {
    return `INSERT INTO ${this.table(ref)}`;
  }

  override upsert(ref: TableRef, columns: readonly string[], rows: number, conflict: Conflict): string {
    if (!this.rowAlias) return super.upsert(ref, columns, rows, conflict);
    return `${this.insertInto(ref)} ${this.valuesList(columns, rows)} AS ${this.quoteIdent(NEW_ROW)} ${this.conflictClause(ref, columns, conflict)}`;
  }

  /**
   * The staged rows in key order, and in arrival order within a key: the server takes them one
   * after the other, so the last occurrence of a key is the one the table keeps, and two loads
   * merging the same keys take the rows' locks in the same order, which makes deadlocks rare
   * (InnoDB rolls a victim's whole transaction back). With the row alias form, the staged rows are
   * a derived table named as the incoming row.
   */
  override mergeStaged(
    ref: TableRef,
    staging: string,
    columns: readonly string[],
    conflict: Conflict,
    generations: boolean,
  ): string {
    const list = this.columnNames(columns);
    const { from, where } = this.stagedRows(staging, columns, conflict.key, generations);
    const ordinal = this.quoteIdent(ORDINAL_COLUMN);
    const inner = `${list}, s.${ordinal}`;
    const order = (alias: string): string =>
      `ORDER BY ${[...conflict.key, ORDINAL_COLUMN].map((k) => `${alias}.${this.quoteIdent(k)}`).join(', ')}`;
    const rows = this.rowAlias
      ? `SELECT ${list} FROM (SELECT ${inner} FROM ${from}${where}) AS ${this.quoteIdent(NEW_ROW)} ${order(this.quoteIdent(NEW_ROW))}`
      : `SELECT ${list} FROM ${from}${where} ${order('s')}`;
    return `${this.insertInto(ref)} (${list}) ${rows} ${this.conflictClause(ref, columns, conflict)}`;
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
    const incoming = (c: string): string => (this.rowAlias ? `${q(NEW_ROW)}.${q(c)}` : `VALUES(${q(c)})`);
    return `ON DUPLICATE KEY UPDATE ${set.map((c) => `${q(c)} = ${incoming(c)}`).join(', ')}`;
  }

  /** InnoDB's REPEATABLE READ reads a snapshot; a locking read sees what others committed since. */
  latestRows(): string {
    return ' LOCK IN SHARE MODE';
  }

  /** The ordinal is an AUTO_INCREMENT key, which LOAD DATA fills in the order of the rows. */
  override createStaging(staging: string, ref: TableRef, columns: readonly string[]): readonly string[] {
    return [
      `CREATE TEMPORARY TABLE ${this.quoteIdent(staging)} (${this.quoteIdent(ORDINAL_COLUMN)} BIGINT AUTO_INCREMENT PRIMARY KEY) ` +
        `SELECT ${this.columnNames(columns)} FROM ${this.table(ref)} LIMIT 0`,
    ];
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
