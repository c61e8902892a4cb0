import { SluiceError } from '../../errors.js';
import { MYSQL_CONSTRAINTS } from './mysql-constraints.js';
import type { CsvDialect } from '../../util/csv-dialect.js';
import type {
  RowCounts,
  BulkCopy,
  Capabilities,
  ClusterChunk,
  ClusterInfo,
  ColumnInfo,
  CreatedColumnConverter,
  FieldCheck,
  LogicalType,
  Session,
  ForeignKey,
  TableInfo,
  TableRef,
} from '../dialect.js';
import {
  galeraChunk,
  isWriteSetTooBig,
  prepareGaleraSession,
  readGalera,
  restoreGaleraSession,
  type GaleraSessionSettings,
  streamReplication,
} from './galera.js';
import { LoadDataBulk, RAW_CHARSETS } from './load-data-bulk.js';
import {
  CLIENT_LOCAL_FILES,
  PreparedStatements,
  endConnection,
  query,
  type CoreConnection,
  type ResultHeader,
} from './mysql-client.js';
import { describeMysqlError, isTransientMysqlError } from './mysql-errors.js';
import { describeMysqlTable, mysqlForeignKeys } from './mysql-introspect.js';
import { MysqlSqlBuilder, usesRowAlias } from './mysql-sql.js';
import { UnstorableValue, mysqlStoredAsWritten, mysqlValueConverter, toMysqlValue } from './mysql-values.js';
import { RowsNotStored, readWarnings } from './mysql-warnings.js';
import { utcDatetime } from './utc-datetime.js';

/** What to do with the connection on close: sluice's own is ended, a pool's released, a caller's kept. */
export type Ownership = 'end' | 'release' | 'keep';

/** MySQL's limit on placeholders in one prepared statement (a 16-bit count in COM_STMT_PREPARE). */
const MAX_BIND_PARAMS = 65_535;
/** Room for the packet header, command byte and statement id around a statement's parameters. */
const PACKET_OVERHEAD = 1024;
const MAX_PACKET_BYTES = 1 << 20;

/**
 * Modes that make the server refuse what it would otherwise change quietly: strict for every
 * engine, no zero or partly zero dates, division by zero an error, no silent engine swap, and a 0
 * written to an AUTO_INCREMENT column stays 0 instead of becoming the next id.
 */
const STRICT_MODES = [
  'STRICT_ALL_TABLES',
  'STRICT_TRANS_TABLES',
  'NO_ZERO_DATE',
  'NO_ZERO_IN_DATE',
  'ERROR_FOR_DIVISION_BY_ZERO',
  'NO_ENGINE_SUBSTITUTION',
  'NO_AUTO_VALUE_ON_ZERO',
];
/** Created timestamptz columns are DATETIME(6) holding UTC (mysql-sql.ts): a zone is applied first. */
const UTC_DATETIME: CreatedColumnConverter = {
  convert: utcDatetime,
  why: 'DATETIME has no zone: timestamps with Z or an offset are stored as UTC',
};

/** MariaDB's mode that stores '' as NULL: a value changed without a word. */
const LOSSY_MODES = new Set(['EMPTY_STRING_IS_NULL']);

interface ServerSettings {
  sqlMode: string;
  timeZone: string;
  autocommit: number | string;
  csClient: string;
  csConnection: string;
  collation: string;
  csResults: string | null;
  maxPacket: number | string;
  localInfile: number | string;
  lowerCaseTableNames: number | string;
  version: string;
}

/**
 * One mysql2 connection in use by sluice. On open the session is set up so nothing is lost
 * quietly: strict sql_mode, time_zone '+00:00' (see mysql-values.ts for dates), utf8mb4 on the
 * wire, autocommit on (for the row method). A connection that belongs to the caller gets its
 * settings back on close, and the statements sluice prepared on it are closed.
 */
/** The client flag by which affected rows count the rows found, not only those changed. */
const CLIENT_FOUND_ROWS = 2;

export class MysqlSession implements Session {
  readonly dialect = 'mysql' as const;
  readonly sql: MysqlSqlBuilder;
  readonly capabilities: Capabilities;
  readonly bulk: BulkCopy | undefined;
  readonly constraints = MYSQL_CONSTRAINTS;
  private readonly statements: PreparedStatements;
  private closed = false;
  /** MariaDB: JSON is LONGTEXT with a json_valid check, so JSON text is kept as written. */
  private readonly mariadb: boolean;

