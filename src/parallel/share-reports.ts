import type { DialectName } from '../dialects/dialect.js';
import type { LoadReport } from '../report.js';
import type { Checkpoint } from '../resume/checkpoint-table.js';

/** How one share of a parallel load ended. */
export type ShareOutcome =
  | { readonly report: LoadReport }
  /** Finished in an earlier run: its checkpoint stands at its end. */
  | { readonly done: Checkpoint }
  /** `stopped`: it failed after another share had (the stop, or its own error meanwhile). */
  | { readonly error: unknown; readonly stopped: boolean };

/**
 * The parallel load's report: the shares' counts summed (rowsRead = loaded + rejected holds for
 * each, so for the sum), the method and batch sizes of the first share that ran, and the wall time.
 */
export function sumReports(
  outcomes: readonly ShareOutcome[],
  load: {
    readonly table: string;
    readonly dialect: DialectName;
    readonly seconds: number;
    readonly ddl: string | undefined;
    readonly parallel: number;
    readonly note: string;
  },
): LoadReport {
  const reports = outcomes.flatMap((o) => ('report' in o ? [o.report] : []));
  const done = outcomes.flatMap((o) => ('done' in o ? [o.done] : []));
  const sum = (f: (r: LoadReport) => number, g: (c: Checkpoint) => number) =>
    reports.reduce((n, r) => n + f(r), 0) + done.reduce((n, c) => n + g(c), 0);
  const rowsLoaded = sum(
    (r) => r.rowsLoaded,
    (c) => c.rowsLoaded,
  );
  const first = reports[0];
  return {
    table: load.table,
    dialect: load.dialect,
    method: first?.method ?? 'copy',
    rowsRead: sum(
      (r) => r.rowsRead,
      (c) => c.rowsLoaded + c.rowsRejected,
    ),
    rowsLoaded,
    rowsInserted: sum(
      (r) => r.rowsInserted,
      (c) => c.counts.inserted,
    ),
    rowsUpdated: sum(
      (r) => r.rowsUpdated,
      (c) => c.counts.updated,
    ),
    rowsUnchanged: sum(
      (r) => r.rowsUnchanged,
      (c) => c.counts.unchanged,
    ),
    rowsRejected: sum(
      (r) => r.rowsRejected,
      (c) => c.rowsRejected,
    ),
    seconds: load.seconds,
    rowsPerSecond: load.seconds > 0 ? Math.round(rowsLoaded / load.seconds) : rowsLoaded,
    batchSize: first?.batchSize ?? 0,
    rowsPerStatement: first?.rowsPerStatement ?? 0,
    rawCopy: reports.length > 0 && reports.every((r) => r.rawCopy),
    ddl: load.ddl,
    notes: [load.note, ...(first?.notes ?? [])],
    checkpoints: sum(
      (r) => r.checkpoints,
      (c) => c.checkpoints,
    ),
    resumedFrom: undefined,
    reconnects: reports.reduce((n, r) => n + (r.reconnects ?? 0), 0),
    parallel: load.parallel,
  };
}
