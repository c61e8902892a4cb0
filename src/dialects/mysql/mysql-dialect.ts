import { SluiceError } from '../../errors.js';
import { redactSecret, redactUrl } from '../../util/redact-url.js';
import type { Dialect, Session } from '../dialect.js';
import { mysqlClientOf, poolConnection, type CoreConnection } from './mysql-client.js';
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
  async connect(target: string | object): Promise<Session> {
    if (typeof target === 'string') return MysqlSession.open(await connectUrl(target), 'end');
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
  const { default: mysql } = await import('mysql2');
  const options = connectionOptions(url);
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
    throw new SluiceError(
      'CONNECTION_FAILED',
      redactSecret(`cannot connect to ${redactUrl(url)}: ${message(error)}`, url),
      { cause: error, hint: 'check the host, port, user and password in --db' },
    );
  }
  return connection;
}

/** mysql2 options from the URL; query parameters are parsed as JSON where they can be. */
export function connectionOptions(url: string): Record<string, unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SluiceError('BAD_USAGE', `cannot parse the database URL ${redactUrl(url)}`);
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of parsed.searchParams) {
    try {
      options[key] = JSON.parse(value);
    } catch {
      options[key] = value;
    }
  }
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  return {
    ...options,
    host: decodeURIComponent(host) || 'localhost',
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || undefined,
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
    charset: 'UTF8MB4_BIN',
    // Dates are written by sluice as UTC text (mysql-values.ts); this keeps mysql2's own reads in UTC.
    timezone: 'Z',
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
