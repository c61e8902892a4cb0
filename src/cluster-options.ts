import type { Session } from './dialects/dialect.js';
import { averageEncodedRowBytes } from './encoded-row-size.js';
import type { LoadOptions } from './options.js';
import type { LoadInput } from './sources/from-input.js';

/** Reconnections after a transient failure on a cluster: a lost node stalls the others 5-7 s. */
export const CLUSTER_RETRIES = 6;

/** How a load runs given the server it landed on: the options to run it with, and what to say. */
export interface ClusterLoad {
  readonly options: LoadOptions;
  /** Run the load as one transaction replicated in fragments (Galera streaming replication). */
  readonly fragments: boolean;
  /** For the summary and explain: the cluster and what sluice does about it. */
  readonly note: string | undefined;
}

/**
 * `commitEvery: 0` asks for one transaction (the default everywhere but on a cluster). On a
 * Galera node a file is committed in chunks under the cluster's write-set limits, each with its
 * checkpoint, so that a node lost in the middle costs a failover, not the load (rows per chunk from
 * the limits and the file's first rows as encoded, Session.clusterChunkRows); a stream (which
 * cannot be read again from a checkpoint) and an explicit `commitEvery: 0` go as one transaction
 * replicated in fragments: atomic, and never one giant write set.
 */
export async function clusterLoad(
  session: Session,
  input: LoadInput,
  options: LoadOptions,
): Promise<ClusterLoad> {
  const oneTransaction = options.commitEvery === 0;
  const base: LoadOptions = oneTransaction ? { ...options, commitEvery: undefined } : options;
  const cluster = session.cluster;
  if (cluster === undefined) return { options: base, fragments: false, note: undefined };
  const through = session.node === undefined ? '' : `, loading through ${session.node}`;
  const node = `Galera cluster of ${cluster.size} nodes${through}`;
  const limits = `write sets limited to ${cluster.maxWsRows > 0 ? `${cluster.maxWsRows} rows and ` : ''}${cluster.maxWsSize} bytes`;
  const file = typeof input === 'string' && input !== '-';
  if (oneTransaction || (!file && options.commitEvery === undefined)) {
    const why = oneTransaction ? 'as asked (--commit-every 0)' : 'a stream cannot go on from a checkpoint';
    return {
      options: base,
      fragments: true,
      note: `${node} (${limits}): one transaction, ${why}, replicated in fragments of 10000 rows as it goes (streaming replication)`,
    };
  }
  const sized =
    options.commitEvery === undefined && typeof input === 'string' && session.clusterChunkRows !== undefined
      ? session.clusterChunkRows(await averageEncodedRowBytes(session, input, options))
      : undefined;
  const chunk = options.commitEvery ?? sized?.rows;
  const why = sized === undefined ? (chunk === undefined ? '' : ' (--commit-every)') : ` (${sized.reason})`;
  const retries = options.retries ?? CLUSTER_RETRIES;
  return {
    options: { ...options, commitEvery: chunk, retries },
    fragments: false,
    note: `${node} (${limits}): a commit every ${chunk} rows${why}, each with its checkpoint; a lost node is failed over and the load goes on from the last checkpoint (up to ${retries} times); a chunk over the write-set limits is split`,
  };
}
