import type { DialectName } from '../dialects/dialect.js';
import type { MethodChoice, MethodName } from '../plan/plan.js';
import type { Spread } from './stats.js';

/** One rung's figures over `--runs K` runs (median and range), scaled to the bench's row count. */
export interface RungResult {
  readonly method: MethodChoice;
  /** Why the rung did not run (SQLite has no copy), or undefined when it ran. */
  readonly unavailable: string | undefined;
  /** The method the load ran (for auto: the one it chose). */
  readonly ran: MethodName | undefined;
  /** Rows each run loaded: a sample for the row rung, else the bench's rows. */
  readonly rowsRun: number;
  /** The figures are for this many rows; seconds of a sample are multiplied up to it. */
  readonly rows: number;
  readonly scaled: boolean;
  readonly seconds: Spread;
  readonly rowsPerSecond: Spread;
  /** Median rows/s over the slowest rung's median rows/s (the guide's "240x"). */
  readonly relative: number | undefined;
  readonly peakRssMB: Spread;
  /** Per run, as measured (seconds unscaled). */
  readonly runs: readonly {
    readonly seconds: number;
    readonly peakRssMB: number;
    readonly rowsInserted: number;
    readonly rowsUpdated: number;
  }[];
}

export interface BenchResult {
  readonly sluiceVersion: string;
  /** When the bench ran, ISO 8601 UTC. */
  readonly date: string;
  readonly database: {
    readonly dialect: DialectName;
    readonly product: string;
    readonly version: string;
    /** The URL, password removed. */
    readonly url: string;
  };
  readonly rows: number;
  readonly runs: number;
  /** What the rows went into: the guide's schema, or copies of the user's table. */
  readonly schema: { readonly kind: 'users' } | { readonly kind: 'table'; readonly table: string };
  readonly upsert: { readonly key: readonly string[] | undefined; readonly prefilled: string } | undefined;
  readonly rungs: readonly RungResult[];
  /** What auto chose and why (the plan's reasons), when auto was on the ladder. */
  readonly auto: { readonly method: MethodName; readonly reasons: readonly string[] } | undefined;
  /** The scratch tables the bench created, all dropped at the end. */
  readonly scratchTables: readonly string[];
  readonly notes: readonly string[];
}

export const PRODUCT: Record<DialectName, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL / MariaDB',
  sqlite: 'SQLite',
};
