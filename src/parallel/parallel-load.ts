import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Session, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import { tableRef, validateOptions, type LoadOptions } from '../options.js';
import type { LoadReport } from '../report.js';
import { CheckpointTable, type Checkpoint } from '../resume/checkpoint-table.js';
import {
  displayName,
  readCheckpoint,
  resumableLoad,
  type LoadShare,
  type SessionSlot,
} from '../resume/resumable-load.js';
import type { LoadInput } from '../sources/from-input.js';
import { createMissingTable, refuseWithoutConnections } from './before-shares.js';
import { parallelFile, type ParallelFile } from './parallel-file.js';
import { mergeRejects, partRejectsPath, removePartRejects } from './part-rejects.js';
import { shareBounds, type Share } from './share-bounds.js';
import { shareKey } from './share-key.js';
import { ShareProgress } from './share-progress.js';
import { sumReports, type ShareOutcome } from './share-reports.js';
import { staleCheckpoints } from './stale-checkpoints.js';

/**
 * The chunk a parallel load commits when --commit-every is not given: each share commits its own
 * chunks with its own checkpoint, so a killed load resumes exactly once.
 */
export const PARALLEL_COMMIT_EVERY = 100_000;

/** The connections a parallel load runs on. */
export interface ParallelSessions {
  /** The handle's own connection: a share's, and the one the parallel load's own queries use. */
  readonly first: SessionSlot;
  /**
   * Another connection to the same database (from the URL, or the pool); undefined when the
   * handle wraps one client, which cannot be multiplied.
   */
  readonly open: (() => Promise<SessionSlot>) | undefined;
}

/**
 * `--parallel N`: the file is cut into N shares at record ends (share-bounds.ts), and N connections
 * each load one share at once, as a checkpointed load of its own (resumableLoad with a LoadShare):
 * raw bytes stay raw, each share's COPY / LOAD DATA takes its own byte range, commits every
 * `commitEvery` rows with a checkpoint row of its own, and a resume goes on in each share from its
 * checkpoint. Not one transaction. One share failing stops the others at their next commit point
 * (their open chunk rolls back) and the error says what is committed and how to go on.
 */
export async function parallelLoad(
  sessions: ParallelSessions,
  table: string | TableRef,
  input: LoadInput,
  options: LoadOptions,
): Promise<LoadReport> {
  const started = performance.now();
  validateOptions(options);
  const n = options.parallel!;
  const session = sessions.first.session;
  refuseWithoutConnections(session, sessions.open !== undefined, n);
  const file: ParallelFile = await parallelFile(input, options, n);
  const ref = tableRef(table);
  const target = displayName(ref);
  const path = resolve(file.path);
  const notice = options.onNotice ?? (() => undefined);
  // On a Galera cluster clusterLoad (handle.ts) has set the chunk its write-set limits allow.
  const commitEvery = options.commitEvery ?? PARALLEL_COMMIT_EVERY;
  // The first connection may be replaced by a reconnection while the shares run.
  const checkpoints = () => new CheckpointTable(sessions.first.session);
  const stale = await staleCheckpoints(session, target, path, n, options.resume === true);
  if (options.resume !== true && stale.length > 0) {
    notice(
      `an interrupted load of ${file.path} into ${target} left checkpoints: starting again from the beginning replaces them (add --resume to go on from them instead)`,
    );
    await checkpoints().removeAll(target, stale);
  }
  const info = await stat(file.path);
  const shares = await shareBounds(file.path, info.size, n, file.layout);
  const keys = shares.map((s) => shareKey(path, s.part, n));
  const rejectsOf = (share: Share) =>
    typeof options.rejects === 'string' ? partRejectsPath(options.rejects, share.part, n) : options.rejects;
  // One query at a time: they share the first connection.
  const saved: (Checkpoint | undefined)[] = [];
  for (const key of keys)
    saved.push(options.resume === true ? await readCheckpoint(session, target, key) : undefined);
  if (options.resume === true && saved.every((c) => c === undefined))
    notice(`nothing to resume for ${target}: starting from the beginning of ${file.path}`);
  // A share with no row never committed a row: its rejects file is from another load.
  for (const share of shares)
    if (saved[share.part - 1] === undefined && typeof options.rejects === 'string')
      await removePartRejects(options.rejects, share.part, n);

  const ddl = await createMissingTable(session, ref, file.path, options);
  // Made once here rather than by N shares racing to create it.
  await checkpoints().ensure();
  const progress = new ShareProgress(shares, saved, info.size, options.onProgress);
  const controller = new AbortController();
  const slots: SessionSlot[] = [];
  const outcomes: ShareOutcome[] = [];
  try {
    const runs = shares.map(async (share, i): Promise<void> => {
      const checkpoint = saved[i];
      if (checkpoint !== undefined && isDone(checkpoint, share)) {
        outcomes[i] = { done: checkpoint };
        return;
      }
      const first = slots.length === 0;
      if (first) slots.push(sessions.first);
      const loadShare: LoadShare = {
        key: keys[i]!,
        start: share.start,
        end: share.end < info.size ? share.end : undefined,
        signal: controller.signal,
      };
      try {
        const slot = first ? sessions.first : await sessions.open!();
        if (!first) slots.push(slot);
        const report = await resumableLoad(
          slot,
          table,
          file.path,
          {
            ...options,
            ...(share.part > 1 ? file.dialectFixed : {}),
            commitEvery,
            rejects: rejectsOf(share),
            onProgress: (p) => progress.update(i, p),
            onNotice: (message) => notice(`part ${share.part} of ${n}: ${message}`),
          },
          loadShare,
        );
        outcomes[i] = { report };
      } catch (error) {
        outcomes[i] = { error, stopped: controller.signal.aborted };
        controller.abort();
      }
    });
    await Promise.all(runs);
    const failed = outcomes.findIndex((o) => 'error' in o && !o.stopped);
    if (failed !== -1 || outcomes.some((o) => 'error' in o))
      throw await failure(outcomes, failed === -1 ? outcomes.findIndex((o) => 'error' in o) : failed, {
        n,
        session: sessions.first.session,
        ref,
        target,
        keys,
        created: ddl !== undefined,
      });
    if (typeof options.rejects === 'string') await mergeRejects(options.rejects, n, shares);
    // One statement: a kill before it leaves every share's row, done, for a resume to find.
    await checkpoints().removeAll(target, keys);
    if (typeof options.rejects === 'string')
      for (const share of shares) await removePartRejects(options.rejects, share.part, n);
    const seconds = (performance.now() - started) / 1000;
    return sumReports(outcomes, {
      table: target,
      dialect: session.dialect,
      seconds,
      ddl,
      parallel: shares.length,
      note: parallelNote(shares.length, n, commitEvery, 'loaded'),
    });
  } finally {
    for (const slot of slots) if (slot !== sessions.first) await slot.session.close().catch(() => undefined);
  }
}

