import { SluiceError } from './errors.js';
import type { DialectName, TableRef } from './dialects/dialect.js';
import { dialectFor } from './dialects/registry.js';
import { clusterLoad } from './cluster-options.js';
import { explain } from './load.js';
import { resumableLoad, type SessionSlot } from './resume/resumable-load.js';
import { PARALLEL_COMMIT_EVERY, parallelLoad, parallelNote } from './parallel/parallel-load.js';
import { batchesNote, isObjectCollection, parallelBatches } from './parallel/parallel-batches.js';
import type { LoadOptions } from './options.js';
import type { ExplainReport, LoadReport } from './report.js';
import type { LoadInput } from './sources/from-input.js';

/** An open database: load into it, explain a load, close it. */
export interface Handle {
  readonly dialect: DialectName;
  /** Loads `input` into `table`; resolves with the report after the final COMMIT. */
  load(table: string | TableRef, input: LoadInput, options?: LoadOptions): Promise<LoadReport>;
  /** The plan and SQL for the same load, writing nothing. */
  explain(table: string | TableRef, input: LoadInput, options?: LoadOptions): Promise<ExplainReport>;
  /** Closes the connection if sluice opened it; a client passed in stays open. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Only explain() will be called: a missing SQLite file is not created (an empty in-memory
   * database stands in), and a connection opened from a URL runs read-only transactions.
   */
  readonly readOnly?: boolean;
}

/**
 * Opens a database by URL (`sqlite:app.db`, `postgres://…`, `mysql://…`) or wraps a driver client
 * you already have (better-sqlite3 Database, pg Client or Pool, mysql2 connection or pool).
 */
export async function open(target: string | object, options: OpenOptions = {}): Promise<Handle> {
  const dialect = dialectFor(target);
  // A URL can be connected to again after a transient failure; a client passed in cannot.
  const slot: SessionSlot = {
    session: await dialect.connect(target, options),
    reconnect:
      typeof target === 'string'
        ? () => dialect.connect(target, { ...options, failedNode: slot.session.node })
        : undefined,
    ...(typeof target === 'string'
      ? { partner: () => dialect.connect(target, { ...options, node: slot.session.node }) }
      : {}),
  };
  // More connections to the same database, for a parallel load's shares: from the URL, or the
  // pool; a single client passed in is one connection (parallelLoad and parallelBatches refuse it).
  const more =
    typeof target === 'string' || dialect.isPool?.(target) === true
      ? async (): Promise<SessionSlot> => {
          const extra: SessionSlot = {
            session: await dialect.connect(target, options),
            reconnect:
              typeof target === 'string'
                ? () => dialect.connect(target, { ...options, failedNode: extra.session.node })
                : undefined,
          };
          return extra;
        }
      : undefined;
  let busy = false;
  // One load at a time per handle: two loads interleaving on one connection would share a
  // transaction and lose atomicity without a sound.
  const exclusive = async <T>(run: () => Promise<T>): Promise<T> => {
    if (busy)
      throw new SluiceError(
        'BAD_USAGE',
        'this handle is already running a load; open another handle to run two loads at once (or load with parallel: N)',
      );
    busy = true;
    try {
      return await run();
    } finally {
      busy = false;
    }
  };
  return {
    dialect: slot.session.dialect,
    load: (table, input, options) =>
      exclusive(async () => {
        const run = await clusterLoad(slot.session, input, options ?? {});
        if (run.fragments) await slot.session.replicateInFragments?.(true);
        try {
          const parallel = (run.options.parallel ?? 1) > 1;
          const report =
            parallel && isObjectCollection(input)
              ? await parallelBatches({ first: slot, open: more }, table, input, run.options)
              : parallel
                ? await parallelLoad({ first: slot, open: more }, table, input, run.options)
                : await resumableLoad(slot, table, input, run.options);
          return run.note === undefined ? report : { ...report, notes: [run.note, ...report.notes] };
        } finally {
          if (run.fragments) await slot.session.replicateInFragments?.(false).catch(() => undefined);
        }
      }),
    explain: (table, input, options) =>
      exclusive(async () => {
        const run = await clusterLoad(slot.session, input, options ?? {});
        const report = await explain(slot.session, table, input, run.options);
        const n = run.options.parallel ?? 1;
        const commitEvery = run.options.commitEvery ?? PARALLEL_COMMIT_EVERY;
        const parallel =
          n <= 1
            ? undefined
            : isObjectCollection(input)
              ? batchesNote(0, n, commitEvery, 'would load')
              : parallelNote(n, n, commitEvery, 'would load');
        const notes = [run.note, parallel].filter((note) => note !== undefined);
        return notes.length === 0 ? report : { ...report, notes: [...notes, ...report.notes] };
      }),
    close: () => slot.session.close(),
  };
}
