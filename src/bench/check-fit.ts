/**
 * CHECK constraints in `sluice bench --table T`. Every scratch copy of T carries T's CHECKs (so
 * each rung pays for them, as a real load would): `copyChecks` adds any the copy statement left
 * out. Generated rows must pass them: `fitChecks` loads a sample of the recipe's rows into a
 * probe copy of T (sluice's own row method, bad rows rejected, so each refused row names the
 * CHECK it broke), and for each CHECK that refused rows, the columns it reads that the generator
 * fills take values sampled read-only from T instead, as whole tuples cycled through (a CHECK over
 * two columns holds for a tuple of one of T's rows). T empty, or a unique key made of sampled
 * columns only (cycled values would repeat), stops the bench with a message naming the CHECK.
 *
 * The probe is pragmatic, not a proof: rows spread over the whole count are tried (the makers
 * cycle with the row number), and a CHECK that a later row still breaks fails that rung.
 */
import type { Session, TableInfo, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import { open } from '../handle.js';
import type { CheckConstraint, CheckSql, ScratchSql } from './scratch-sql.js';
import type { ScratchTables } from './scratch-tables.js';
import { recipeRow, type RowRecipe, type ValueMaker } from './table-rows.js';

/** Tuples read from T per group of sampled columns (DISTINCT, so at most this many). */
const SAMPLE_TUPLES = 1000;
/** Rows of the recipe tried in the probe: the first ones, and as many spread over the count. */
const PROBE_FIRST = 64;
const PROBE_SPREAD = 64;

export interface CheckFitContext {
  readonly session: Session;
  readonly ddl: ScratchSql;
  readonly scratch: ScratchTables;
  /** Where the probe's load connects (the bench's URL). */
  readonly url: string;
  readonly table: TableRef;
  readonly info: TableInfo;
  /** The largest row count a rung loads (the recipe's row numbers run up to it). */
  readonly rows: number;
  /** The recipe variants the runs load: 0, and 1 for an upsert's second load. */
  readonly variants: readonly number[];
  /** Receives the probe table's name before its CREATE is sent (the bench lists its scratch tables). */
  readonly onProbe: (table: TableRef) => void;
  /** Runs the probe's CREATE, turning a refusal into the bench's "cannot create" message. */
  readonly guardCreate: (create: () => Promise<unknown>) => Promise<void>;
}

/** The recipe with sampled values where generated ones broke a CHECK, and T's CHECKs. */
export async function fitChecks(
  context: CheckFitContext,
  recipe: RowRecipe,
): Promise<{ recipe: RowRecipe; checks: readonly CheckConstraint[] }> {
  const { ddl, session, table } = context;
  if (ddl.checks === undefined) {
    const notes = ddl.checksNote === undefined ? recipe.notes : [...recipe.notes, ddl.checksNote];
    return { recipe: { ...recipe, notes }, checks: [] };
  }
  const checkSql = ddl.checks;
  const checks = await checkSql.read(session, table);
  if (checks.length === 0) return { recipe, checks };
  const listed = checks.map((c) => `${c.name}: ${c.definition}`).join('; ');
  const notes = [
    ...recipe.notes,
    `CHECK constraints, in every scratch copy (each rung pays for them): ${listed}`,
  ];
  const probe = context.scratch.name(`probe_${table.name}`);
  context.onProbe(probe);
  await context.guardCreate(() =>
    context.scratch.create(probe, async () => {
      await ddl.copyStructure(session, table, probe);
      await copyChecks(session, checkSql, checks, probe);
    }),
  );
  try {
    let fitted = recipe;
    const groups: string[][] = [];
    const sampledFor = new Set<string>();
    // Each round samples the columns of at least one more CHECK, so it ends within checks + 1.
    for (let round = 0; round <= checks.length; round++) {
      const broken = await brokenChecks(context, probe, fitted, checks);
      if (broken.length === 0) {
        const sampled = groups.map((g) => g.join(', ')).join('; ');
        if (sampled !== '')
          notes.push(`sampled from ${session.sql.table(table)}'s rows to pass its CHECKs: ${sampled}`);
        return { recipe: { ...fitted, notes }, checks };
      }
      for (const { check, reason } of broken) {
        if (sampledFor.has(check.name))
          throw refused(context, check, `rows made of its own values still break it: ${reason}`);
        sampledFor.add(check.name);
        addGroup(groups, columnsToSample(context, recipe, check, reason));
      }
      guardUniqueKeys(context, groups, checks);
      fitted = await withSamples(context, recipe, groups, checks);
    }
    throw new Error('unreachable: every round samples the columns of another CHECK');
  } finally {
    await context.scratch.drop(probe);
  }
}

/** Adds to `copy` the CHECKs of the source its copy statement left out (compared by definition). */
export async function copyChecks(
  session: Session,
  checkSql: CheckSql,
  checks: readonly CheckConstraint[],
  copy: TableRef,
): Promise<void> {
  if (checks.length === 0) return;
  const present = (await checkSql.read(session, copy)).map((c) => c.definition);
  for (const check of checks) {
    const at = present.indexOf(check.definition);
    if (at !== -1) present.splice(at, 1);
    else await session.execute(checkSql.add(session, copy, check));
  }
}

/** The CHECKs a sample of the recipe's rows breaks in the probe, with the first refusal's words. */
async function brokenChecks(
  context: CheckFitContext,
  probe: TableRef,
  recipe: RowRecipe,
  checks: readonly CheckConstraint[],
): Promise<{ check: CheckConstraint; reason: string }[]> {
  const { session, ddl } = context;
  const found = new Map<string, { check: CheckConstraint; reason: string }>();
  const unknown: string[] = [];
  const db = await open(context.url);
  try {
    for (const variant of context.variants) {
      await session.execute(`DELETE FROM ${session.sql.table(probe)}`);
      const rows = probeRowNumbers(context.rows).map((i) => recipeRow(recipe, i, variant));
      await db.load(probe, rows, {
        method: 'row',
        onError: 'skip',
        rejects: (reject) => {
          const name = ddl.checks!.violated(reject.reason);
          if (name === undefined) return; // not a CHECK: the rung will say what it is
          // MariaDB names a column's own CHECK `table.column` in its message.
          const check = checks.find((c) => c.name === name || name.endsWith(`.${c.name}`));
          if (check === undefined) unknown.push(reject.reason);
          else if (!found.has(check.name)) found.set(check.name, { check, reason: reject.reason });
        },
      });
    }
  } finally {
    await db.close();
  }
  if (unknown.length > 0)
    throw new SluiceError(
      'LOAD_FAILED',
      `generated rows break a CHECK the catalog did not list: ${unknown[0]}`,
    );
  return [...found.values()];
}

/** Row numbers 1..PROBE_FIRST and PROBE_SPREAD more spread evenly up to `rows`. */
export function probeRowNumbers(rows: number): number[] {
  const numbers = new Set<number>();
  for (let i = 1; i <= Math.min(rows, PROBE_FIRST); i++) numbers.add(i);
  for (let k = 1; k <= PROBE_SPREAD; k++) numbers.add(Math.max(1, Math.round((k * rows) / PROBE_SPREAD)));
  return [...numbers].sort((a, b) => a - b);
}

/** The columns of `check` the generator fills (a column left to its default is not ours to change). */
function columnsToSample(
  context: CheckFitContext,
  recipe: RowRecipe,
  check: CheckConstraint,
  reason: string,
): string[] {
  const columns = check.columns.filter((c) => recipe.columns.includes(c));
  if (columns.length === 0)
    throw refused(
      context,
      check,
      `it reads only columns left to their defaults, and refuses them: ${reason}`,
    );
  return columns;
}

/** Merges `columns` into the groups, joining every group it shares a column with. */
function addGroup(groups: string[][], columns: readonly string[]): void {
  const merged = new Set(columns);
  for (let g = groups.length - 1; g >= 0; g--) {
    if (groups[g]!.some((c) => merged.has(c))) {
      for (const c of groups[g]!) merged.add(c);
      groups.splice(g, 1);
    }
  }
  groups.push([...merged]);
}

/** Sampled values repeat: a unique key whose every column is sampled would be broken. */
function guardUniqueKeys(
  context: CheckFitContext,
  groups: readonly string[][],
  checks: readonly CheckConstraint[],
): void {
  const sampled = new Set(groups.flat());
  for (const key of context.info.uniqueKeys ?? []) {
    if (key.length === 0 || !key.every((c) => sampled.has(c))) continue;
    const check = checks.find((c) => c.columns.some((col) => key.includes(col)))!;
    throw refused(
      context,
      check,
      `${quoted(key)} must also be unique, and values sampled from the table would repeat`,
    );
  }
}

/** The recipe with each group's columns drawn from tuples of the user's table. */
async function withSamples(
  context: CheckFitContext,
  recipe: RowRecipe,
  groups: readonly string[][],
  checks: readonly CheckConstraint[],
): Promise<RowRecipe> {
  const makers: ValueMaker[] = [...recipe.makers];
  const varying = [...recipe.varying];
  const samples: (readonly unknown[])[][] = [];
  for (const [group, columns] of groups.entries()) {
    const tuples = await sampleTuples(context, columns);
    if (tuples.length === 0) {
      const check = checks.find((c) => c.columns.some((col) => columns.includes(col)))!;
      throw refused(
        context,
        check,
        `the generated values of ${quoted(columns)} break it, and ${context.session.sql.table(context.table)} has no rows to sample values from`,
      );
    }
    samples.push(tuples);
    columns.forEach((column, part) => {
      const c = recipe.columns.indexOf(column);
      makers[c] = { kind: 'sampled', group, part };
      varying[c] = false;
    });
  }
  return { ...recipe, makers, varying, samples };
}

/** Up to SAMPLE_TUPLES distinct tuples of `columns` from the user's table, as text; read only. */
async function sampleTuples(
  context: CheckFitContext,
  columns: readonly string[],
): Promise<(readonly unknown[])[]> {
  const { session, ddl } = context;
  const list = columns.map((c) => ddl.checks!.textOf(session, c)).join(', ');
  const order = columns.map((_, i) => String(i + 1)).join(', ');
  const rows = await session.select(
    `SELECT DISTINCT ${list} FROM ${session.sql.table(context.table)} ORDER BY ${order} LIMIT ${SAMPLE_TUPLES}`,
  );
  return rows as (readonly unknown[])[];
}

function refused(context: CheckFitContext, check: CheckConstraint, why: string): SluiceError {
  const table = context.session.sql.table(context.table);
  return new SluiceError(
    'BAD_USAGE',
    `sluice bench cannot make rows that pass CHECK constraint "${check.name}" (${check.definition}) of ${table} on ${quoted(check.columns)}: ${why}`,
    {
      hint: `insert a few rows that pass it into ${table} (the bench samples such columns' values from them, read-only), or bench the guide's schema (leave out --table)`,
    },
  );
}

function quoted(columns: readonly string[]): string {
  return columns.length === 1
    ? `column "${columns[0]}"`
    : `columns ${columns.map((c) => `"${c}"`).join(', ')}`;
}
