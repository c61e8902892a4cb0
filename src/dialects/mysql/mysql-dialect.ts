import { SluiceError } from '../../errors.js';
import { percentDecode } from '../../util/db-url.js';
import { redactUrl } from '../../util/redact-url.js';
import { scrubError } from '../../util/scrub-error.js';
import { readServerUrl } from '../server-url.js';
import type { ConnectOptions, Dialect, Session } from '../dialect.js';
import { endConnection, mysqlClientOf, poolConnection, query, type CoreConnection } from './mysql-client.js';
import { canTakeWrites } from './galera.js';
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
  isPool(client: object): boolean {
    const core = mysqlClientOf(client);
    return core !== undefined && 'pool' in core;
  },
  async connect(target: string | object, options: ConnectOptions = {}): Promise<Session> {
    if (typeof target === 'string') return connectToNode(target, options);
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

/**
 * Every node a URL can reach, in the order to try: the URL's hosts (`h1:4406,h2:4407`), then the
 * other nodes of a cluster that an earlier connection through this URL reported
 * (wsrep_incoming_addresses), so that a one-host URL can fail over too.
 */
const knownNodes = new Map<string, readonly string[]>();

function candidates(url: string, failedNode: string | undefined): string[] {
  const hosts = readServerUrl(url).hosts.map((h) => hostPort(h.host || 'localhost', h.port ?? 3306));
  const nodes = [...new Set([...hosts, ...(knownNodes.get(url) ?? [])])];
  // The node a load just failed on goes last: it may be dying, joining or refusing queries.
  return failedNode === undefined || nodes.length < 2
    ? nodes
    : [...nodes.filter((n) => n !== failedNode), ...nodes.filter((n) => n === failedNode)];
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A session on the first node that takes writes. A standalone server is taken as it is; a Galera
 * node that is joining, donating or cut off from the Primary component is passed over for the
 * next one, and each node's refusal is named if none will do.
 */
async function connectToNode(url: string, options: ConnectOptions): Promise<Session> {
  const found = candidates(url, options.failedNode);
  const nodes =
    options.node === undefined ? found : [options.node, ...found.filter((n) => n !== options.node)];
  const refusals: string[] = [];
  let lastError: unknown;
  // A cluster node that will not take writes names the others (wsrep_incoming_addresses): they
  // join the end of the list, so a one-host URL fails over too.
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    let connection: CoreConnection;
    try {
      connection = await connectUrl(url, nodes.length > 1 ? node : undefined);
    } catch (error) {
      lastError = error;
      refusals.push(message(error).replace(/^cannot connect to /, ''));
      continue;
    }
    try {
      if (options.readOnly) await query(connection, 'SET SESSION TRANSACTION READ ONLY');
      const session = await MysqlSession.open(connection, 'end', node);
      if (session.cluster === undefined) return session;
      knownNodes.set(url, session.cluster.nodes);
      if (canTakeWrites(session.cluster)) return session;
      for (const other of session.cluster.nodes) if (!nodes.includes(other)) nodes.push(other);
      const c = session.cluster;
      refusals.push(
        `${node}: ${c.state}${c.primary ? '' : ', not Primary'}${c.ready ? '' : ', not ready'}${c.rejectsQueries ? ', rejecting queries' : ''}`,
      );
      await session.close();
    } catch (error) {
      await endConnection(connection);
      // 1047: "WSREP has not yet prepared node for application use" (a node still joining).
      if ((error as { errno?: unknown }).errno !== 1047 || nodes.length === 1) throw error;
      lastError = error;
      refusals.push(`${node}: not ready (joining)`);
    }
  }
  if (nodes.length === 1 && lastError !== undefined) throw lastError;
  throw new SluiceError(
    'CONNECTION_FAILED',
    `no node of ${redactUrl(url)} takes writes now (${refusals.join('; ')})`,
    {
      cause: lastError,
      hint: 'a Galera node takes writes when it is Synced and part of the Primary component',
    },
  );
}

async function connectUrl(url: string, node?: string): Promise<CoreConnection> {
  const options = connectionOptions(url, node);
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
    const where = node === undefined ? redactUrl(url) : node;
    throw new SluiceError('CONNECTION_FAILED', `cannot connect to ${where}: ${message(cause)}`, {
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
export function connectionOptions(url: string, node?: string): Record<string, unknown> {
  const parsed = readServerUrl(url);
  const options: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(parsed.query)) {
    try {
      options[key] = JSON.parse(value);
    } catch {
      options[key] = value;
    }
  }
  const host = node === undefined ? parsed.hosts[0] : parseNode(node);
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

/** `host:port` or `[v6]:port`, as candidates() writes them. */
function parseNode(node: string): { host: string; port: number } {
  const match = /^\[?(.*?)\]?:(\d+)$/.exec(node);
  return match === null ? { host: node, port: 3306 } : { host: match[1]!, port: Number(match[2]) };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
