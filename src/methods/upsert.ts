import type { RowCounts, Session, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import { addCounts, inserted, type MethodContext } from './method.js';
import type { Run } from './runs.js';
import { rowBytes, statementEnd } from './statement-size.js';
import { LOCK_RACE_ATTEMPTS, lockRacePause, lostLockRace, TransactionLost } from './transaction.js';

/**
 * Upsert writes shared by every method. A batch is written in generations: the first occurrence
 * of each key in the batch, then the second ones, and so on, so no statement carries a key twice
 * (PostgreSQL refuses "ON CONFLICT DO UPDATE command cannot affect row a second time") and the
 * last occurrence in input order is the one the table keeps; batches go in input order, so that
 * holds across batch and commit boundaries too. Each row counts as if written alone.
 */

/** The rows of `run` split into generations (one run when no key repeats: the common case). */
export function generations(run: Run, key: readonly string[]): Run[] {
  const gens = generationNumbers(run, key);
  if (gens === undefined) return [run];
  const runs: Run[] = [];
  for (let g = 1; ; g++) {
    const picked: number[] = [];
    for (let i = 0; i < gens.length; i++) if (gens[i] === g) picked.push(i);
    if (picked.length === 0) return runs;
    runs.push(pick(run, picked));
  }
}

/**
 * Each row's generation (1 for a key's first occurrence in the run, keys compared as `keyOf` says),
 * or undefined when every row is generation 1. A row lacking a key column, or with a NULL in it, never conflicts: 1.
 */
export function generationNumbers(run: Run, key: readonly string[]): number[] | undefined {
  const at = key.map((k) => run.columns.indexOf(k));
  if (at.some((i) => i < 0)) return undefined;
  const seen = new Map<string, number>();
  let gens: number[] | undefined;
  for (let r = 0; r < run.rows.length; r++) {
    const id = keyOf(run.rows[r]!, at);
    if (id === undefined) continue;
    const g = (seen.get(id) ?? 0) + 1;
    seen.set(id, g);
    if (g > 1) {
      gens ??= new Array<number>(run.rows.length).fill(1);
      gens[r] = g;
    }
  }
  return gens;
}

/**
 * A row's key in a form that two keys the database may hold equal share: text trimmed, without
 * accents and case-folded (case- and accent-insensitive collations, PAD SPACE), numbers and
 * numeric text by their value ('01', '1.0' and 1 into an integer key). It is coarser than any
 * database's equality on purpose: two keys that share it but are distinct to the database land in
 * different generations, which costs a statement and changes no result; two keys the database
 * holds equal must never land in one statement (PostgreSQL refuses it, and the counts would be off).
 */
function keyOf(row: readonly unknown[], at: readonly number[]): string | undefined {
  if (at.length === 1) {
    const v = row[at[0]!];
    return v === null || v === undefined ? undefined : looseKey(v);
  }
  let id = '';
  for (const i of at) {
    const v = row[i];
    if (v === null || v === undefined) return undefined;
    const text = looseKey(v);
    id += `${text.length}:${text}`;
  }
  return id;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

function looseKey(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return `n${Number(v)}`;
  if (v instanceof Date) return `d${v.toISOString()}`;
  if (Buffer.isBuffer(v)) return `b${v.toString('hex')}`;
  const text = String(v as string).trim();
  const first = text.charCodeAt(0);
  // Numeric text starts with a digit, a sign or a point: the regex runs on those only.
  if (((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46) && NUMERIC.test(text))
    return `n${Number(text)}`;
  // ASCII has no accents and folds case one to one.
  if (ASCII.test(text)) return `s${text.toLowerCase()}`;
  return `s${text.normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase().toLowerCase()}`;
}

function pick(run: Run, indexes: readonly number[]): Run {
  return {
    key: run.key,
    columns: run.columns,
    rows: indexes.map((i) => run.rows[i]!),
    lines: indexes.map((i) => run.lines[i]!),
    ordinals: indexes.map((i) => run.ordinals[i]!),
    ends: indexes.map((i) => run.ends[i]!),
  };
}

/** Counts of a statement of `rows` rows with distinct keys, `existing` of them already in the table. */
export function countsOf(session: Session, rows: number, existing: number, affected: number): RowCounts {
  if (session.upsertCounts !== undefined) return session.upsertCounts(rows, existing, affected);
  const updated = affected - (rows - existing);
  return { inserted: rows - existing, updated, unchanged: existing - updated };
}

/** How many of `rows` (distinct keys) are already in the table, asked in statements within the bind limit. */
async function existing(session: Session, ref: TableRef, run: Run, key: readonly string[]): Promise<number> {
  const at = key.map((k) => run.columns.indexOf(k));
  if (at.some((i) => i < 0)) return 0;
  const per = Math.max(1, Math.floor(session.capabilities.maxBindParams / key.length));
  let found = 0;
  for (let start = 0; start < run.rows.length; start += per) {
    const end = Math.min(run.rows.length, start + per);
    const params: unknown[] = [];
    for (let r = start; r < end; r++) for (const i of at) params.push(run.rows[r]![i]);
    found += await session.count(session.sql.countExisting(ref, key, end - start), params);
  }
  return found;
}

/** values: multi-row upserts of at most `rowsPerStatement` rows, one generation at a time. */
export async function upsertValues(context: MethodContext, run: Run): Promise<RowCounts> {
  const { session, ref, plan } = context;
  const conflict = plan.conflict!;
  const maxBytes = session.capabilities.maxStatementBytes;
  let counts = inserted(0);
  for (const gen of generations(run, conflict.key)) {
    const width = gen.columns.length;
    for (let start = 0; start < gen.rows.length;) {
      const end = statementEnd(gen.rows, start, plan.rowsPerStatement, maxBytes);
      if (maxBytes !== undefined && end === start + 1 && rowBytes(gen.rows[start]!) > maxBytes)
        throw new Error(
          `the row takes ${rowBytes(gen.rows[start]!)} bytes; the server accepts statements of at most ${maxBytes}`,
        );
      const piece = pick(gen, range(start, end));
      const params: unknown[] = [];
      for (const row of piece.rows) for (let c = 0; c < width; c++) params.push(row[c]);
      const sql = session.sql.upsert(ref, gen.columns, piece.rows.length, conflict);
      counts = addCounts(
        counts,
        await retrying(context, async () => {
          const found = await existing(session, ref, piece, conflict.key);
          return countsOf(session, piece.rows.length, found, await session.execute(sql, params));
        }),
      );
      start = end;
    }
  }
  return counts;
}

/** pipeline: one prepared single-row upsert executed for every row of a generation. */
export async function upsertPipeline(context: MethodContext, run: Run): Promise<RowCounts> {
  const { session, ref, plan } = context;
  const conflict = plan.conflict!;
  let counts = inserted(0);
  for (const gen of generations(run, conflict.key)) {
    const sql = session.sql.upsert(ref, gen.columns, 1, conflict);
    counts = addCounts(
      counts,
      await retrying(context, async () => {
        const found = await existing(session, ref, gen, conflict.key);
        return countsOf(session, gen.rows.length, found, await session.executeMany(sql, gen.rows, true));
      }),
    );
  }
  return counts;
}

/** row: one upsert statement for one row (in autocommit, so no savepoint to retry in). */
export async function upsertRow(context: MethodContext, run: Run, index: number): Promise<RowCounts> {
  const { session, ref, plan } = context;
  const conflict = plan.conflict!;
  const one = pick(run, [index]);
  const sql = session.sql.upsert(ref, run.columns, 1, conflict);
  return retrying(
    context,
    async () => {
      const found = await existing(session, ref, one, conflict.key);
      return countsOf(session, 1, found, await session.execute(sql, one.rows[0]));
    },
    false,
  );
}

/**
 * Runs one upsert statement, retried in a savepoint a bounded number of times when the database
 * chose it as a deadlock victim or refused it for a serialization failure (another writer on the
 * same keys), with a growing pause; then the load fails naming what happened. Where the database
 * ended the whole transaction instead (InnoDB), the savepoint is gone: `TransactionLost` goes up to
 * the one who holds the transaction's rows (LoadTransaction.replaying).
 */
export async function retrying(
  context: MethodContext,
  work: () => Promise<RowCounts>,
  inSavepoint = true,
): Promise<RowCounts> {
  const { session, tx } = context;
  for (let attempt = 1; ; attempt++) {
    try {
      return inSavepoint ? await tx.savepoint(work) : await work();
    } catch (error) {
      if (error instanceof TransactionLost || !lostLockRace(session, error)) throw error;
      if (attempt >= LOCK_RACE_ATTEMPTS) {
        const { message, code } = session.describeError(error);
        throw new SluiceError(
          'DEADLOCK',
          `the upsert lost a lock race ${attempt} times (deadlock or serialization failure: another transaction writes the same keys): ${message}${code === undefined ? '' : ` (${code})`}`,
          { cause: error, hint: 'run concurrent loads of the same keys one after the other' },
        );
      }
      await lockRacePause(attempt);
    }
  }
}

function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}
