import { errorChain } from '../../util/error-chain.js';
import type { ClusterInfo } from '../dialect.js';
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

/** Rows per chunk when the user gave no --commit-every: well under the write-set limits. */
export const GALERA_CHUNK_ROWS = 50_000;

/**
 * Rows per committed chunk on this cluster: GALERA_CHUNK_ROWS, or fewer when the cluster limits
 * write sets to fewer rows (the checkpoint row is in the same write set).
 */
export function galeraChunkRows(cluster: ClusterInfo): number {
  if (cluster.maxWsRows > 0) return Math.max(1, Math.min(GALERA_CHUNK_ROWS, cluster.maxWsRows - 1));
  return GALERA_CHUNK_ROWS;
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
