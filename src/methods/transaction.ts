import { setTimeout as sleep } from 'node:timers/promises';
import type { RowCounts, Session } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { Plan } from '../plan/plan.js';

// SQLSTATEs, errnos and codes of a transaction that lost a lock race: deadlock, serialization
// failure, lock wait timeout, SQLite's busy database.
const LOCK_RACE = /\b(40P01|40001|ER_LOCK_DEADLOCK|1213|ER_LOCK_WAIT_TIMEOUT|1205|SQLITE_BUSY)\b/;
/** Attempts at a unit that keeps losing lock races, before the load fails with DEADLOCK. */
export const LOCK_RACE_ATTEMPTS = 8;

/** The database chose this statement as a deadlock victim, or refused it for a serialization failure. */
export function lostLockRace(session: Session, error: unknown): boolean {
  const { message, code } = session.describeError(error);
  return LOCK_RACE.test(`${code ?? ''} ${message}`);
}

/** A pause before another attempt, growing with `attempt`, randomized so two racers part. */
export function lockRacePause(attempt: number): Promise<void> {
  return sleep(Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random()));
}

/**
 * Thrown when the work of a savepoint failed and rolling back to the savepoint failed too: the
 * database ended the whole transaction (InnoDB rolls a deadlock victim's transaction back,
 * savepoints included). `replayable`: nothing was written in that transaction before the work, so
 * a caller that still holds the work's rows can run it again in a new one (`replaying`).
 */
export class TransactionLost extends Error {
  constructor(
    readonly error: unknown,
    readonly replayable: boolean,
  ) {
    super('the database rolled the whole transaction back', { cause: error });
  }
}

/** What a COMMIT makes durable; the checkpoint of a resumable load is written from it. */
export interface CommitPoint {
  /** Rows this COMMIT makes durable. */
  readonly rows: number;
  /** Rows durable once it is acknowledged, in all. */
  readonly total: number;
  /**
   * What the rows durable once it is acknowledged did, in all: inserted, updated (an upsert's
   * existing keys), unchanged. Rows the database refused (skip mode) are in `total`, not here.
   */
  readonly counts: RowCounts;
  /** The source position just after the last record written before it, when the method knows it. */
  readonly last: { readonly ordinal: number; readonly end: number } | undefined;
}

export interface CommitHooks {
  /**
   * Runs inside the load's transaction right after its BEGIN, before the first row (the drop of
   * --defer-constraints): what it does is undone with the rows if the load fails.
   */
  readonly afterBegin?: () => Promise<void>;
  /**
   * Runs inside the transaction just before each COMMIT: what it writes commits with the rows.
   * `session` is the connection the transaction is on (the load's own, or its partner's when
   * commits take turns: LoadTransaction's `partner`).
   */
  readonly beforeCommit?: (point: CommitPoint, session: Session) => Promise<void>;
  /** Runs once the COMMIT is acknowledged. */
  readonly afterCommit?: (point: CommitPoint) => void;
}

/**
 * The one owner of a load's transaction boundaries. Methods, the raw CSV copy and the bulk paths
 * never BEGIN, COMMIT or take savepoints themselves: they say how many rows they wrote (`wrote`),
 * ask how many they may write before the next commit point (`room`), and run retries inside
 * `savepoint`. A commit falls after exactly `commitEvery` rows (the last one after fewer), and
 * nothing counts as committed before the database acknowledged the COMMIT.
 *
 * Modes, from the plan: 'single' (one transaction, committed by `finish`), every N rows, or
 * 'autocommit' (the row method: each statement commits on its own, through `autocommit`).
 */
export class LoadTransaction {
  private open = false;
  private pending = 0;
  private durable = 0;
  private pendingCounts: RowCounts = NONE;
  private durableCounts: RowCounts = NONE;
  private last: CommitPoint['last'];
  private depth = 0;
  /** The open transaction holds writes besides the rows counted (parents a ref created). */
  private besideRows = false;
  readonly commitEvery: number | undefined;
  /** The connection the open transaction is on: the load's own, or its partner's turn. */
  private current: Session;
  /** The other connection's COMMIT, sent and not yet acknowledged (commits taking turns). */
  private flight: Promise<void> | undefined;
  /** The second connection while commits take turns (`takeTurns` until `rehome`). */
  private partner: Session | undefined;

