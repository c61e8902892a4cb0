import { errorChain } from '../../util/error-chain.js';
import type { ClusterChunk, ClusterInfo } from '../dialect.js';
import { query, type CoreConnection } from './mysql-client.js';

/**
 * MariaDB Galera: what sluice reads of a node, and the session settings a bulk load needs there.
 * Facts behind the choices (measured on a 3-node cluster on loopback, docs/databases.md):
 * - A BF-aborted LOAD DATA LOCAL in autocommit is retried by the server, which asks the client for
 *   the file again; mysql2 takes that request for the final OK and the connection breaks ("Got
 *   packets out of order"). `wsrep_retry_autocommit = 0` turns it into a clean 1213.
 * - Reads on a node may lag the cluster's commits by seconds; `wsrep_sync_wait = 1` makes a read
 *   wait for them, which reading the checkpoint after a failover needs.
 * - Write-set limits (`wsrep_max_ws_rows`, `wsrep_max_ws_size`) are global only: read, never set.
 */

interface GaleraVariables {
  wsrepOn: number | string | null;
  maxWsRows: number | string | null;
  maxWsSize: number | string | null;
  autoIncrementIncrement: number | string | null;
  rejectQueries: string | null;
}

/** MySQL has no wsrep variables at all (errno 1193); MariaDB has them, off, when standalone. */
const UNKNOWN_SYSTEM_VARIABLE = 1193;

/** The node's cluster, or undefined when it is not a Galera node (standalone MariaDB, MySQL). */
export async function readGalera(connection: CoreConnection): Promise<ClusterInfo | undefined> {
  let variables: GaleraVariables | undefined;
  try {
    [variables] = await query<GaleraVariables[]>(
      connection,
      `SELECT @@wsrep_on AS wsrepOn, @@wsrep_max_ws_rows AS maxWsRows,
        @@wsrep_max_ws_size AS maxWsSize, @@auto_increment_increment AS autoIncrementIncrement,
        @@wsrep_reject_queries AS rejectQueries`,
    );
  } catch (error) {
    if ((error as { errno?: unknown }).errno === UNKNOWN_SYSTEM_VARIABLE) return undefined;
    throw error;
  }
  if (variables === undefined || Number(variables.wsrepOn) !== 1) return undefined;
  const status = new Map<string, string>();
  const rows = await query<{ Variable_name: string; Value: string }[]>(
    connection,
    `SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_ready',
      'wsrep_cluster_status', 'wsrep_local_state_comment', 'wsrep_incoming_addresses')`,
  );
  for (const row of rows) status.set(row.Variable_name.toLowerCase(), row.Value);
  const size = Number(status.get('wsrep_cluster_size') ?? 0);
  if (size === 0) return undefined;
  return {
    kind: 'galera',
    size,
    state: status.get('wsrep_local_state_comment') ?? 'unknown',
    primary: status.get('wsrep_cluster_status') === 'Primary',
    ready: status.get('wsrep_ready') === 'ON',
    nodes: (status.get('wsrep_incoming_addresses') ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '' && !a.startsWith('AUTO')),
    maxWsRows: Number(variables.maxWsRows ?? 0),
    maxWsSize: Number(variables.maxWsSize ?? 0),
    autoIncrementStep: Number(variables.autoIncrementIncrement ?? 1),
    rejectsQueries: (variables.rejectQueries ?? 'NONE') !== 'NONE',
  };
}

/**
 * A node that takes writes now: Synced, part of the Primary component, ready, and not told to
 * refuse queries (wsrep_reject_queries, set for maintenance: it answers 1047 as a joining node does).
 */
export function canTakeWrites(cluster: ClusterInfo): boolean {
  return cluster.ready && cluster.primary && cluster.state === 'Synced' && !cluster.rejectsQueries;
}

/** The session's wsrep settings before sluice changed them, to give a caller's connection back. */
export interface GaleraSessionSettings {
  readonly retryAutocommit: number;
  readonly syncWait: number;
}

/** The session settings of every sluice connection to a Galera node (see the module comment). */
export async function prepareGaleraSession(connection: CoreConnection): Promise<GaleraSessionSettings> {
  const [saved] = await query<{ retryAutocommit: number | string; syncWait: number | string }[]>(
    connection,
    'SELECT @@SESSION.wsrep_retry_autocommit AS retryAutocommit, @@SESSION.wsrep_sync_wait AS syncWait',
  );
  await query(connection, 'SET SESSION wsrep_retry_autocommit = 0, SESSION wsrep_sync_wait = 1');
  return { retryAutocommit: Number(saved?.retryAutocommit ?? 1), syncWait: Number(saved?.syncWait ?? 0) };
}

/** Gives a caller's connection its wsrep settings back (and ends streaming replication). */
export async function restoreGaleraSession(
  connection: CoreConnection,
  saved: GaleraSessionSettings,
): Promise<void> {
  await query(
    connection,
    `SET SESSION wsrep_retry_autocommit = ${Math.trunc(saved.retryAutocommit)}, SESSION wsrep_sync_wait = ${Math.trunc(saved.syncWait)}, SESSION wsrep_trx_fragment_size = 0`,
  );
}

