/**
 * `sluice bench`: the guide's method ladder measured on the user's own database. Scratch tables
 * are made under names of their own (scratch-tables.ts), each rung runs in a child process
 * (rung.ts) against a fresh, empty table, runs are interleaved across rungs (run 1 of every rung,
 * then run 2 …) so drift on a shared machine spreads over all of them, and every scratch table
 * is dropped before runBench returns or throws.
 */
import { spawn } from 'node:child_process';
import type { Session, TableInfo, TableRef } from '../dialects/dialect.js';
import { dialectFor } from '../dialects/registry.js';
import { SluiceError } from '../errors.js';
import { open } from '../handle.js';
import type { OnConflict } from '../options.js';
import type { MethodChoice } from '../plan/plan.js';
import { redactSecret, redactUrl } from '../util/redact-url.js';
import { PRODUCT, type BenchResult, type RungResult } from './bench-result.js';
import { copyChecks, fitChecks } from './check-fit.js';
import { rungRows, type RungData, type RungOutcome, type RungSpec } from './rung.js';
import { scratchSqlFor, type ForeignKey, type ScratchSql } from './scratch-sql.js';
import { ScratchTables } from './scratch-tables.js';
import { summarize } from './stats.js';
import { recipeFor } from './table-rows.js';
import { ROLES } from './users-data.js';

/** Parent keys drawn for a foreign key column: enough to spread rows over, few enough to ship. */
const PARENT_KEYS = 1000;

export interface BenchSetup {
  readonly url: string;
  readonly rows: number;
  /** Rows the row rung loads (one INSERT and one commit each), scaled up to `rows`. */
  readonly sample: number;
  readonly methods: readonly MethodChoice[];
  readonly runs: number;
  /** Bench copies of this table instead of the guide's users/roles. */
  readonly table: TableRef | undefined;
  /** Upsert: the table holds half the rows before each run; the run loads them all. */
  readonly onConflict: OnConflict | undefined;
  /** The command that runs one rung in a child: the same CLI, `bench --rung`. */
  readonly childArgv: readonly string[];
  readonly sluiceVersion: string;
  readonly signal: AbortSignal;
  readonly onRung?: (event: {
    method: MethodChoice;
    run: number;
    index: number;
    total: number;
    rows: number;
  }) => void;
  /** Receives the scratch tables, so a signal handler can say which are left. */
  readonly onScratch?: (scratch: ScratchTables) => void;
}

interface Target {
  /** Creates the empty table a run loads into. */
  create(scratch: ScratchTables): Promise<TableRef>;
  readonly data: RungData;
  readonly notes: readonly string[];
  readonly key: readonly string[] | undefined;
}

export async function runBench(setup: BenchSetup): Promise<BenchResult> {
  const session = await dialectFor(setup.url).connect(setup.url);
  const ddl = scratchSqlFor(session.dialect);
  const scratch = new ScratchTables(session, ddl, setup.table?.schema);
  setup.onScratch?.(scratch);
  const created = new Set<string>();
  let result: BenchResult | undefined;
  let failure: unknown;
  try {
    result = await measure(setup, session, ddl, scratch, created);
  } catch (error) {
    failure = cleanError(error, setup.url);
    // The rung's child is gone, but the server may still be running its statement.
    await scratch.cancelOthers();
  }
  const left = await scratch.dropAll();
  await session.close().catch(() => undefined);
  if (left.length > 0) {
    const names = left.map((l) => session.sql.table(l.table)).join(', ');
    const why = failure instanceof Error ? ` after: ${failure.message}` : '';
    throw new SluiceError('LOAD_FAILED', `could not drop the scratch tables ${names}${why}`, {
      hint: `drop them by hand: DROP TABLE ${names}`,
      cause: left[0]!.error,
    });
  }
  if (result === undefined) throw failure;
  return result;
}

