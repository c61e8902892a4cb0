import { SluiceError } from '../../errors.js';
import { percentDecode } from '../../util/db-url.js';
import { redactUrl } from '../../util/redact-url.js';
import { scrubError } from '../../util/scrub-error.js';
import { readServerUrl } from '../server-url.js';
import type { ConnectOptions, Dialect, Session } from '../dialect.js';
import { endConnection, mysqlClientOf, poolConnection, query, type CoreConnection } from './mysql-client.js';
import { MysqlSession } from './mysql-session.js';

/**
 * MySQL and MariaDB through mysql2. `mysql://user:password@host:3306/db` (or `mariadb://`); query
 * parameters pass on as mysql2 options (`?ssl={"rejectUnauthorized":false}`, `?connectTimeout=5000`).
 * A mysql2 connection or pool (callback or promise API) works too: a pool lends one connection for
 * the load and gets it back; a connection passed in is never ended.
 */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  schemes: ['mysql', 'mariadb'],
  accepts(client: unknown): boolean {
    return mysqlClientOf(client) !== undefined;
  },
  async connect(target: string | object, options: ConnectOptions = {}): Promise<Session> {
    if (typeof target === 'string') {
      const connection = await connectUrl(target);
      try {
        if (options.readOnly) await query(connection, 'SET SESSION TRANSACTION READ ONLY');
        return await MysqlSession.open(connection, 'end');
      } catch (error) {
        await endConnection(connection);
        throw error;
      }
    }
    const client = mysqlClientOf(target);
    if (client === undefined) throw new SluiceError('BAD_USAGE', 'not a mysql2 connection or pool');
    if ('connection' in client) return MysqlSession.open(client.connection, 'keep');
    const connection = await poolConnection(client.pool).catch((error: unknown) => {
      throw new SluiceError('CONNECTION_FAILED', `cannot get a connection from the pool: ${message(error)}`, {
        cause: error,
      });
    });
    try {
      return await MysqlSession.open(connection, 'release');
    } catch (error) {
      connection.release?.();
      throw error;
    }
  },
};

async function connectUrl(url: string): Promise<CoreConnection> {
  const options = connectionOptions(url);
  const { default: mysql } = await import('mysql2');
  const connection = mysql.createConnection(options) as unknown as CoreConnection & {
    connect(callback: (error: Error | null) => void): void;
    destroy(): void;
    on(event: 'error', listener: (error: Error) => void): void;
  };
  // mysql2 emits a fatal error on an idle connection as an 'error' event, which would end the
  // process; the next statement on the dead connection reports it instead.
  connection.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) =>
      connection.connect((error) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    connection.destroy();
    // The driver's error stays the cause, with any trace of the password removed from it (a host
    // name or a message can carry what was handed to the driver).
    const cause = scrubError(error, url);
    throw new SluiceError('CONNECTION_FAILED', `cannot connect to ${redactUrl(url)}: ${message(cause)}`, {
      cause,
      hint: 'check the host, port, user and password in --db',
    });
  }
  return connection;
}

/**
 * mysql2 options from the URL (read by util/db-url.ts, so a password may be pasted unencoded);
 * query parameters are parsed as JSON where they can be.
 */
export function connectionOptions(url: string): Record<string, unknown> {
  const parsed = readServerUrl(url);
  if (parsed.hosts.length > 1) {
    throw new SluiceError('BAD_USAGE', `a MySQL URL takes one host: ${redactUrl(url)}`, {
      hint: 'name one server of the cluster',
    });
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(parsed.query)) {
    try {
      options[key] = JSON.parse(value);
    } catch {
      options[key] = value;
    }
  }
  const host = parsed.hosts[0];
  return {
    ...options,
    host: host?.host || 'localhost',
    port: host?.port ?? 3306,
    user: parsed.user || undefined,
    password: parsed.password || undefined,
    database: percentDecode(parsed.path) || undefined,
    charset: 'UTF8MB4_BIN',
    // Affected rows count the rows changed, not those found (mysql2 asks for found rows by default):
    // an upsert's merge then tells inserted rows from unchanged ones (MysqlSession.upsertSelect).
    flags: options.flags ?? '-FOUND_ROWS',
    // Dates are written by sluice as UTC text (mysql-values.ts); this keeps mysql2's own reads in UTC.
    timezone: 'Z',
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
