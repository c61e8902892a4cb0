import type { ClientBase, Pool, PoolClient } from 'pg';
import { SluiceError } from '../../errors.js';
import { canonicalDbUrl } from '../../util/db-url.js';
import { redactSecret, redactUrl } from '../../util/redact-url.js';
import { scrubError } from '../../util/scrub-error.js';
import { readServerUrl } from '../server-url.js';
import type { ConnectOptions, Dialect, Session } from '../dialect.js';
import { PostgresSession } from './postgres-session.js';

/**
 * PostgreSQL through node-postgres (pg), loaded only when a PostgreSQL target is opened. Takes a
 * URL (postgres://user:pass@host:5432/db), a connected pg Client (never ended by sluice) or a pg
 * Pool (one client is taken for the session and released on close).
 */
export const postgresDialect: Dialect = {
  name: 'postgres',
  schemes: ['postgres', 'postgresql'],
  accepts(client: unknown): boolean {
    return isPgClient(client) || isPgPool(client);
  },
  isPool(client: object): boolean {
    return isPgPool(client);
  },
  async connect(target: string | object, options: ConnectOptions = {}): Promise<Session> {
    if (typeof target === 'string') return connectUrl(target, options.readOnly === true);
    if (isPgPool(target)) {
      let client: PoolClient;
      try {
        client = await target.connect();
      } catch (error) {
        throw connectionFailed(error, undefined);
      }
      try {
        usable(client);
      } catch (error) {
        client.release();
        throw error;
      }
      // pg-pool listens for a client's 'error' only while it is idle; while sluice holds it, a
      // broken socket would be an unhandled 'error' event (the query in flight rejects anyway).
      const ignore = (): void => undefined;
      client.on('error', ignore);
      // A client the session could not vouch for goes back with its error: the pool discards it.
      const release = async (broken?: Error): Promise<void> => {
        client.off('error', ignore);
        client.release(broken);
      };
      return new PostgresSession(client, release, undefined, true);
    }
    const client = target as ClientBase;
    usable(client);
    return new PostgresSession(client, async () => undefined, undefined, true);
  },
};

async function connectUrl(url: string, readOnly: boolean): Promise<Session> {
  // pg would read the URL with the WHATWG parser, which cuts a password at its first '/', '?' or
  // '#' and at all but its last '@'; it gets the URL in its standard form instead.
  const connectionString = canonicalDbUrl(readServerUrl(url));
  const { default: pg } = await import('pg');
  const connect = async (): Promise<InstanceType<typeof pg.Client>> => {
    const client = new pg.Client({ connectionString, application_name: 'sluice' });
    // pg also emits a broken connection as an 'error' event; the query in flight rejects with it
    // already, and without a listener the event would end the process.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  let client: InstanceType<typeof pg.Client>;
  try {
    client = await connect();
  } catch (error) {
    throw connectionFailed(error, url);
  }
  if (readOnly) {
    try {
      await client.query('SET default_transaction_read_only = on');
    } catch (error) {
      await client.end().catch(() => undefined);
      throw connectionFailed(error, url);
    }
  }
  return new PostgresSession(client, () => client.end(), url, false, connect);
}

/**
 * CONNECTION_FAILED with the server's or the network's words. The driver's error stays the cause,
 * scrubbed of the password: Node's URL errors carry the whole input, a DNS error the host name.
 */
function connectionFailed(error: unknown, url: string | undefined): SluiceError {
  const cause = scrubError(error, url);
  const message = redactSecret((cause as Error)?.message ?? String(cause), url);
  const where = url === undefined ? 'PostgreSQL' : redactUrl(url);
  return new SluiceError('CONNECTION_FAILED', `cannot connect to ${where}: ${message}`, {
    cause,
    hint: 'check the host, port, database name and credentials in --db (or DATABASE_URL)',
  });
}

/** A client sluice can drive: connected, and not in pg's pipeline mode (which refuses COPY). */
function usable(client: ClientBase): void {
  const state = client as unknown as { _connected?: unknown; _connecting?: unknown; pipeline?: unknown };
  if (state._connected === false && state._connecting !== true) {
    throw new SluiceError('BAD_USAGE', 'the pg Client passed to open() is not connected', {
      hint: 'await client.connect() first, or pass a URL',
    });
  }
  if (state.pipeline === true) {
    throw new SluiceError('BAD_USAGE', 'the pg Client passed to open() runs in pipeline mode', {
      hint: 'pg refuses COPY and custom protocol queries in pipeline mode; pass a client made without pipeline: true (sluice pipelines its own inserts)',
    });
  }
}

/** A pg Client, by shape: query and connect, plus the escape helpers only pg's Client has. */
function isPgClient(value: unknown): value is ClientBase {
  const c = value as Record<string, unknown> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.query === 'function' &&
    typeof c.connect === 'function' &&
    typeof c.escapeIdentifier === 'function' &&
    typeof c.escapeLiteral === 'function'
  );
}

/** A pg Pool, by shape: connect and query, plus the counters pg-pool keeps. */
function isPgPool(value: unknown): value is Pool {
  const p = value as Record<string, unknown> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.connect === 'function' &&
    typeof p.query === 'function' &&
    typeof p.totalCount === 'number' &&
    typeof p.idleCount === 'number' &&
    typeof p.waitingCount === 'number'
  );
}