  private constructor(
    private readonly connection: CoreConnection,
    private readonly ownership: Ownership,
    private readonly saved: ServerSettings,
    readonly cluster: ClusterInfo | undefined,
    private readonly savedGalera: GaleraSessionSettings | undefined,
    readonly node: string | undefined,
  ) {
    this.statements = new PreparedStatements(connection);
    this.mariadb = /mariadb/i.test(String(saved.version));
    this.sql = new MysqlSqlBuilder(usesRowAlias(String(saved.version)));
    this.upsertSelect = this.foundRows ? undefined : (sql, rows) => this.countedUpsert(sql, rows);
    const maxPacket = Number(saved.maxPacket);
    const localInfile =
      Number(saved.localInfile) === 1 && (connection.config.clientFlags & CLIENT_LOCAL_FILES) !== 0;
    this.capabilities = {
      copy: localInfile ? 'LOAD DATA LOCAL INFILE' : undefined,
      rawCsvCopy: localInfile
        ? 'the file streams to LOAD DATA without being parsed into rows; only empty fields and quoting are rewritten, so NULL and "" stay apart'
        : undefined,
      rawCsvEncodings: Object.keys(RAW_CHARSETS),
      pipeline:
        'one prepared INSERT per row, executions queued on the connection (mysql2 has no batch protocol)',
      maxBindParams: MAX_BIND_PARAMS,
      maxStatementBytes: maxPacket - PACKET_OVERHEAD,
      inProcess: false,
      createsMissingTables: false,
      transactionalDdl: false,
      vetsBeforeCommit: true,
      bulkVerdictAtEnd: true,
      savepointReplacesSameName: true,
    };
    const packetBytes = Math.max(512, Math.min(MAX_PACKET_BYTES, maxPacket - PACKET_OVERHEAD));
    this.bulk = localInfile ? new LoadDataBulk(connection, this.sql, packetBytes) : undefined;
  }

  static async open(connection: CoreConnection, ownership: Ownership, node?: string): Promise<MysqlSession> {
    if (connection.clientEncoding !== undefined && connection.clientEncoding !== 'utf8') {
      throw new SluiceError(
        'BAD_USAGE',
        `the mysql2 connection writes text as ${connection.clientEncoding}, which cannot carry every character`,
        { hint: "open it with charset: 'utf8mb4'" },
      );
    }
    const [saved] = await query<ServerSettings[]>(
      connection,
      `SELECT @@SESSION.sql_mode AS sqlMode, @@SESSION.time_zone AS timeZone,
        @@SESSION.autocommit AS autocommit, @@SESSION.character_set_client AS csClient,
        @@SESSION.character_set_connection AS csConnection, @@SESSION.collation_connection AS collation,
        @@SESSION.character_set_results AS csResults, @@max_allowed_packet AS maxPacket,
        @@local_infile AS localInfile, @@lower_case_table_names AS lowerCaseTableNames,
        @@version AS version`,
    );
    const cluster = await readGalera(connection);
    const savedGalera = cluster === undefined ? undefined : await prepareGaleraSession(connection);
    const session = new MysqlSession(connection, ownership, saved!, cluster, savedGalera, node);
    const modes = saved!.sqlMode
      .split(',')
      .filter((m) => m !== '' && !LOSSY_MODES.has(m) && !STRICT_MODES.includes(m));
    await session.statements.run(
      `SET SESSION sql_mode = ?, SESSION time_zone = '+00:00', SESSION autocommit = 1,
        SESSION character_set_client = 'utf8mb4', SESSION character_set_connection = 'utf8mb4',
        SESSION character_set_results = 'utf8mb4'`,
      [[...modes, ...STRICT_MODES].join(',')],
    );
    return session;
  }

  toParam(value: unknown): unknown {
    return toMysqlValue(value);
  }

  valueConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined {
    return mysqlValueConverter(column, this.mariadb);
  }

  textFieldCheck(column: ColumnInfo, csv: CsvDialect): FieldCheck | undefined {
    return mysqlStoredAsWritten(column.type, csv);
  }

  createdColumnConverter(type: LogicalType): CreatedColumnConverter | undefined {
    return type === 'timestamptz' ? UTC_DATETIME : undefined;
  }

