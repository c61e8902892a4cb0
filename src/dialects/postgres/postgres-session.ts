import type { ClientBase } from 'pg';
import type {
  BulkCopy,
  Capabilities,
  ColumnInfo,
  FieldCheck,
  ForeignKey,
  RowChunk,
  RowCounts,
  Session,
  TableInfo,
  TableRef,
} from '../dialect.js';
import { CopyEncodingError, encodeCopyRows } from './copy-encoder.js';
import { copyFromStdin } from './copy-stream.js';
import { copyRecordStartLine } from './copy-record-line.js';
import { RAW_ENCODINGS, guardPostgresCsv } from './csv-guard.js';
import { afterPreamble, copyCsvRefusal } from './copy-csv-dialect.js';
import { defaultCsvDialect, partDialect, type CsvDialect } from '../../util/csv-dialect.js';
import { pipelinedExecute } from './pipelined-execute.js';
import { pgText } from './pg-text.js';
import {
  copyPosition,
  describePostgresError,
  isStatementError,
  isTransientPostgresError,
} from './postgres-errors.js';
import { postgresConstraints } from './postgres-constraints.js';
import { describePostgresTable, postgresForeignKeys } from './postgres-introspect.js';
import { PostgresSqlBuilder } from './postgres-sql.js';
import { postgresValueConverter, storedAsWritten } from './postgres-values.js';
import { PreparedStatements } from './prepared-statements.js';
import { rejectedInStep } from './protocol-query.js';

export const POSTGRES_CAPABILITIES: Capabilities = {
  copy: 'COPY FROM STDIN',
  rawCsvEncodings: ['utf-8', ...Object.keys(RAW_ENCODINGS)],
  rawCsvCopy:
    "the file's bytes go to COPY untouched (a guard switches to parsing where COPY would read the CSV differently)",
  pipeline:
    'one INSERT parsed once; every Bind/Execute of a batch sent before the first reply, one Sync per batch',
  // Bind counts its parameters in an unsigned 16-bit field.
  maxBindParams: 65535,
  maxStatementBytes: undefined,
  inProcess: false,
  createsMissingTables: false,
  transactionalDdl: true,
};

/** Characters of COPY text per CopyData message: big enough to amortise, small enough to overlap. */
const COPY_SLICE_CHARS = 256 * 1024;

/**
 * One PostgreSQL connection in use by sluice, through pg. Statements go through pg's Client;
 * the pipeline and COPY write their protocol messages on its connection (see protocol-query.ts).
 */
export class PostgresSession implements Session {
  readonly dialect = 'postgres' as const;
  readonly sql = new PostgresSqlBuilder();
  readonly capabilities = POSTGRES_CAPABILITIES;
  readonly bulk: BulkCopy;
  readonly constraints = postgresConstraints(
    (sql, params) => this.select(sql, params),
    (ref) => this.sql.table(ref),
  );

  private readonly prepared = new PreparedStatements();
  /**
   * A connection of its own for a checkpointed load's work before its first COPY: the checkpoint
   * table read, created and written here would leave this session's relation cache other than an
   * unchecked load's, and its COPY into a table with a foreign key measurably slower (14 % for 1M
   * rows; see describeTable).
   */
  readonly aside: (() => Promise<Session>) | undefined;
  /** Why the connection can no longer be trusted (see `watch`); a pooled client is then discarded. */
  private broken: unknown;
  private transactionOpen = false;

  /**
   * @param release ends the session's hold on the connection: ends a client sluice opened,
   * returns a pooled client to its pool (with the error that broke it, so the pool discards it),
   * does nothing to a client passed in.
   * @param url the connection string, so messages can be scrubbed of its password.
   * @param shared the connection outlives the session (a client or pool passed to open()): its
   * prepared statements are deallocated on close.
   */
  constructor(
    private readonly client: ClientBase,
    private readonly release: (broken?: Error) => Promise<void>,
    private readonly url: string | undefined,
    private readonly shared: boolean,
    private catalogConnection?: () => Promise<ClientBase & { end(): Promise<void> }>,
  ) {
    const open = catalogConnection;
    this.aside =
      open &&
      (async () => {
        const side = await open();
        return new PostgresSession(side, () => side.end(), url, false);
      });
    this.bulk = {
      copyRows: (ref, columns, chunks) => this.copyRows(ref, columns, chunks),
      copyCsv: (ref, columns, bytes, dialect, opensFile) =>
        this.copyCsv(ref, columns, bytes, dialect, opensFile ?? true),
      rawCsvRefusal: copyCsvRefusal,
      recordStartLine: copyRecordStartLine,
      statement: (ref, columns, rawCsv, dialect) =>
        rawCsv
          ? this.sql.copyCsv(ref, columns, dialect ?? defaultCsvDialect('csv'))
          : this.sql.copyText(ref, columns),
    };
  }

  /**
   * Values stay as they are until a statement is sent: execute() and the pipeline turn them into
   * text there, so a value that cannot be sent fails inside the method, which names its row.
   */
  toParam(value: unknown): unknown {
    return value;
  }

  valueConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined {
    return postgresValueConverter(column);
  }