async function measure(
  setup: BenchSetup,
  session: Session,
  ddl: ScratchSql,
  scratch: ScratchTables,
  created: Set<string>,
): Promise<BenchResult> {
  const [[version]] = (await session.select(ddl.versionQuery)) as [[unknown]];
  const target =
    setup.table === undefined
      ? await usersTarget(session, ddl, scratch, created)
      : await tableTarget(setup, session, ddl, scratch, setup.table, created);
  const measured = new Map<MethodChoice, RungOutcome[]>();
  const plan = setup.methods.filter((m) => m !== 'copy' || session.capabilities.copy !== undefined);
  let index = 0;
  for (let run = 1; run <= setup.runs; run++) {
    for (const method of plan) {
      setup.signal.throwIfAborted();
      const rows = method === 'row' ? Math.min(setup.sample, setup.rows) : setup.rows;
      setup.onRung?.({ method, run, index: index++, total: plan.length * setup.runs, rows });
      const table = await target.create(scratch);
      created.add(session.sql.table(table));
      // On failure the table stays live: runBench cancels what the server still runs for the
      // killed rung first, then drops it (a DROP here would wait for that statement's locks).
      await prefill(setup, table, target.data, rows);
      const outcome = await runChild(setup, {
        url: setup.url,
        table,
        method,
        rows,
        data: target.data,
        onConflict: conflictWithKey(setup.onConflict, target.key),
      });
      const stored = await session.count(`SELECT count(*) FROM ${session.sql.table(table)}`);
      if (stored !== rows)
        throw new SluiceError(
          'LOAD_FAILED',
          `the ${method} rung left ${stored} rows of ${rows} in its table`,
        );
      measured.set(method, [...(measured.get(method) ?? []), outcome]);
      await scratch.drop(table);
    }
  }
  const product = /mariadb/i.test(String(version)) ? 'MariaDB' : PRODUCT[session.dialect];
  return {
    sluiceVersion: setup.sluiceVersion,
    date: new Date().toISOString(),
    database: { dialect: session.dialect, product, version: String(version), url: redactUrl(setup.url) },
    rows: setup.rows,
    runs: setup.runs,
    schema:
      setup.table === undefined
        ? { kind: 'users' }
        : { kind: 'table', table: session.sql.table(setup.table) },
    upsert:
      setup.onConflict === undefined
        ? undefined
        : {
            key: conflictWithKey(setup.onConflict, target.key)?.key,
            prefilled:
              'each run starts with the first half of its rows in the table; it loads all of them with other values',
          },
    rungs: results(setup, measured, session.capabilities.copy === undefined ? session.dialect : undefined),
    auto: autoChoice(measured),
    scratchTables: [...created],
    notes: target.notes,
  };
}

/** The guide's schema: roles with its five rows (once), and an empty users table per run. */
async function usersTarget(
  session: Session,
  ddl: ScratchSql,
  scratch: ScratchTables,
  created: Set<string>,
): Promise<Target> {
  const roles = scratch.name('roles');
  created.add(session.sql.table(roles));
  await canCreate(session, () =>
    scratch.create(roles, async () => {
      await session.execute(ddl.rolesTable(session, roles));
      const params = ROLES.flatMap((name, i) => [i + 1, name]);
      await session.execute(session.sql.insert(roles, ['id', 'name'], ROLES.length), params);
    }),
  );
  return {
    data: { kind: 'users' },
    notes: [],
    key: ['username'],
    create: async (s) => {
      const users = s.name('users');
      await s.create(users, () => session.execute(ddl.usersTable(session, users, roles)));
      return users;
    },
  };
}

/** Copies of the user's table, filled with rows made to fit it; the table itself is only read. */
async function tableTarget(
  setup: BenchSetup,
  session: Session,
  ddl: ScratchSql,
  scratch: ScratchTables,
  table: TableRef,
  created: Set<string>,
): Promise<Target> {
  const info: TableInfo | undefined = await session.describeTable(table);
  if (info === undefined)
    throw new SluiceError('TABLE_NOT_FOUND', `table ${session.sql.table(table)} does not exist`, {
      hint: "check the name, or leave out --table to bench the guide's users table",
    });
  const foreignKeys = await ddl.foreignKeys(session, table);
  const parentKeys = await Promise.all(foreignKeys.map((fk) => keysOf(session, fk)));
  const { recipe, checks } = await fitChecks(
    {
      session,
      ddl,
      scratch,
      url: setup.url,
      table,
      info,
      rows: setup.rows,
      variants: setup.onConflict === undefined ? [0] : [0, 1],
      onProbe: (probe) => created.add(session.sql.table(probe)),
      guardCreate: (create) => canCreate(session, create),
    },
    recipeFor(info, foreignKeys, parentKeys),
  );
  let first = true;
  return {
    data: { kind: 'recipe', recipe },
    notes: recipe.notes,
    key: undefined,
    create: async (s) => {
      const copy = s.name(table.name);
      created.add(session.sql.table(copy));
      const make = (): Promise<unknown> =>
        s.create(copy, async () => {
          await ddl.copyStructure(session, table, copy);
          if (ddl.checks !== undefined) await copyChecks(session, ddl.checks, checks, copy);
        });
      if (first) await canCreate(session, make);
      else await make();
      first = false;
      return copy;
    },
  };
}

/** Up to PARENT_KEYS distinct key tuples of a foreign key's parent, in key order. */
async function keysOf(session: Session, fk: ForeignKey): Promise<(readonly unknown[])[]> {
  const cols = fk.parentColumns.map((c) => session.sql.quoteIdent(c));
  const notNull = cols.map((c) => `${c} IS NOT NULL`).join(' AND ');
  return session.select(
    `SELECT DISTINCT ${cols.join(', ')} FROM ${session.sql.table(fk.parent)} WHERE ${notNull} ORDER BY ${cols.join(', ')} LIMIT ${PARENT_KEYS}`,
  ) as Promise<(readonly unknown[])[]>;
}