/**
 * One atomic transaction for a whole load, replicated in fragments as it goes (streaming
 * replication) instead of one write set at COMMIT: the other nodes keep up, and no write-set
 * limit is hit. Measured: no slower than one write set.
 */
export const STREAMING_FRAGMENT_ROWS = 10_000;

export async function streamReplication(connection: CoreConnection, on: boolean): Promise<void> {
  await query(
    connection,
    `SET SESSION wsrep_trx_fragment_unit = 'rows', SESSION wsrep_trx_fragment_size = ${on ? STREAMING_FRAGMENT_ROWS : 0}`,
  );
}

/**
 * How a file is cut into committed chunks on a cluster when the user gave no --commit-every: by the
 * bytes a chunk adds to the write set, estimated from the rows' encoded size, so that wide rows get
 * fewer rows per chunk and a lowered wsrep_max_ws_size is respected before it is hit.
 * - WRITE_SET_TARGET_BYTES: what a chunk aims at. Measured on the cluster (galera-findings): 10k to
 *   100k rows of the users table (0.7-6.8 MB of write set) cost nothing against one statement, and
 *   the other nodes keep up as it goes; bigger write sets cost every node their size in memory.
 * - WRITE_SET_PER_ENCODED_BYTE: a row's write-set bytes per byte of its LOAD DATA text. Measured
 *   about 1.2 for the users table (the ROW event's row image plus certification keys for the
 *   primary and unique keys); 2 leaves room for rows wider than the sampled ones and more indexes.
 * - WRITE_SET_LIMIT_SHARE: never plan past half of wsrep_max_ws_size (the estimate is an average
 *   of the first rows; a chunk that is refused anyway is split, resume/resumable-load.ts).
 * - MAX_CHUNK_ROWS: narrow rows still commit at least every 100,000 rows (the checkpoint's grain).
 */
export const WRITE_SET_TARGET_BYTES = 4 * 1024 * 1024;
export const WRITE_SET_PER_ENCODED_BYTE = 2;
export const WRITE_SET_LIMIT_SHARE = 0.5;
export const MAX_CHUNK_ROWS = 100_000;
/** When no row could be sampled (the load itself then says why): the users table's row, rounded up. */
export const UNKNOWN_ROW_BYTES = 100;

/**
 * Rows per committed chunk on this cluster for rows of `encodedRowBytes` (their average LOAD DATA
 * text; undefined when unknown): the write-set budget over the estimated write set of a row, under
 * wsrep_max_ws_rows when it is set (the checkpoint row is in the same write set).
 */
export function galeraChunk(cluster: ClusterInfo, encodedRowBytes: number | undefined): ClusterChunk {
  const encoded = Math.max(1, Math.ceil(encodedRowBytes ?? UNKNOWN_ROW_BYTES));
  const perRow = encoded * WRITE_SET_PER_ENCODED_BYTE;
  const limit = cluster.maxWsSize > 0 ? Math.floor(cluster.maxWsSize * WRITE_SET_LIMIT_SHARE) : Infinity;
  const budget = Math.min(WRITE_SET_TARGET_BYTES, limit);
  const bySize = Math.floor(budget / perRow);
  const byRows = cluster.maxWsRows > 0 ? cluster.maxWsRows - 1 : Infinity;
  const rows = Math.max(1, Math.min(bySize, byRows, MAX_CHUNK_ROWS));
  const measured =
    encodedRowBytes === undefined
      ? `rows of unknown size taken as ${encoded} bytes`
      : `${encoded} bytes per row encoded (the first rows' average)`;
  const target =
    budget < WRITE_SET_TARGET_BYTES
      ? `half of wsrep_max_ws_size ${cluster.maxWsSize}`
      : `the ${WRITE_SET_TARGET_BYTES} bytes aimed at`;
  const capped =
    rows === byRows
      ? `, capped by wsrep_max_ws_rows ${cluster.maxWsRows} less the checkpoint row`
      : rows === MAX_CHUNK_ROWS && bySize > MAX_CHUNK_ROWS
        ? `, capped at ${MAX_CHUNK_ROWS} rows`
        : '';
  return {
    rows,
    reason: `${measured}, x${WRITE_SET_PER_ENCODED_BYTE} for the write set: ${target} / ${perRow} bytes${capped}`,
  };
}

/** errno 1180 (commit failed) or 1105 whose message says a write-set limit was hit (in the cause chain). */
export function isWriteSetTooBig(error: unknown): boolean {
  for (const e of errorChain(error)) {
    const text = String(e.sqlMessage ?? e.message ?? '');
    if (
      (e.errno === 1180 || e.errno === 1105) &&
      /wsrep_max_ws_rows exceeded|Maximum writeset size exceeded/i.test(text)
    )
      return true;
  }
  return false;
}

/** "Galera cluster, 3 nodes, this one Synced": for the summary and explain. */
export function describeCluster(cluster: ClusterInfo): string {
  return `Galera cluster of ${cluster.size} node${cluster.size === 1 ? '' : 's'} (this node ${cluster.state}${cluster.primary ? ', Primary' : ', not Primary'})`;
}
