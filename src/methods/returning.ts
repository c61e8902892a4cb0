import type { RowChunk, Session, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { Run } from './runs.js';

/**
 * How a load gets generated values back in input order, exact by construction:
 * - `reserved`: the ids are taken from the column's generator before the rows are sent
 *   (Session.reserveIds: PostgreSQL's sequence, SQLite's rowid under the write lock) and sent with
 *   them, so each row's id is known from the row itself; no order the database returns rows in,
 *   no sequence step and no other session's inserts can change it. Other returned columns are
 *   read back by that id.
 * - `key`: the rows are read back after each write by a unique key they carry (an upsert's
 *   conflict key, or on MySQL, whose auto-increment values cannot be reserved, a unique key among
 *   the loaded columns); a unique key names one row, so the match cannot go to the wrong row, and
 *   an updated row gives its existing id.
 */
export interface ReturningSetup {
  readonly columns: readonly string[];
  readonly mode: 'reserved' | 'key';
  /** The columns rows are read back by: [id] when reserved, the unique key otherwise. */
  readonly readKey: readonly string[];
  /** Reserved mode: the id column. */
  readonly idColumn?: string;
  /** Integer columns: their values come back as numbers where exact (PostgreSQL sends bigint as text). */
  readonly integers: ReadonlySet<string>;
}

/** Returned values for consecutive input records: `rows[i]` belongs to record `first + i` (1-based). */
export interface ReturnedBatch {
  readonly first: number;
  /** One entry per input record, null for a record that was rejected (or read as unparsable). */
  readonly rows: readonly (Readonly<Record<string, unknown>> | null)[];
}

/** Ids taken from the generator ahead of the rows that use them. */
export class IdPool {
  private ids: readonly (number | bigint)[] = [];
  private next = 0;

  constructor(
    private readonly session: Session,
    private readonly ref: TableRef,
    private readonly column: string,
    /** Text sources carry every field as text: the id goes as its digits too. */
    private readonly asText: boolean,
  ) {}

  /** Whether `count` more ids need a round trip. */
  lacks(count: number): boolean {
    return this.ids.length - this.next < count;
  }

  /**
   * Makes sure `count` ids are at hand, in one round trip when some are lacking, reserving at least
   * `block` at a time (ids reserved and not used are a gap in the sequence, as a rollback leaves).
   */
  async ensure(count: number, block = count): Promise<void> {
    const left = this.ids.length - this.next;
    if (left >= count) return;
    const more = await this.session.reserveIds!(this.ref, this.column, Math.max(count - left, block));
    this.ids = [...this.ids.slice(this.next), ...more];
    this.next = 0;
  }

  /** The next reserved id (ensure() came first). */
  take(): unknown {
    const id = this.ids[this.next++];
    if (id === undefined) throw new Error('no reserved id left: IdPool.ensure() was not called');
    return this.asText ? String(id) : id;
  }
}

/**
 * Collects the returned values of written rows by their ordinal and hands them on in input order
 * as the method reports rows written: a rejected row's slot is null. Only rows between the last
 * report and the write in progress are held, so memory does not grow with the load.
 */
export class ReturnedRows {
  private readonly pending = new Map<number, Record<string, unknown>>();
  private next: number;
  private readonly all: (Readonly<Record<string, unknown>> | null)[] | undefined;

  constructor(
    private readonly session: Session,
    private readonly ref: TableRef,
    readonly setup: ReturningSetup,
    private readonly onBatch: ((batch: ReturnedBatch) => void) | undefined,
    /** Ordinal of the first record this load reads (after a resume point, 1 otherwise). */
    first: number,
  ) {
    this.next = first;
    this.all = onBatch === undefined ? [] : undefined;
  }

  /** Every returned row, when no callback takes them batch by batch (report.returning). */
  get collected(): readonly (Readonly<Record<string, unknown>> | null)[] | undefined {
    return this.all;
  }

  /** Whether values are read back after each write (else each row's reserved id is its value). */
  get readsBack(): boolean {
    const { setup } = this;
    return setup.mode === 'key' || setup.columns.some((c) => c !== setup.idColumn);
  }

  /**
   * Rows about to be written carry their reserved ids: those are their returned values (reserved
   * mode without read-back). A row later rejected has its slot emptied by `rejected`.
   */
  mapped(chunk: RowChunk, columns: readonly string[]): void {
    if (this.readsBack) return;
    const column = this.setup.idColumn!;
    const at = columns.indexOf(column);
    for (let r = 0; r < chunk.rows.length; r++)
      this.pending.set(chunk.ordinals[r]!, { [column]: plain(chunk.rows[r]![at]) });
  }

  /** After `run` was written (inside its savepoint): its rows' values, read back by id or by key. */
  async afterWrite(run: Run): Promise<void> {
    const { setup } = this;
    const at = setup.readKey.map((k) => run.columns.indexOf(k));
    if (at.some((i) => i < 0)) {
      const line = run.lines[0];
      throw new SluiceError(
        'LOAD_FAILED',
        `returning: rows from line ${line} lack ${setup.readKey.join(', ')}, by which their generated values are matched`,
      );
    }
    const found = await this.readBack(run, at);
    for (let r = 0; r < run.rows.length; r++) {
      const parts = at.map((i) => run.rows[r]![i]);
      const values = parts.some((p) => p === null) ? undefined : found.get(keyText(parts));
      if (values === undefined)
        throw new SluiceError(
          'LOAD_FAILED',
          `returning: the row was written but no row of the table has its ${setup.readKey.join(', ')} (${parts.map((p) => String(p as string)).join(', ')}) as sent, so its generated values cannot be matched exactly`,
          {
            location: { source: '', line: run.lines[r] },
            hint: 'a NULL key, or a collation or type that stores the key differently from its text, prevents the match',
          },
        );
      this.pending.set(run.ordinals[r]!, values);
    }
  }

  /** Record `ordinal` was rejected: its slot stays null even if a probe had written it. */
  rejected(ordinal: number): void {
    this.pending.delete(ordinal);
  }

  /** Rows up to `ordinal` are written: hands their values on, in input order. */
  written(ordinal: number): void {
    if (ordinal < this.next) return;
    const rows: (Record<string, unknown> | null)[] = new Array<Record<string, unknown> | null>(
      ordinal - this.next + 1,
    );
    for (let o = this.next; o <= ordinal; o++) {
      rows[o - this.next] = this.pending.get(o) ?? null;
      this.pending.delete(o);
    }
    const first = this.next;
    this.next = ordinal + 1;
    if (this.all !== undefined) for (const row of rows) this.all.push(row);
    else this.onBatch!({ first, rows });
  }

  private async readBack(run: Run, at: readonly number[]): Promise<Map<string, Record<string, unknown>>> {
    const { session, setup } = this;
    const sql = session.sql;
    const key = setup.readKey;
    const selected = [...setup.columns, ...key];
    const per = Math.max(1, Math.min(5000, Math.floor(session.capabilities.maxBindParams / key.length)));
    const left =
      key.length === 1 ? sql.quoteIdent(key[0]!) : `(${key.map((k) => sql.quoteIdent(k)).join(', ')})`;
    const found = new Map<string, Record<string, unknown>>();
    const rows = run.rows.filter((row) => at.every((i) => row[i] !== null));
    for (let start = 0; start < rows.length; start += per) {
      const piece = rows.slice(start, start + per);
      let index = 1;
      const tuples = piece.map(() => {
        const marks = key.map(() => sql.placeholder(index++));
        return key.length === 1 ? marks[0]! : `(${marks.join(', ')})`;
      });
      const text = `SELECT ${selected.map((c) => sql.quoteIdent(c)).join(', ')} FROM ${sql.table(this.ref)} WHERE ${left} IN (${tuples.join(', ')})`;
      const params = piece.flatMap((row) => at.map((i) => row[i]));
      for (const row of await session.select(text, params)) {
        const values: Record<string, unknown> = {};
        setup.columns.forEach((c, i) => (values[c] = setup.integers.has(c) ? plain(row[i]) : row[i]));
        found.set(keyText(row.slice(setup.columns.length)), values);
      }
    }
    return found;
  }
}

/** An integer sent or read as digits (PostgreSQL's bigint, a CSV field) as a number where exact. */
function plain(value: unknown): unknown {
  if (typeof value === 'string' && /^(0|-?[1-9][0-9]{0,15})$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  return value;
}

function keyText(parts: readonly unknown[]): string {
  return parts
    .map((p) => {
      const text = p instanceof Date ? p.toISOString() : String(p as string);
      return `${text.length}:${text}`;
    })
    .join('|');
}
