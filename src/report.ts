import type { DeferredDefinition, DialectName } from './dialects/dialect.js';
import type { DeferredConstraintsReport } from './methods/deferred-constraints.js';
import type { MethodName, Plan } from './plan/plan.js';

/** What a load did. rowsRead = rowsInserted + rowsUpdated + rowsUnchanged + rowsRejected, always. */
export interface LoadReport {
  readonly table: string;
  readonly dialect: DialectName;
  readonly method: MethodName;
  readonly rowsRead: number;
  /** Rows stored: rowsInserted + rowsUpdated + rowsUnchanged. */
  readonly rowsLoaded: number;
  readonly rowsInserted: number;
  /** Rows whose key existed and whose values changed (upsert). */
  readonly rowsUpdated: number;
  /** Rows whose key existed with the values already as given (upsert). */
  readonly rowsUnchanged: number;
  readonly rowsRejected: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly batchSize: number;
  readonly rowsPerStatement: number;
  /** The CSV's bytes went to the bulk path untouched. */
  readonly rawCopy: boolean;
  /** The CREATE TABLE sluice ran, when the table was missing. */
  readonly ddl: string | undefined;
  /** What sluice decided about the created table's columns: generated names, columns left out, conversions. */
  readonly notes: readonly string[];
  /** Checkpoints written (--commit-every on a file), the earlier runs of a resumed load included. */
  readonly checkpoints: number;
  /** A resumed load: where in the file it went on (byte offset, records before it, line). */
  readonly resumedFrom:
    { readonly offset: number; readonly ordinal: number; readonly line: number } | undefined;
  /**
   * With `returning` and no `onReturning`: the returned columns of each input record, in input
   * order (null for a rejected record).
   */
  readonly returning?: readonly (Readonly<Record<string, unknown>> | null)[];
  /**
   * createMissingRefs: parents missing when looked up that exist after the insert-if-absent
   * (inserted by this load, or by another creating the same parent at that moment).
   */
  readonly refsCreated?: number;
  /** Reconnections after transient failures (--retries). */
  readonly reconnects?: number;
  /** --parallel: the shares the file was cut into, each loaded over its own connection. */
  readonly parallel?: number;
  /** --defer-constraints: what was dropped and rebuilt, what was kept, and each phase's time. */
  readonly deferredConstraints?: DeferredConstraintsReport;
}

/** What a load would do: `sluice explain`. Nothing is written to the database. */
export interface ExplainReport {
  readonly table: string;
  readonly dialect: DialectName;
  readonly plan: Plan;
  readonly columns: readonly string[];
  /** The CREATE TABLE that would run, when the table is missing. */
  readonly ddl: string | undefined;
  /** What sluice decided about the created table's columns, as in LoadReport. */
  readonly notes: readonly string[];
  /** The statement that would carry the rows, with placeholders and no values. */
  readonly statement: string;
  /** --defer-constraints: the definitions that would be dropped and rebuilt, and those kept. */
  readonly deferredConstraints?: {
    readonly rebuilt: readonly DeferredDefinition[];
    readonly kept: readonly string[];
  };
}
