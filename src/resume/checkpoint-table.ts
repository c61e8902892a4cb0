import { createHash } from 'node:crypto';
import type { RowCounts, Session, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { SourceIdentity } from './source-identity.js';

/** The sluice-owned table holding one row per load in progress (docs/databases.md). */
export const CHECKPOINT_TABLE = 'sluice_checkpoints';

/** One load's checkpoint: where its source stands after the last COMMIT, and what it had done. */
export interface Checkpoint {
  readonly target: string;
  readonly source: SourceIdentity;
  /** The options that change what is loaded, as JSON (resume-options.ts). */
  readonly options: string;
  /** The byte offset just after the last committed record. */
  readonly offset: number;
  /** Records read through that offset, refused ones included. */
  readonly ordinal: number;
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  /** What the loaded rows did (an upsert's inserted / updated / unchanged), every run counted. */
  readonly counts: RowCounts;
  /** Checkpoints written so far, every run of the load counted. */
  readonly checkpoints: number;
}

/** The columns that say which load a row is for. */
const IDENTITY_COLUMNS = [
  'target_key',
  'target_table',
  'source_path',
  'source_size',
  'source_mtime_ns',
  'source_head_sha256',
  'load_options',
] as const;
/** The columns each checkpoint rewrites: where the load stands. */
const PROGRESS_COLUMNS = [
  'byte_offset',
  'record_ordinal',
  'rows_loaded',
  'rows_rejected',
  'checkpoints',
  'updated_at',
  'rows_inserted',
  'rows_updated',
  'rows_unchanged',
] as const;
const COLUMNS = [...IDENTITY_COLUMNS, ...PROGRESS_COLUMNS] as const;
/** Columns a table made by an earlier sluice lacks: added on first use, 0 for its rows. */
const ADDED_COLUMNS = ['rows_inserted', 'rows_updated', 'rows_unchanged'] as const;

/**
 * The checkpoint table on one session. Its row for a load is created before the load's first
 * transaction and updated inside each one, just before COMMIT (CommitHooks.beforeCommit), so the
 * position commits with the rows or not at all. Rows are keyed by the target table (its hash, so
 * that the key is a fixed-width CHAR on every database): loads into different tables touch
 * different rows and never wait for each other; an UPDATE by primary key locks only its own row.
 */
export class CheckpointTable {
  constructor(private readonly session: Session) {}

  /** The same table on another connection (a transaction on a load's partner connection). */
  on(session: Session): CheckpointTable {
    return session === this.session ? this : new CheckpointTable(session);
  }

  /** Creates the table if it is missing; a user who may not gets an error naming the right needed. */
  async ensure(): Promise<void> {
    const { session } = this;
    const existing = await session.describeTable({ name: CHECKPOINT_TABLE });
    if (existing !== undefined) return this.addMissingColumns(existing.columns.map((c) => c.name));
    const q = (name: string) => session.sql.quoteIdent(name);
    const int = session.sql.typeName('integer');
    const text = session.sql.typeName('text');
    const type: Record<(typeof COLUMNS)[number], string> = {
      target_key: 'CHAR(64) NOT NULL PRIMARY KEY',
      target_table: `${text} NOT NULL`,
      source_path: `${text} NOT NULL`,
      source_size: `${int} NOT NULL`,
      source_mtime_ns: `${text} NOT NULL`,
      source_head_sha256: 'CHAR(64) NOT NULL',
      load_options: `${text} NOT NULL`,
      byte_offset: `${int} NOT NULL`,
      record_ordinal: `${int} NOT NULL`,
      rows_loaded: `${int} NOT NULL`,
      rows_rejected: `${int} NOT NULL`,
      checkpoints: `${int} NOT NULL`,
      updated_at: `${text} NOT NULL`,
      rows_inserted: `${int} NOT NULL`,
      rows_updated: `${int} NOT NULL`,
      rows_unchanged: `${int} NOT NULL`,
    };
    const ddl = `CREATE TABLE IF NOT EXISTS ${q(CHECKPOINT_TABLE)} (${COLUMNS.map((c) => `${q(c)} ${type[c]}`).join(', ')})`;
    try {
      await session.execute(ddl);
    } catch (error) {
      // Two loads creating it at once: one of them may lose the race and find it made.
      if ((await session.describeTable({ name: CHECKPOINT_TABLE }).catch(() => undefined)) !== undefined)
        return;
      const { message } = session.describeError(error);
      throw new SluiceError(
        'LOAD_FAILED',
        `cannot create the checkpoint table ${CHECKPOINT_TABLE}: ${message}`,
        {
          cause: error,
          hint:
            `--commit-every writes its checkpoints in ${CHECKPOINT_TABLE}: it needs the CREATE privilege once ` +
            '(PostgreSQL: CREATE on the schema, MySQL/MariaDB: CREATE on the database), or the table made ' +
            'beforehand by someone who has it (docs/databases.md), then SELECT, INSERT, UPDATE and DELETE on it',
        },
      );
    }
  }

  /**
   * A table an earlier sluice made has no inserted / updated / unchanged columns: they are added
   * (0 for a row it left, whose rows then count as inserted, as that sluice counted them).
   */
  private async addMissingColumns(present: readonly string[]): Promise<void> {
    const { session } = this;
    const have = new Set(present.map((c) => c.toLowerCase()));
    const q = (name: string) => session.sql.quoteIdent(name);
    const int = session.sql.typeName('integer');
    for (const column of ADDED_COLUMNS) {
      if (have.has(column)) continue;
      try {
        await session.execute(
          `ALTER TABLE ${q(CHECKPOINT_TABLE)} ADD COLUMN ${q(column)} ${int} NOT NULL DEFAULT 0`,
        );
      } catch (error) {
        // Another load added it first.
        const now = await session.describeTable({ name: CHECKPOINT_TABLE }).catch(() => undefined);
        if (now?.columns.some((c) => c.name.toLowerCase() === column) === true) continue;
        const { message } = session.describeError(error);
        throw new SluiceError(
          'LOAD_FAILED',
          `cannot add the column ${column} to the checkpoint table ${CHECKPOINT_TABLE} (made by an earlier sluice): ${message}`,
          {
            cause: error,
            hint: `it needs the ALTER privilege on ${CHECKPOINT_TABLE} once, or the column added by someone who has it: ALTER TABLE ${CHECKPOINT_TABLE} ADD COLUMN ${column} ${int} NOT NULL DEFAULT 0 (docs/databases.md)`,
          },
        );
      }
    }
  }

  /**
   * Refuses checkpoints where they could not commit with the rows: the target or the checkpoint
   * table on a storage engine without transactions (MySQL's MyISAM, Aria, MEMORY), whose rows stay
   * as each statement (LOAD DATA included) writes them.
   */
  async checkTransactional(target: TableRef): Promise<void> {
    const split = await this.session.splitsBulkStatements?.();
    if (split !== undefined)
      throw new SluiceError(
        'BAD_USAGE',
        `--commit-every cannot checkpoint here: ${split}, so rows would be committed without their checkpoint`,
        {
          hint: 'an administrator can turn it off (SET GLOBAL wsrep_load_data_splitting = OFF; it is OFF by default since MariaDB 10.4), or load without --commit-every',
        },
      );
    const check = this.session.nonTransactionalEngine?.bind(this.session);
    if (check === undefined) return;
    for (const ref of [target, { name: CHECKPOINT_TABLE }]) {
      const engine = await check(ref);
      if (engine === undefined) continue;
      const name = this.session.sql.table(ref);
      throw new SluiceError(
        'BAD_USAGE',
        `--commit-every cannot checkpoint into ${name}: its ${engine} engine has no transactions, so its rows would stay without their checkpoint (or the checkpoint without them)`,
        {
          hint: `use a transactional engine (ALTER TABLE ${name} ENGINE=InnoDB), or load without --commit-every`,
        },
      );
    }
  }

  /**
   * The checkpoint of the load of `path` (resolved) into `target`; a table an earlier sluice made
   * gets the columns it lacks first.
   */
  async read(target: string, path: string): Promise<Checkpoint | undefined> {
    const existing = await this.session.describeTable({ name: CHECKPOINT_TABLE });
    if (existing === undefined) return undefined;
    await this.addMissingColumns(existing.columns.map((c) => c.name));
    const q = (name: string) => this.session.sql.quoteIdent(name);
    const p = (i: number) => this.session.sql.placeholder(i);
    const rows = await this.session.select(
      `SELECT ${COLUMNS.map(q).join(', ')} FROM ${q(CHECKPOINT_TABLE)} WHERE ${q('target_key')} = ${p(1)}`,
      [keyOf(target, path)],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const n = (i: number) => Number(row[i]);
    const rowsLoaded = n(9);
    const updated = n(14);
    const unchanged = n(15);
    return {
      target: String(row[1]),
      source: { path: String(row[2]), size: n(3), mtime: String(row[4]), headSha256: String(row[5]) },
      options: String(row[6]),
      offset: n(7),
      ordinal: n(8),
      rowsLoaded,
      rowsRejected: n(10),
      // A row an earlier sluice wrote has 0 in all three: its rows count as inserted.
      counts: { inserted: rowsLoaded - updated - unchanged, updated, unchanged },
      checkpoints: n(11),
    };
  }

  /** The files whose loads into `target` left a checkpoint. */
  async sourcesOf(target: string): Promise<string[]> {
    const q = (name: string) => this.session.sql.quoteIdent(name);
    const rows = await this.session.select(
      `SELECT ${q('source_path')} FROM ${q(CHECKPOINT_TABLE)} WHERE ${q('target_table')} = ${this.session.sql.placeholder(1)}`,
      [target],
    );
    return rows.map((r) => String(r[0]));
  }

  /** Writes the load's row outside any transaction, replacing what an earlier load left. */
  async start(checkpoint: Checkpoint): Promise<void> {
    await this.remove(checkpoint.target, checkpoint.source.path);
    const q = (name: string) => this.session.sql.quoteIdent(name);
    const c = checkpoint;
    await this.session.execute(
      `INSERT INTO ${q(CHECKPOINT_TABLE)} (${COLUMNS.map(q).join(', ')}) VALUES (${COLUMNS.map((_, i) => this.session.sql.placeholder(i + 1)).join(', ')})`,
      [
        keyOf(c.target, c.source.path),
        c.target,
        c.source.path,
        c.source.size,
        c.source.mtime,
        c.source.headSha256,
        c.options,
        c.offset,
        c.ordinal,
        c.rowsLoaded,
        c.rowsRejected,
        c.checkpoints,
        new Date().toISOString(),
        c.counts.inserted,
        c.counts.updated,
        c.counts.unchanged,
      ],
    );
  }

  /** Moves the load's row on; runs inside the transaction about to commit. */
  async advance(
    target: string,
    path: string,
    at: Pick<Checkpoint, 'offset' | 'ordinal' | 'rowsLoaded' | 'rowsRejected' | 'counts' | 'checkpoints'>,
  ): Promise<void> {
    const q = (name: string) => this.session.sql.quoteIdent(name);
    const p = (i: number) => this.session.sql.placeholder(i);
    const set = PROGRESS_COLUMNS;
    const changed = await this.session.execute(
      `UPDATE ${q(CHECKPOINT_TABLE)} SET ${set.map((c, i) => `${q(c)} = ${p(i + 1)}`).join(', ')} WHERE ${q('target_key')} = ${p(set.length + 1)}`,
      [
        at.offset,
        at.ordinal,
        at.rowsLoaded,
        at.rowsRejected,
        at.checkpoints,
        new Date().toISOString(),
        at.counts.inserted,
        at.counts.updated,
        at.counts.unchanged,
        keyOf(target, path),
      ],
    );
    if (changed !== 1)
      throw new SluiceError(
        'LOAD_FAILED',
        `the checkpoint of ${target} was removed from ${CHECKPOINT_TABLE} while the load ran (another load of the same table?)`,
      );
  }

  /**
   * Removes the rows of several sources (a parallel load's shares) in one statement, so that they
   * go together or not at all: a kill half-way through must not leave a resume some shares' rows
   * and not others'.
   */
  async removeAll(target: string, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    const q = (name: string) => this.session.sql.quoteIdent(name);
    const p = (i: number) => this.session.sql.placeholder(i);
    await this.session.execute(
      `DELETE FROM ${q(CHECKPOINT_TABLE)} WHERE ${q('target_key')} IN (${paths.map((_, i) => p(i + 1)).join(', ')})`,
      paths.map((path) => keyOf(target, path)),
    );
  }

  /** Removes the load's row: a finished load leaves none behind. */
  async remove(target: string, path: string): Promise<void> {
    const q = (name: string) => this.session.sql.quoteIdent(name);
    await this.session.execute(
      `DELETE FROM ${q(CHECKPOINT_TABLE)} WHERE ${q('target_key')} = ${this.session.sql.placeholder(1)}`,
      [keyOf(target, path)],
    );
  }
}

/**
 * One checkpoint per target table and source file: two loads of two files into one table (at once,
 * through two connections or two cluster nodes) keep a row each.
 */
function keyOf(target: string, path: string): string {
  return createHash('sha256').update(target).update('\0').update(path).digest('hex');
}