  textFieldCheck(column: ColumnInfo, csv: CsvDialect): FieldCheck | undefined {
    return storedAsWritten(column.type, csv);
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    if (params.length === 0) return (await this.watch(this.client.query(sql))).rowCount ?? 0;
    const values = params.map(pgText);
    const name = this.prepared.nameFor(sql);
    const result = await this.watch(
      this.client.query(name === undefined ? { text: sql, values } : { name, text: sql, values }),
    );
    return result.rowCount ?? 0;
  }

  async count(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.client.query<Record<string, unknown>>({
      text: sql,
      values: params.map(pgText),
    });
    const row = result.rows[0];
    return Number(row === undefined ? 0 : Object.values(row)[0]);
  }

  executeMany(sql: string, rows: readonly (readonly unknown[])[]): Promise<number> {
    return this.watch(pipelinedExecute(this.client, sql, rows));
  }

  async select(sql: string, params: readonly unknown[] = []): Promise<readonly (readonly unknown[])[]> {
    const result = await this.client.query({ text: sql, values: params.map(pgText), rowMode: 'array' });
    return result.rows as unknown[][];
  }

  async begin(): Promise<void> {
    await this.watch(this.client.query('BEGIN'));
    this.transactionOpen = true;
  }

  async commit(): Promise<void> {
    let result;
    try {
      result = await this.watch(this.client.query('COMMIT'));
    } finally {
      // A COMMIT the server refused (a deferred constraint) ends the transaction too.
      this.transactionOpen = false;
    }
    // COMMIT of a transaction that already failed is answered with ROLLBACK, not an error.
    if (result.command === 'ROLLBACK') {
      throw new Error('the transaction had failed: COMMIT rolled it back and nothing was saved');
    }
  }

  async rollback(): Promise<void> {
    try {
      await this.client.query('ROLLBACK');
    } catch (error) {
      // Whatever the reason, the transaction's state is unknown: the connection is not reused.
      this.broken ??= error;
      throw error;
    }
    this.transactionOpen = false;
  }

  async savepoint(name: string): Promise<void> {
    await this.watch(this.client.query(`SAVEPOINT ${this.sql.quoteIdent(name)}`));
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.watch(this.client.query(`RELEASE SAVEPOINT ${this.sql.quoteIdent(name)}`));
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    await this.watch(this.client.query(`ROLLBACK TO SAVEPOINT ${this.sql.quoteIdent(name)}`));
  }

  /**
   * On a connection sluice opened itself, the catalog is read on a short second connection, so
   * the load's own session starts its COPY as fresh as psql's. Not superstition: on PostgreSQL 15
   * a COPY into a table with a foreign key ran 25% slower (5.9 s against 4.6 s for 1M rows, and
   * psql \copy just as slow after one catalog query) once the session had read the catalog. The
   * COPY holds ~1000 buffered slots pinning the table's tuple descriptor in the portal's resource
   * owner while the foreign-key checks run; each check pins the referenced table's descriptor, and
   * whether that pin lands inside the hash cluster of the 1000 (a linear probe per pin) depends on
   * where the relation cache put the descriptors, which depends on what the session did before.
   * Measured with perf: ResourceOwnerRememberTupleDesc at 10% of the backend's time in the slow case.
   */
  async describeTable(ref: TableRef): Promise<TableInfo | undefined> {
    // Only the session's first load starts on a fresh session; later loads on it would pay for a
    // connection each and gain nothing.
    const connect = this.catalogConnection;
    this.catalogConnection = undefined;
    const side = await connect?.().catch(() => undefined);
    if (side === undefined) return this.watch(describePostgresTable(this.client, this.sql, ref));
    try {
      return await describePostgresTable(side, this.sql, ref);
    } finally {
      await side.end().catch(() => undefined);
    }
  }

  foreignKeys(ref: TableRef): Promise<readonly ForeignKey[]> {
    return this.watch(postgresForeignKeys(this.client, this.sql, ref));
  }

  /**
   * One round trip: nextval of the column's sequence (serial, or identity ALWAYS or BY DEFAULT)
   * `count` times. A sequence never hands a value out twice, whatever its step, cache or other
   * sessions do, so these ids belong to this load alone; their order and gaps do not matter.
   */
  async reserveIds(ref: TableRef, column: string, count: number): Promise<readonly (number | bigint)[]> {
    const found = await this.select('SELECT pg_catalog.pg_get_serial_sequence($1, $2)', [
      this.sql.table(ref),
      column,
    ]);
    const sequence = found[0]?.[0];
    if (typeof sequence !== 'string')
      throw new Error(`column "${column}" of ${this.sql.table(ref)} takes its values from no sequence`);
    const rows = await this.select(
      'SELECT pg_catalog.nextval($1::regclass)::text FROM pg_catalog.generate_series(1, $2::integer)',
      [sequence, count],
    );
    return rows.map((r) => integerOf(r[0] as string));
  }

  isTransient(error: unknown): boolean {
    return isTransientPostgresError(error);
  }

  describeError(error: unknown): { message: string; code?: string } {
    return describePostgresError(error, this.url);
  }