  constructor(
    private readonly session: Session,
    readonly mode: Plan['transaction'],
    private readonly hooks: CommitHooks = {},
    /**
     * A second connection to the same server, for commits that take turns (a Galera cluster,
     * where a COMMIT waits while the write set goes to the other nodes): at a commit point the
     * COMMIT is sent and the next chunk's transaction opens on the other connection at once, so
     * the chunk loads while the COMMIT before it is still on its way. The COMMIT before must be
     * acknowledged before this one's commit hook runs, so chunks commit in order, each with the
     * checkpoint of the rows through it, and nothing counts as durable before its COMMIT is.
     * Unused until a method whose every statement goes through `active` asks (`takeTurns`).
     */
    private readonly spare?: Session,
  ) {
    this.commitEvery = typeof mode === 'object' ? mode.commitEvery : undefined;
    this.current = session;
  }

  /** The connection the open transaction is on: where the next statement of the load goes. */
  get active(): Session {
    return this.current;
  }

  /**
   * From the next commit point on, commits take turns on the spare connection, if there is one and
   * there are commit points. Only for a method that sends every statement to `active` and goes
   * back to the load's connection (`rehome`) before anything else: the raw copy of a file.
   */
  takeTurns(): void {
    if (this.commitEvery !== undefined) this.partner = this.spare;
  }

  /** Rows made durable so far. */
  get committed(): number {
    return this.durable;
  }

  get transactional(): boolean {
    return this.mode !== 'autocommit';
  }

  /** Opens the load's transaction (none in autocommit mode). */
  async begin(): Promise<void> {
    if (!this.transactional || this.open) return;
    await this.current.begin();
    this.open = true;
    await this.hooks.afterBegin?.();
  }

  /**
   * Something besides rows was written in the open transaction that rows not written yet refer to
   * (the parents --create-missing-refs inserts, whose ids the rows carry): when a lost lock race
   * ends the transaction, those ids are gone with it (on Galera another node's load may have
   * committed the same parents with other ids), so the rows held cannot be replayed as they are;
   * the load fails with DEADLOCK instead, and a checkpointed load goes on from its checkpoint,
   * resolving the keys again.
   */
  wroteBesideRows(): void {
    if (this.open) this.besideRows = true;
  }

  /** Rows that may be written before the next commit point: Infinity when there is none. */
  room(): number {
    return this.commitEvery === undefined ? Infinity : this.commitEvery - this.pending;
  }

  /**
   * Rows that may be written before the next commit point once `rows` more have been written (a
   * batch read ahead while the one before it is still on the wire). When they end exactly at a
   * commit point, the next one is a whole `commitEvery` away.
   */
  roomAfter(rows: number): number {
    if (this.commitEvery === undefined) return Infinity;
    const left = (this.commitEvery - this.pending - rows) % this.commitEvery;
    return left <= 0 ? left + this.commitEvery : left;
  }

  /**
   * Counts rows written inside the transaction (not durable yet), with the position after the
   * last of them; at a commit point, commits and opens the next transaction. A write that passes
   * a commit point is a method's bug, refused rather than committed at the wrong place.
   */
  async wrote(rows: number, last?: CommitPoint['last'], counts?: RowCounts): Promise<void> {
    if (rows === 0) return;
    this.pending += rows;
    this.pendingCounts = add(this.pendingCounts, counts ?? { inserted: rows, updated: 0, unchanged: 0 });
    if (last !== undefined) this.last = last;
    if (this.commitEvery === undefined) return;
    if (this.pending > this.commitEvery)
      throw new Error(`${this.pending} rows written past a commit point every ${this.commitEvery}`);
    if (this.pending === this.commitEvery) {
      if (this.partner !== undefined) await this.commitInTurn();
      else await this.commitPending();
      await this.current.begin();
      this.open = true;
    }
  }