/** What a parallel load does, for the report and for explain. */
export function parallelNote(shares: number, n: number, commitEvery: number, verb: string): string {
  return `${verb} over ${shares} connections (--parallel ${n}), each committing every ${commitEvery} rows with its own checkpoint: not one transaction`;
}

/** A share whose checkpoint stands at its end (or past its last record) has nothing left to load. */
function isDone(checkpoint: Checkpoint, share: Share): boolean {
  return checkpoint.offset >= share.end;
}

/** The first share's error, with what all shares committed and how to go on. */
async function failure(
  outcomes: readonly ShareOutcome[],
  index: number,
  load: {
    readonly n: number;
    readonly session: Session;
    readonly ref: TableRef;
    readonly target: string;
    readonly keys: readonly string[];
    readonly created: boolean;
  },
): Promise<unknown> {
  const outcome = outcomes[index]!;
  const error = 'error' in outcome ? outcome.error : undefined;
  const committed = outcomes.reduce((sum, o) => {
    if ('done' in o) return sum + o.done.rowsLoaded;
    if ('report' in o) return sum + o.report.rowsLoaded;
    return sum + (o.error instanceof SluiceError ? (o.error.rowsCommitted ?? 0) : 0);
  }, 0);
  const sluice =
    error instanceof SluiceError ? error : new SluiceError('LOAD_FAILED', String(error), { cause: error });
  if (committed === 0 && load.created) {
    // Nothing of the load stayed: the table it created goes, and the checkpoints with it.
    await load.session.execute(`DROP TABLE ${load.session.sql.table(load.ref)}`).catch(() => undefined);
    await new CheckpointTable(load.session).removeAll(load.target, load.keys).catch(() => undefined);
  }
  const how =
    committed === 0
      ? 'nothing of the load is committed'
      : `${committed} rows are committed over the ${load.n} parts, each with its checkpoint: run the same command with --resume to go on from them`;
  return sluice.with({
    rowsCommitted: committed,
    writeStarted: committed > 0 || sluice.writeStarted,
    hint: [sluice.hint, `part ${index + 1} of ${load.n} failed and stopped the others; ${how}`]
      .filter((h) => h !== undefined)
      .join('\n'),
  });
}