/** A refused CREATE TABLE is the one privilege the bench needs: say so plainly. */
async function canCreate(session: Session, create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    const words = session.describeError(error).message;
    throw new SluiceError('LOAD_FAILED', `sluice bench cannot create its scratch tables here: ${words}`, {
      hint: 'bench needs the right to create a table (and nothing else): use a database or schema where you have it, e.g. GRANT CREATE ON SCHEMA … TO you',
      cause: error,
    });
  }
}

/** An upsert's first half, loaded before the run and not timed. */
async function prefill(setup: BenchSetup, table: TableRef, data: RungData, rows: number): Promise<void> {
  if (setup.onConflict === undefined) return;
  const db = await open(setup.url);
  try {
    await db.load(table, rungRows(data, Math.floor(rows / 2), 0));
  } finally {
    await db.close();
  }
}

function conflictWithKey(
  conflict: OnConflict | undefined,
  key: readonly string[] | undefined,
): OnConflict | undefined {
  if (conflict === undefined || conflict.key !== undefined || key === undefined) return conflict;
  return { ...conflict, key };
}

/** Runs one rung in a child process of this CLI; rejects with the child's error, or on abort. */
function runChild(setup: BenchSetup, spec: RungSpec): Promise<RungOutcome> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = setup.childArgv;
    const child = spawn(command!, [...args, 'bench', '--rung'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const abort = (): void => {
      child.kill('SIGKILL');
    };
    setup.signal.addEventListener('abort', abort, { once: true });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      setup.signal.removeEventListener('abort', abort);
      if (setup.signal.aborted) return reject(setup.signal.reason);
      const last = stdout.trim().split('\n').pop() ?? '';
      let reply: Partial<RungOutcome> & { error?: string; hint?: string };
      try {
        reply = JSON.parse(last) as typeof reply;
      } catch {
        const why = signal === null ? `exit ${code}` : `killed by ${signal}`;
        return reject(
          new SluiceError('LOAD_FAILED', `the ${spec.method} rung failed (${why}): ${stderr.trim()}`),
        );
      }
      if (reply.error !== undefined)
        return reject(
          new SluiceError('LOAD_FAILED', `the ${spec.method} rung failed: ${reply.error}`, {
            hint: reply.hint,
          }),
        );
      resolve(reply as RungOutcome);
    });
    child.stdin.end(JSON.stringify(spec));
  });
}

function results(
  setup: BenchSetup,
  measured: ReadonlyMap<MethodChoice, readonly RungOutcome[]>,
  noCopy: string | undefined,
): RungResult[] {
  const rungs = setup.methods.map((method): Omit<RungResult, 'relative'> => {
    const outcomes = measured.get(method) ?? [];
    const rowsRun = method === 'row' ? Math.min(setup.sample, setup.rows) : setup.rows;
    const scale = setup.rows / rowsRun;
    const seconds = outcomes.map((o) => o.seconds * scale);
    return {
      method,
      unavailable:
        method === 'copy' && noCopy !== undefined
          ? `${PRODUCT[noCopy as keyof typeof PRODUCT]} has no bulk copy path: pipeline is its top rung`
          : undefined,
      ran: outcomes[0]?.method,
      rowsRun,
      rows: setup.rows,
      scaled: scale !== 1,
      seconds: summarize(seconds),
      rowsPerSecond: summarize(seconds.map((s) => setup.rows / s)),
      peakRssMB: summarize(outcomes.map((o) => o.peakRssMB)),
      runs: outcomes.map((o) => ({
        seconds: o.seconds,
        peakRssMB: o.peakRssMB,
        rowsInserted: o.rowsInserted,
        rowsUpdated: o.rowsUpdated,
      })),
    };
  });
  const slowest = Math.min(
    ...rungs.filter((r) => r.unavailable === undefined).map((r) => r.rowsPerSecond.median),
  );
  return rungs.map((r) => ({
    ...r,
    relative: r.unavailable === undefined && slowest > 0 ? r.rowsPerSecond.median / slowest : undefined,
  }));
}

function autoChoice(measured: ReadonlyMap<MethodChoice, readonly RungOutcome[]>): BenchResult['auto'] {
  const outcome = measured.get('auto')?.[0];
  return outcome === undefined ? undefined : { method: outcome.method, reasons: outcome.reasons };
}

/** Errors leave with the URL's password removed, from the child's words too. */
function cleanError(error: unknown, url: string): unknown {
  if (!(error instanceof SluiceError)) return error;
  const message = redactSecret(error.detail, url);
  return message === error.detail
    ? error
    : new SluiceError(error.code, message, { hint: error.hint, cause: error.cause });
}