  /**
   * Refused when the server reported warnings. Outside a transaction a statement would commit
   * before its warnings could be read, so the row method's statements each get a transaction of
   * their own from the transaction owner (`capabilities.vetsBeforeCommit`).
   */
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    if (params.length === 0) return this.checked(await query<ResultHeader>(this.connection, sql));
    return this.checked(await this.executePrepared(sql, params));
  }

  async select(sql: string, params: readonly unknown[] = []): Promise<readonly (readonly unknown[])[]> {
    // A prepared statement: values travel as parameters, never in the SQL text.
    const rows = await this.statements.run<Record<string, unknown>[]>(
      sql,
      params.map((p) => toMysqlValue(p)),
    );
    return rows.map((row) => Object.values(row));
  }

  /**
   * mysql2 has no batch protocol and writes a command only after the previous one's reply, so
   * executions queued without waiting still cost a round trip each; queuing saves only the
   * promise hop between them. The first failure, in row order, is the one reported.
   */
  async count(sql: string, params: readonly unknown[] = []): Promise<number> {
    const rows = await this.executePrepared(sql, params);
    const row = (rows as unknown as Record<string, unknown>[])[0];
    return Number(row === undefined ? 0 : Object.values(row)[0]);
  }

  /**
   * ON DUPLICATE KEY UPDATE affects 1 row per insert and 2 per update; a row set to its own
   * values counts 0, or 1 when the connection asked for CLIENT_FOUND_ROWS (mysql2's default).
   */
  upsertCounts(rows: number, existing: number, affected: number): RowCounts {
    const inserted = rows - existing;
    const updated = this.foundRows ? affected - rows : (affected - inserted) / 2;
    return { inserted, updated, unchanged: existing - updated };
  }

  /**
   * Only where affected rows count the rows changed (no CLIENT_FOUND_ROWS: sluice's own
   * connections): "Duplicates" counts the rows updated, so affected = inserted + 2 x updated
   * splits the rest. With found rows an unchanged row counts as one inserted would: absent.
   */
  readonly upsertSelect: ((sql: string, rows: number) => Promise<RowCounts>) | undefined;

  private async countedUpsert(sql: string, rows: number): Promise<RowCounts> {
    const header = await query<ResultHeader>(this.connection, sql);
    const affected = await this.checked(header);
    const duplicates = /Duplicates:\s*(\d+)/.exec(header.info ?? '');
    if (duplicates === null)
      throw new Error(
        `the server did not say how many merged rows it updated (${JSON.stringify(header.info ?? '')})`,
      );
    const updated = Number(duplicates[1]);
    const inserted = affected - 2 * updated;
    return { inserted, updated, unchanged: rows - inserted - updated };
  }

  private get foundRows(): boolean {
    const flags = (this.connection as { config?: { clientFlags?: number } }).config?.clientFlags;
    return flags === undefined || (flags & CLIENT_FOUND_ROWS) !== 0;
  }

  async executeMany(sql: string, rows: readonly (readonly unknown[])[], upsert = false): Promise<number> {
    const results = await Promise.allSettled(rows.map((row) => this.executePrepared(sql, row)));
    let changes = 0;
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      const header = result.value;
      if (header.warningStatus > 0 || (!upsert && header.affectedRows !== 1)) {
        // Only the last statement's warnings can still be read; bisection narrows to one row.
        if (rows.length === 1) await this.checked(header);
        throw new RowsNotStored('the server changed or skipped a row (it reported warnings)');
      }
      changes += header.affectedRows;
    }
    return changes;
  }

  async begin(): Promise<void> {
    // START TRANSACTION, not BEGIN: under MariaDB's sql_mode=ORACLE, BEGIN opens a block.
    await query(this.connection, 'START TRANSACTION');
  }
  async commit(): Promise<void> {
    await query(this.connection, 'COMMIT');
  }
  async rollback(): Promise<void> {
    await query(this.connection, 'ROLLBACK');
  }
  async savepoint(name: string): Promise<void> {
    await query(this.connection, `SAVEPOINT ${this.sql.quoteIdent(name)}`);
  }
  async releaseSavepoint(name: string): Promise<void> {
    await query(this.connection, `RELEASE SAVEPOINT ${this.sql.quoteIdent(name)}`);
  }
  async rollbackToSavepoint(name: string): Promise<void> {
    await query(this.connection, `ROLLBACK TO SAVEPOINT ${this.sql.quoteIdent(name)}`);
  }

  foreignKeys(ref: TableRef): Promise<readonly ForeignKey[]> {
    return mysqlForeignKeys(this.statements, ref);
  }

  async describeTable(ref: TableRef): Promise<TableInfo | undefined> {
    return describeMysqlTable(
      this.statements,
      ref,
      Number(this.saved.lowerCaseTableNames) !== 0,
      this.mariadb,
    );
  }

  async nonTransactionalEngine(ref: TableRef): Promise<string | undefined> {
    const rows = await this.statements.run<{ engine: string; transactions: string | null }[]>(
      `SELECT t.ENGINE AS engine, e.TRANSACTIONS AS transactions FROM information_schema.TABLES t
        JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE
        WHERE t.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND t.TABLE_NAME = ?`,
      [ref.schema ?? null, ref.name],
    );
    const row = rows[0];
    return row !== undefined && row.transactions !== 'YES' ? row.engine : undefined;
  }

  async splitsBulkStatements(): Promise<string | undefined> {
    // MariaDB only (MySQL has neither variable); without Galera wsrep_on is OFF.
    const rows = await this.statements
      .run<{ name: string; value: string }[]>(
        "SELECT VARIABLE_NAME AS name, VARIABLE_VALUE AS value FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME IN ('WSREP_ON', 'WSREP_LOAD_DATA_SPLITTING')",
        [],
      )
      .catch(() => []);
    const on = (name: string) =>
      rows.some((r) => r.name.toUpperCase() === name && r.value.toUpperCase() === 'ON');
    return on('WSREP_ON') && on('WSREP_LOAD_DATA_SPLITTING')
      ? 'wsrep_load_data_splitting is ON: the cluster commits a LOAD DATA every 10,000 rows by itself'
      : undefined;
  }

  isTransient(error: unknown): boolean {
    return isTransientMysqlError(error);
  }

  clusterChunkRows(encodedRowBytes: number | undefined): ClusterChunk {
    if (this.cluster === undefined) throw new Error('not a cluster node');
    return galeraChunk(this.cluster, encodedRowBytes);
  }

  isWriteSetTooBig(error: unknown): boolean {
    return this.cluster !== undefined && isWriteSetTooBig(error);
  }

  async replicateInFragments(on: boolean): Promise<void> {
    if (this.cluster !== undefined) await streamReplication(this.connection, on);
  }

  describeError(error: unknown): { message: string; code?: string } {
    return describeMysqlError(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownership === 'end') {
      await endConnection(this.connection);
      return;
    }
    try {
      const s = this.saved;
      await this.statements.run(
        // autocommit refuses a bound number: it is one of two keywords, chosen here, not a value.
        `SET SESSION sql_mode = ?, SESSION time_zone = ?, SESSION autocommit = ${Number(s.autocommit) === 1 ? 'ON' : 'OFF'},
          SESSION character_set_client = ?, SESSION character_set_connection = ?,
          SESSION collation_connection = ?, SESSION character_set_results = ?`,
        [s.sqlMode, s.timeZone, s.csClient, s.csConnection, s.collation, s.csResults],
      );
      if (this.savedGalera !== undefined) await restoreGaleraSession(this.connection, this.savedGalera);
    } finally {
      this.statements.closeAll();
      if (this.ownership === 'release') this.connection.release?.();
    }
  }

  private executePrepared(sql: string, params: readonly unknown[]): Promise<ResultHeader> {
    for (let i = 0; i < params.length; i++) {
      const value = params[i];
      if (value instanceof UnstorableValue)
        return Promise.reject(new Error(`parameter ${i + 1}: ${value.reason}`));
    }
    return this.statements.run<ResultHeader>(sql, params);
  }

  /** A write's result, refused when the server reported warnings or notes (see mysql-warnings.ts). */
  private async checked(header: ResultHeader): Promise<number> {
    if (header.warningStatus > 0) {
      const [first] = await readWarnings(this.connection);
      throw (
        first ?? new RowsNotStored(`the server reported ${header.warningStatus} warnings it did not list`)
      );
    }
    return header.affectedRows ?? 0;
  }
}
