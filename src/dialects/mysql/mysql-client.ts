import type { Readable } from 'node:stream';

/**
 * The parts of mysql2 sluice uses, described by shape so the driver stays an optional peer: the
 * callback ("core") connection and pool, and the promise wrappers around them (`.connection`,
 * `.pool`). Everything runs on the core connection: LOAD DATA LOCAL needs its per-query
 * `infileStreamFactory` and its socket (for backpressure), which the promise API hides.
 */

type Callback = (error: Error | null, result?: unknown) => void;

export interface QueryOptions {
  readonly sql: string;
  readonly values?: readonly unknown[];
  readonly infileStreamFactory?: (path: string) => Readable;
}

/** The OK packet of a statement that returns no rows. */
export interface ResultHeader {
  readonly affectedRows: number;
  readonly info?: string;
  readonly warningStatus: number;
}

export interface CoreSocket {
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close' | 'pause', listener: () => void): unknown;
  listeners(event: 'drain' | 'pause'): (() => void)[];
}

export interface CoreConnection {
  query(options: QueryOptions, callback: Callback): unknown;
  execute(sql: string, values: readonly unknown[], callback: Callback): unknown;
  unprepare(sql: string): unknown;
  end(callback?: (error?: Error | null) => void): unknown;
  /** Pool connections only: hands the connection back to its pool. */
  release?(): void;
  readonly config: { readonly clientFlags: number };
  /** The JS encoding mysql2 writes strings in ('utf8' for the utf8 and utf8mb4 charsets). */
  readonly clientEncoding?: string;
  readonly stream: CoreSocket;
}

export interface CorePool {
  getConnection(callback: (error: Error | null, connection?: CoreConnection) => void): void;
}

/** mysql2's CLIENT_LOCAL_FILES capability flag: without it the server refuses LOAD DATA LOCAL. */
export const CLIENT_LOCAL_FILES = 128;

function isCoreConnection(value: unknown): value is CoreConnection {
  const c = value as Partial<Record<string, unknown>> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.addCommand === 'function' &&
    typeof c.execute === 'function' &&
    typeof c.query === 'function' &&
    typeof c.config === 'object'
  );
}

function isCorePool(value: unknown): value is CorePool {
  const p = value as Partial<Record<string, unknown>> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.getConnection === 'function' &&
    typeof (p.config as { connectionConfig?: unknown } | undefined)?.connectionConfig === 'object'
  );
}

/** The core connection or pool behind any of mysql2's four client shapes, or undefined. */
export function mysqlClientOf(
  client: unknown,
): { connection: CoreConnection } | { pool: CorePool } | undefined {
  if (isCoreConnection(client)) return { connection: client };
  if (isCorePool(client)) return { pool: client };
  const wrapper = client as { connection?: unknown; pool?: unknown } | null;
  if (typeof wrapper !== 'object' || wrapper === null) return undefined;
  if (isCoreConnection(wrapper.connection)) return { connection: wrapper.connection };
  if (isCorePool(wrapper.pool)) return { pool: wrapper.pool };
  return undefined;
}

export function query<T>(connection: CoreConnection, options: QueryOptions | string): Promise<T> {
  return new Promise((resolve, reject) =>
    connection.query(typeof options === 'string' ? { sql: options } : options, (error, result) =>
      error ? reject(error) : resolve(result as T),
    ),
  );
}

/** A prepared statement (COM_STMT_PREPARE once per SQL text, cached by mysql2), executed once. */
export function execute<T>(connection: CoreConnection, sql: string, values: readonly unknown[]): Promise<T> {
  return new Promise((resolve, reject) =>
    connection.execute(sql, values, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

/**
 * The statements sluice prepares on a connection, so they can be closed (COM_STMT_CLOSE) when the
 * connection goes back to its owner: a borrowed connection should not keep sluice's statements.
 */
export class PreparedStatements {
  private readonly texts = new Set<string>();

  constructor(private readonly connection: CoreConnection) {}

  run<T>(sql: string, values: readonly unknown[]): Promise<T> {
    this.texts.add(sql);
    return execute<T>(this.connection, sql, values);
  }

  closeAll(): void {
    for (const sql of this.texts) this.connection.unprepare(sql);
    this.texts.clear();
  }
}

export function poolConnection(pool: CorePool): Promise<CoreConnection> {
  return new Promise((resolve, reject) =>
    pool.getConnection((error, connection) => (error || !connection ? reject(error) : resolve(connection))),
  );
}

export function endConnection(connection: CoreConnection): Promise<void> {
  return new Promise((resolve) => connection.end(() => resolve()));
}