  /**
   * Hands the connection back. A pooled client goes back with an error, and the pool discards it,
   * when the session cannot vouch for its state: see `watch`, and a transaction still open.
   */
  async close(): Promise<void> {
    try {
      if (this.shared && this.broken === undefined && !this.transactionOpen)
        await this.watch(this.prepared.deallocate(this.client, (name) => this.sql.quoteIdent(name)));
    } catch {
      // A broken connection has lost its statements with it.
    } finally {
      const broken =
        this.broken ?? (this.transactionOpen ? new Error('closed with a transaction still open') : undefined);
      await this.release(broken === undefined ? undefined : asError(broken));
    }
  }

  /**
   * Runs one exchange with the server and notes when its failure leaves the connection in an
   * unknown state. In step (the connection is reused): a statement the server refused with an
   * ERROR (a bad value, a duplicate key, a COPY it refused or that sluice cancelled with
   * CopyFail), after which the server answers ReadyForQuery; the caller's ROLLBACK then ends the
   * transaction. Broken (a pooled client is discarded): anything else: the socket failed or
   * closed, the backend ended (FATAL, pg_terminate_backend), pg's query_timeout fired while the
   * server was still running the statement or waiting for COPY data. A failed ROLLBACK breaks
   * it too (rollback()).
   */
  private async watch<T>(exchange: Promise<T>): Promise<T> {
    try {
      return await exchange;
    } catch (error) {
      if (!isStatementError(error) && !rejectedInStep(error)) this.broken ??= error;
      throw error;
    }
  }

  private async copyRows(
    ref: TableRef,
    columns: readonly string[],
    chunks: AsyncIterable<RowChunk>,
  ): Promise<RowCounts> {
    if (columns.length === 0) return inserted(await this.insertDefaults(ref, chunks));
    try {
      return inserted(
        await this.watch(copyFromStdin(this.client, this.sql.copyText(ref, columns), encodeChunks(chunks))),
      );
    } catch (error) {
      // Encoded rows are one line each: the CONTEXT line number is the row number.
      throw withCopyPosition(error, ref, columns, 'copyRow');
    }
  }

  private async copyCsv(
    ref: TableRef,
    columns: readonly string[],
    bytes: AsyncIterable<Uint8Array>,
    dialect: CsvDialect,
    opensFile: boolean,
  ): Promise<RowCounts> {
    try {
      // COPY gets the bytes after the preamble: its line numbers start after it (see copyLine). A
      // later part of the file has no preamble, header or byte order mark (partDialect).
      const part = partDialect(dialect, opensFile);
      const checked = guardPostgresCsv(afterPreamble(bytes, part.skipLines), part, opensFile);
      const statement = this.sql.copyCsv(ref, columns, part);
      return inserted(await this.watch(copyFromStdin(this.client, statement, checked)));
    } catch (error) {
      // The server counts lines its own way (see copy-record-line.ts), header included.
      throw withCopyPosition(error, ref, columns, 'copyLine');
    }
  }

  /** Rows with no field at all: each gets every default (COPY has no empty column list). */
  private async insertDefaults(ref: TableRef, chunks: AsyncIterable<RowChunk>): Promise<number> {
    let rows = 0;
    for await (const chunk of chunks) {
      if (chunk.rows.length > 0) rows += await this.execute(this.sql.insert(ref, [], chunk.rows.length));
    }
    return rows;
  }
}

function inserted(rows: number): RowCounts {
  return { inserted: rows, updated: 0, unchanged: 0 };
}

/** RowChunks as COPY text, slice by slice; a value that cannot be encoded names its row. */
async function* encodeChunks(chunks: AsyncIterable<RowChunk>): AsyncGenerator<Buffer> {
  let before = 0;
  for await (const chunk of chunks) {
    const rows = chunk.rows;
    let start = 0;
    while (start < rows.length) {
      let slice: { bytes: Buffer; next: number };
      try {
        slice = encodeCopyRows(rows, start, rows.length, COPY_SLICE_CHARS);
      } catch (error) {
        if (error instanceof CopyEncodingError) {
          throw Object.assign(error, { copyRow: before + start + error.rowIndex + 1 });
        }
        throw error;
      }
      yield slice.bytes;
      start = slice.next;
    }
    before += rows.length;
  }
}

/**
 * Gives a COPY error the place the server blamed, from its CONTEXT line, for copy.ts to turn into
 * a source location: `copyRow` (the row within an encoded copy) or `copyLine` (the line of a raw
 * CSV), and `copyColumn`.
 */
function withCopyPosition(
  error: unknown,
  ref: TableRef,
  columns: readonly string[],
  as: 'copyRow' | 'copyLine',
): unknown {
  if (typeof error !== 'object' || error === null || 'copyRow' in error) return error;
  const position = copyPosition(error, ref.name, columns);
  if (position === undefined) return error;
  return Object.assign(error, { [as]: position.line, copyColumn: position.column });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** A bigint's digits as a number when a double holds it exactly, else as a bigint. */
function integerOf(digits: string): number | bigint {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : BigInt(digits);
}
