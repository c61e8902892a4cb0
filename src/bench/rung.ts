/**
 * One rung of the ladder, run in a process of its own (better-sqlite3's benchmark habit): the
 * child's peak RSS is that rung's alone, and no JIT or heap state leaks from one rung into the
 * next. The parent writes a RungSpec as JSON on the child's stdin (so a URL's password never
 * shows in a process list) and reads one JSON line back: a RungOutcome, or { error }.
 */
import { open } from '../handle.js';
import type { TableRef } from '../dialects/dialect.js';
import type { OnConflict } from '../options.js';
import type { MethodChoice, MethodName } from '../plan/plan.js';
import { recipeRows, type RowRecipe } from './table-rows.js';
import { users } from './users-data.js';

/** What the rows are: the guide's users, or rows made to fit a user's table. */
export type RungData = { readonly kind: 'users' } | { readonly kind: 'recipe'; readonly recipe: RowRecipe };

export interface RungSpec {
  readonly url: string;
  readonly table: TableRef;
  readonly method: MethodChoice;
  readonly rows: number;
  readonly data: RungData;
  /** An upsert: the table already holds the first rows (variant 0); these rows are variant 1. */
  readonly onConflict?: OnConflict;
}

export interface RungOutcome {
  /** The load alone: from load() called to its final COMMIT acknowledged (connecting excluded). */
  readonly seconds: number;
  readonly rowsLoaded: number;
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
  readonly method: MethodName;
  /** The plan's reasons for the method (what `sluice explain` prints). */
  readonly reasons: readonly string[];
  /** The child's peak resident set size over its whole life, in MB. */
  readonly peakRssMB: number;
}

/** The rung's rows, made as they are read. `variant` 1 is an upsert's second load. */
export function rungRows(data: RungData, count: number, variant: number): Iterable<Record<string, unknown>> {
  if (data.kind === 'recipe') return recipeRows(data.recipe, count, variant);
  if (variant === 0) return users(count);
  return (function* () {
    for (const row of users(count)) yield { ...row, email: `new.${row.email}` };
  })();
}

export async function runRung(spec: RungSpec): Promise<RungOutcome> {
  const db = await open(spec.url);
  try {
    const variant = spec.onConflict === undefined ? 0 : 1;
    const options = { method: spec.method, onConflict: spec.onConflict };
    const plan = await db.explain(spec.table, rungRows(spec.data, spec.rows, variant), options);
    const started = performance.now();
    const report = await db.load(spec.table, rungRows(spec.data, spec.rows, variant), options);
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds,
      rowsLoaded: report.rowsLoaded,
      rowsInserted: report.rowsInserted,
      rowsUpdated: report.rowsUpdated,
      method: report.method,
      reasons: plan.plan.reasons,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await db.close();
  }
}

/** The child's side: read the spec from stdin, run it, print one JSON line. Returns the exit code. */
export async function rungChild(
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
): Promise<number> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  try {
    const outcome = await runRung(JSON.parse(text) as RungSpec);
    stdout.write(JSON.stringify(outcome) + '\n');
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = (error as { hint?: unknown }).hint;
    stdout.write(
      JSON.stringify({ error: message, hint: typeof hint === 'string' ? hint : undefined }) + '\n',
    );
    return 1;
  }
}
