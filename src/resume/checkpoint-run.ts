import type { RowCounts, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { CommitHooks } from '../methods/transaction.js';
import type { SourceStart } from '../sources/source.js';
import type { Checkpoint, CheckpointTable } from './checkpoint-table.js';
import type { SourceIdentity } from './source-identity.js';

/** What a load run did before it started: the runs before it, through the checkpoint it resumes. */
export interface RunBase {
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  /** What those rows did: inserted, updated, unchanged (an upsert's split). */
  readonly counts: RowCounts;
  readonly checkpoints: number;
}

/**
 * A share of a parallel load (src/parallel/parallel-load.ts), as its run sees it: where its part of
 * the file ends, the records before its first one, and the signal that stops it when another share
 * failed. Its checkpoint row stays when it finishes: the parallel load removes every share's row
 * at once, when all are done.
 */
export interface RunShare {
  /** The byte offset where the share's part of the file ends; undefined: at the file's end. */
  readonly end: number | undefined;
  /** The ordinal of the record before the share's first one (0 for the first share). */
  readonly origin: number;
  readonly signal: AbortSignal;
}

/**
 * The checkpoint table on another connection than the load's (Session.aside), for the run's work
 * before its first transaction; closed once that is done.
 */
export interface BeforeFirstTransaction {
  readonly table: CheckpointTable;
  readonly close: () => Promise<void>;
}

/**
 * One run of a checkpointed load, as load.ts sees it: where the source starts, what the runs
 * before it did, and the commit hooks that write the checkpoint inside each transaction.
 */
export class CheckpointRun {
  /** Checkpoints written, the earlier runs' included. */
  checkpoints: number;
  /** The position the last COMMIT of this run made durable, or where it started. */
  committed: { offset: number; ordinal: number; rowsLoaded: number } | undefined;

  constructor(
    private readonly table: CheckpointTable,
    readonly target: string,
    private readonly targetRef: TableRef,
    private readonly identity: SourceIdentity,
    private readonly optionsKey: string,
    /** Undefined: the load starts at the beginning of its file. */
    readonly start: SourceStart | undefined,
    readonly base: RunBase,
    private readonly share?: RunShare,
    /** Undefined: the work before the first transaction goes on the load's own connection. */
    private readonly opening?: BeforeFirstTransaction,
  ) {
    this.checkpoints = base.checkpoints;
    this.committed =
      start === undefined
        ? undefined
        : { offset: start.offset, ordinal: start.ordinal, rowsLoaded: base.rowsLoaded };
  }

  /** Where the source stops: a parallel share's end; undefined for the whole file. */
  get end(): number | undefined {
    return this.share?.end;
  }

  /** Before the load's first transaction: its row, at the start position, in the checkpoint table. */
  async begin(): Promise<void> {
    const table = this.opening?.table ?? this.table;
    await table.ensure();
    await table.checkTransactional(this.targetRef);
    const checkpoint: Checkpoint = {
      target: this.target,
      source: this.identity,
      options: this.optionsKey,
      offset: this.start?.offset ?? 0,
      ordinal: this.start?.ordinal ?? 0,
      rowsLoaded: this.base.rowsLoaded,
      rowsRejected: this.base.rowsRejected,
      counts: this.base.counts,
      checkpoints: this.base.checkpoints,
    };
    await table.start(checkpoint);
    await this.opening?.close();
  }

  /**
   * The hooks for LoadTransaction. `flushRejects` hands the rejects written so far to the OS before
   * the COMMIT; `dbRejected` counts the rows the database refused in this run so far (they count
   * towards the commit point, CommitPoint.total, but were not stored).
   */
  hooks(flushRejects: () => Promise<void>, dbRejected: () => number): CommitHooks {
    let pending: CheckpointRun['committed'];
    return {
      beforeCommit: async (point, session) => {
        // The final COMMIT after a chunk that ended on a commit point has nothing new to record.
        if (point.last === undefined || point.rows === 0) return;
        // Another share failed: this one stops at its next commit point, its open chunk rolled back.
        if (this.share?.signal.aborted === true)
          throw new SluiceError('LOAD_FAILED', 'stopped: another part of the parallel load failed');
        const rowsLoaded = this.base.rowsLoaded + point.total - dbRejected();
        await flushRejects();
        pending = { offset: point.last.end, ordinal: point.last.ordinal, rowsLoaded };
        // On the connection the transaction is on: the partner's, when commits take turns.
        await this.table.on(session).advance(this.target, this.identity.path, {
          offset: point.last.end,
          ordinal: point.last.ordinal,
          rowsLoaded,
          rowsRejected: point.last.ordinal - (this.share?.origin ?? 0) - rowsLoaded,
          counts: {
            inserted: this.base.counts.inserted + point.counts.inserted,
            updated: this.base.counts.updated + point.counts.updated,
            unchanged: this.base.counts.unchanged + point.counts.unchanged,
          },
          checkpoints: this.checkpoints + 1,
        });
      },
      afterCommit: () => {
        if (pending === undefined) return;
        this.committed = pending;
        pending = undefined;
        this.checkpoints++;
      },
    };
  }

  /** After the final COMMIT: the load is whole and its checkpoint goes. */
  async finish(): Promise<void> {
    if (this.share !== undefined) return;
    await this.table.remove(this.target, this.identity.path);
  }
}