  /**
   * A statement that commits on its own (autocommit mode). Where the database reports what it
   * changed only after the statement ran (MySQL's warnings: `capabilities.vetsBeforeCommit`), or a
   * hook must commit with it, it runs in a transaction of its own that commits only if the
   * statement resolved.
   */
  async autocommit<T>(
    rows: number,
    statement: () => Promise<T>,
    last?: CommitPoint['last'],
    /** What the statement did, from its result (an upsert's counts); inserted rows when not given. */
    counted?: (result: T) => RowCounts,
  ): Promise<T> {
    const tally = (result: T): void => {
      this.pending += rows;
      this.pendingCounts = add(
        this.pendingCounts,
        counted?.(result) ?? { inserted: rows, updated: 0, unchanged: 0 },
      );
      this.last = last ?? this.last;
    };
    const wrapped =
      this.current.capabilities.vetsBeforeCommit === true || this.hooks.beforeCommit !== undefined;
    if (!wrapped) {
      const result = await statement();
      tally(result);
      this.markDurable();
      return result;
    }
    await this.current.begin();
    this.open = true;
    try {
      const result = await statement();
      tally(result);
      await this.commitPending();
      return result;
    } catch (error) {
      await this.rollback();
      throw error;
    }
  }

  /**
   * Runs `work` inside a savepoint: released when it resolves, rolled back to (and released) when
   * it throws, and the error rethrown. Savepoints nest. (Released: or left for the next savepoint
   * of its name to replace, where the database does so, see `savepointReplacesSameName`.)
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const outcome = await this.inSavepoint(work);
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }

  /**
   * `work` inside a savepoint; resolves to the error it threw (undone), or undefined. A failure
   * of the savepoint itself (the database rolled the whole transaction back) is thrown, never
   * mistaken for the work's.
   */
  async attempt(work: () => Promise<unknown>): Promise<unknown> {
    const outcome = await this.inSavepoint(work);
    return 'error' in outcome ? outcome.error : undefined;
  }

  private async inSavepoint<T>(work: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
    const name = `sluice_sp_${++this.depth}`;
    // Where the next SAVEPOINT of this name replaces this one, it is left to it (and to COMMIT):
    // a rollback always goes to the latest savepoint of its name, set just before the work.
    const release = this.current.capabilities.savepointReplacesSameName !== true;
    try {
      await this.current.savepoint(name);
      let value: T;
      try {
        value = await work();
      } catch (error) {
        if (error instanceof TransactionLost) throw error;
        try {
          await this.current.rollbackToSavepoint(name);
          if (release) await this.current.releaseSavepoint(name);
        } catch {
          // No savepoint left to go back to: the transaction is gone, and with it what it held.
          const replayable = this.pending === 0 && !this.besideRows;
          this.open = false;
          this.clearPending();
          throw new TransactionLost(error, replayable);
        }
        return { error };
      }
      if (release) await this.current.releaseSavepoint(name);
      return { value };
    } finally {
      this.depth--;
    }
  }

