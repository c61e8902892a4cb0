import type { Database, Statement } from 'better-sqlite3';
import type {
  Capabilities,
  ColumnInfo,
  FieldCheck,
  ForeignKey,
  Session,
  TableInfo,
  TableRef,
} from '../dialect.js';
import { canonicalIntegerOrText, hasIntegerAffinity } from './sqlite-affinity.js';
import { sqliteConstraints } from './sqlite-constraints.js';
import { describeSqliteError } from './sqlite-errors.js';
import { describeSqliteTable, sqliteForeignKeys } from './sqlite-introspect.js';
import { SqliteSqlBuilder } from './sqlite-sql.js';
import {
  sqliteTextCheck,
  sqliteValueConverter,
  toSqliteValue,
  unstorableParameter,
} from './sqlite-values.js';

const STATEMENT_CACHE = 64;

/**
 * better-sqlite3 is synchronous; the session keeps the async Session shape so methods stay
 * generic, and caches prepared statements by SQL text because a multi-row INSERT is reused for
 * every full batch.
 */
export class SqliteSession implements Session {
  readonly dialect = 'sqlite' as const;
  readonly sql = new SqliteSqlBuilder();
  readonly capabilities: Capabilities;
  readonly constraints = sqliteConstraints((sql, params) => this.select(sql, params));
  private readonly statements = new Map<string, Statement>();
  private readonly savepoints = new Map<string, Statement>();
  private lastSql: string | undefined;
  private lastStatement: Statement | undefined;
  /** The highest id reserved per table: reserved ids not yet written are not in max(rowid). */
  private readonly reservedUpTo = new Map<string, bigint>();

  constructor(
    private readonly db: Database,
    private readonly owned: boolean,
  ) {
    // Statement journals (every multi-row INSERT inside a transaction has one) go to memory, not to
    // a temporary file: one write() system call per journaled page was a third of the load time.
    // Only on connections sluice opened: changing temp_store drops the connection's temp tables.
    if (owned) db.pragma('temp_store = MEMORY');
    this.capabilities = {
      copy: undefined,
      rawCsvCopy: undefined,
      pipeline: 'one prepared INSERT run once per row inside the transaction',
      maxBindParams: maxVariableNumber(db),
      maxStatementBytes: undefined,
      inProcess: true,
      singleWriter: true,
      createsMissingTables: true,
      transactionalDdl: true,
      survivesStatementError: true,
    };
  }

  toParam(value: unknown): unknown {
    return toSqliteValue(value);
  }

  textFieldCheck(column: ColumnInfo): FieldCheck | undefined {
    return sqliteTextCheck(column);
  }

  textFieldConverter(column: ColumnInfo): ((field: string) => unknown) | undefined {
    return hasIntegerAffinity(column.type) ? canonicalIntegerOrText : undefined;
  }

  valueConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined {
    return sqliteValueConverter(column);
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      return this.prepare(sql).run(params).changes;
    } catch (error) {
      throw refusedParameter(error, params);
    }
  }

  async select(sql: string, params: readonly unknown[] = []): Promise<readonly (readonly unknown[])[]> {
    return this.db.prepare(sql).raw(true).all(params) as unknown[][];
  }

  async count(sql: string, params: readonly unknown[] = []): Promise<number> {
    const row = this.prepare(sql).get(params) as Record<string, unknown> | undefined;
    return Number(row === undefined ? 0 : Object.values(row)[0]);
  }

  async executeMany(sql: string, rows: readonly (readonly unknown[])[]): Promise<number> {
    const statement = this.prepare(sql);
    let changes = 0;
    for (const row of rows) {
      try {
        changes += statement.run(row).changes;
      } catch (error) {
        throw refusedParameter(error, row);
      }
    }
    return changes;
  }

  async begin(): Promise<void> {
    // IMMEDIATE: a load writes, so it takes the write lock up front, waiting (busy_timeout) for another
    // writer to commit; a deferred transaction that read first could only fail with SQLITE_BUSY later.
    this.db.exec('BEGIN IMMEDIATE');
  }
  async commit(): Promise<void> {
    this.db.exec('COMMIT');
  }
  async rollback(): Promise<void> {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }
  // Savepoints run once per batch: prepared once and reused rather than parsed by exec() each time.
  async savepoint(name: string): Promise<void> {
    // Outside a transaction SAVEPOINT would open one, and RELEASE commit it: after SQLite rolled a
    // load's transaction back on its own (SQLITE_FULL, I/O errors), that would commit rows.
    if (!this.db.inTransaction) throw new Error('no transaction is open: SQLite rolled it back');
    this.savepointStatement('SAVEPOINT', name).run();
  }
  async releaseSavepoint(name: string): Promise<void> {
    this.savepointStatement('RELEASE', name).run();
  }
  async rollbackToSavepoint(name: string): Promise<void> {
    this.savepointStatement('ROLLBACK TO', name).run();
  }

  async describeTable(ref: TableRef): Promise<TableInfo | undefined> {
    return describeSqliteTable(this.db, ref);
  }

  async foreignKeys(ref: TableRef): Promise<readonly ForeignKey[]> {
    return sqliteForeignKeys(this.db, ref);
  }

  /**
   * Ids past the table's largest rowid, its AUTOINCREMENT counter and what this session reserved
   * before, taken under the database's write lock: a write that changes nothing takes it, and
   * SQLite lets no other connection write until this transaction ends. Only an INTEGER PRIMARY
   * KEY (the rowid) can be reserved so.
   */
  async reserveIds(ref: TableRef, column: string, count: number): Promise<readonly (number | bigint)[]> {
    if (!this.db.inTransaction) throw new Error("ids are reserved inside the load's transaction");
    const table = this.sql.table(ref);
    const id = this.sql.quoteIdent(column);
    const rowid = this.db.prepare(`SELECT ${id} IS rowid FROM ${table} LIMIT 1`).pluck().get();
    if (rowid === 0) throw new Error(`column "${column}" of ${table} is not its INTEGER PRIMARY KEY`);
    this.db.prepare(`UPDATE ${table} SET ${id} = ${id} WHERE 0`).run();
    const top = this.db.prepare(`SELECT max(rowid) FROM ${table}`).safeIntegers().pluck().get() as
      bigint | null;
    const schema = this.sql.quoteIdent(ref.schema ?? 'main');
    const hasSequence = this.db
      .prepare(`SELECT count(*) FROM ${schema}.sqlite_master WHERE name = 'sqlite_sequence'`)
      .pluck()
      .get() as number;
    const seq =
      hasSequence > 0
        ? ((this.db
            .prepare(`SELECT seq FROM ${schema}.sqlite_sequence WHERE name = ?`)
            .safeIntegers()
            .pluck()
            .get(ref.name) as bigint | undefined) ?? 0n)
        : 0n;
    let next = [top ?? 0n, seq, this.reservedUpTo.get(table) ?? 0n].reduce((a, b) => (b > a ? b : a)) + 1n;
    const ids: (number | bigint)[] = new Array<number | bigint>(count);
    for (let i = 0; i < count; i++, next++)
      ids[i] = next <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(next) : next;
    this.reservedUpTo.set(table, next - 1n);
    return ids;
  }

  /** An embedded database has no connection to lose; a busy file is waited for, not retried. */
  isTransient(): boolean {
    return false;
  }

  describeError(error: unknown): { message: string; code?: string } {
    return describeSqliteError(error);
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.savepoints.clear();
    this.lastSql = undefined;
    this.lastStatement = undefined;
    if (this.owned) this.db.close();
  }

  private savepointStatement(verb: string, name: string): Statement {
    const key = `${verb} ${name}`;
    let statement = this.savepoints.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(`${verb} ${this.sql.quoteIdent(name)}`);
      this.savepoints.set(key, statement);
    }
    return statement;
  }

  private prepare(sql: string): Statement {
    // The same statement text comes back for every batch: compared by identity first, a long
    // multi-row INSERT is not hashed again on each call.
    if (sql === this.lastSql) return this.lastStatement!;
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    this.lastSql = sql;
    this.lastStatement = statement;
    return statement;
  }
}

/**
 * better-sqlite3 refuses to bind an UnstorableValue ("SQLite3 can only bind numbers, strings…"):
 * the value's own reason says why, as the other databases' sessions say it. Looked for only
 * after a failure, so binding costs nothing extra.
 */
function refusedParameter(error: unknown, params: readonly unknown[]): unknown {
  if (!(error instanceof TypeError)) return error;
  const reason = unstorableParameter(params);
  return reason === undefined ? error : new Error(reason);
}

/**
 * SQLITE_MAX_VARIABLE_NUMBER of the linked SQLite build, found by asking it: a statement that
 * names parameter ?N prepares only when N is within the limit (999 before 3.32, 32766 after,
 * anything a custom build chose).
 */
function maxVariableNumber(db: Database): number {
  const fits = (n: number): boolean => {
    try {
      db.prepare(`SELECT ?${n}`);
      return true;
    } catch {
      return false;
    }
  };
  // The two stock limits first: each probe prepares a statement with N parameter slots, and a
  // blind binary search from 2^20 spent ~10 ms of every load's start on it.
  for (const stock of [32766, 999]) if (fits(stock) && !fits(stock + 1)) return stock;
  let low = 1;
  let high = 1 << 20;
  if (fits(high)) return high;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return low;
}