  /**
   * Runs `work`, a unit of rows the caller still holds, written inside savepoints. When a lost lock
   * race ended the whole transaction (`TransactionLost`) and nothing else was written in it, a new
   * transaction is begun and `work` runs again, up to LOCK_RACE_ATTEMPTS times with a growing
   * pause. Past that, or when rows written before the unit went with the transaction (or `replay`
   * is false: the work has effects outside the transaction, such as rejected rows written), the load
   * fails with DEADLOCK naming the race; that error is transient, so a checkpointed load reconnects
   * and goes on from its last checkpoint. Any other loss (a dropped connection) is rethrown as it is.
   */
  async replaying<T>(work: () => Promise<T>, replay = true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof TransactionLost)) throw error;
        if (!lostLockRace(this.current, error.error)) throw error.error;
        const { message, code } = this.current.describeError(error.error);
        const said = `${message}${code === undefined ? '' : ` (${code})`}`;
        const hint =
          this.commitEvery !== undefined
            ? 'a checkpointed load goes on from its last checkpoint (--retries); else run concurrent loads of the same keys one after the other'
            : 'run concurrent loads of the same keys one after the other, or use --commit-every: a transaction the database rolls back is then replayed from its checkpoint';
        if (!error.replayable || !replay)
          throw new SluiceError(
            'DEADLOCK',
            `the load lost a lock race (deadlock: another transaction writes the same keys) and the database rolled the whole transaction back, with rows written before that this load no longer holds: ${said}`,
            { cause: error.error, hint },
          );
        if (attempt >= LOCK_RACE_ATTEMPTS)
          throw new SluiceError(
            'DEADLOCK',
            `the load lost a lock race ${attempt} times (deadlock or serialization failure: another transaction writes the same keys), and the database rolled the whole transaction back each time: ${said}`,
            { cause: error.error, hint },
          );
        await lockRacePause(attempt);
        await this.current.begin();
        this.open = true;
      }
    }
  }

  /** The final COMMIT of a load that ran to the end. */
  async finish(): Promise<void> {
    await this.settle();
    if (this.open) await this.commitPending();
  }

  /**
   * Back to the load's own connection, commits no longer taking turns: for a method's error paths
   * (a part to search, or to load parsed), which run on the load's session. Only at a commit
   * point, the open transaction empty (its part rolled back to its savepoint): it is rolled back on
   * the partner and opened again on the load's session. A COMMIT still on its way is waited for
   * first, and its failure thrown.
   */
  async rehome(): Promise<void> {
    const partner = this.partner;
    this.partner = undefined;
    await this.settle();
    if (partner === undefined || this.current === this.session) return;
    if (this.pending !== 0 || this.besideRows)
      throw new Error('commits taking turns cannot move a transaction that holds rows');
    if (this.open) await this.current.rollback();
    this.current = this.session;
    if (this.open) await this.current.begin();
  }

  /** Undoes what is not committed; quiet, as the connection may be gone (the server then rolls back). */
  async rollback(): Promise<void> {
    // The other connection's COMMIT still on its way ends as it ends; its failure is not this one's.
    await this.settle().catch(() => undefined);
    if (!this.open) return;
    this.open = false;
    this.clearPending();
    try {
      await this.current.rollback();
    } catch {
      // A lost connection rolls the open transaction back on the server.
    }
  }

  private async commitPending(): Promise<void> {
    await this.hooks.beforeCommit?.(this.point(), this.current);
    this.open = false;
    await this.current.commit();
    this.markDurable();
  }

  /**
   * The COMMIT at a commit point, sent without waiting for it, and the next transaction's
   * connection switched to the other one. The COMMIT before it, on the other connection, is
   * waited for first: this one's hook (the checkpoint row) then writes after it, and if it
   * failed, this transaction is not committed (the error is thrown, the load rolls it back).
   */
  private async commitInTurn(): Promise<void> {
    await this.settle();
    const point = this.point();
    await this.hooks.beforeCommit?.(point, this.current);
    this.open = false;
    const committing = this.current;
    this.clearPending();
    const flight = committing.commit().then(() => this.durableAt(point));
    // Its outcome is taken by settle(); until then a rejection is not an unhandled one.
    flight.catch(() => undefined);
    this.flight = flight;
    this.current = committing === this.session ? this.partner! : this.session;
  }

  /** Waits for the COMMIT on its way, if any; its failure is thrown. */
  private async settle(): Promise<void> {
    const flight = this.flight;
    this.flight = undefined;
    await flight;
  }

  private markDurable(): void {
    const point = this.point();
    this.clearPending();
    this.durableAt(point);
  }

  /** The rows of the open transaction are no longer pending: committed, on their way, or undone. */
  private clearPending(): void {
    this.pending = 0;
    this.pendingCounts = NONE;
    this.besideRows = false;
  }

  /** The COMMIT of `point` is acknowledged. */
  private durableAt(point: CommitPoint): void {
    this.durable = point.total;
    this.durableCounts = point.counts;
    this.hooks.afterCommit?.(point);
  }

  /** What the next COMMIT makes durable. */
  private point(): CommitPoint {
    return {
      rows: this.pending,
      total: this.durable + this.pending,
      counts: add(this.durableCounts, this.pendingCounts),
      last: this.last,
    };
  }
}

const NONE: RowCounts = { inserted: 0, updated: 0, unchanged: 0 };

function add(a: RowCounts, b: RowCounts): RowCounts {
  return {
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
  };
}
