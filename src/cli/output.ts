import { SluiceError, isSluiceError } from '../errors.js';
import type { ExplainReport, LoadReport } from '../report.js';
import { redactSecret } from '../util/redact-url.js';

export interface Streams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export function summaryLine(report: LoadReport, db: string): string {
  const seconds = report.seconds < 10 ? report.seconds.toFixed(2) : report.seconds.toFixed(1);
  const how = `method ${report.method}${report.rawCopy ? ', raw CSV' : ''}`;
  const rejected =
    report.rowsRejected > 0 ? `; ${report.rowsRejected} of ${report.rowsRead} rows rejected` : '';
  // An upsert says what became of the rows: a plain load only inserts.
  const upsert =
    report.rowsUpdated > 0 || report.rowsUnchanged > 0
      ? ` (${report.rowsInserted} inserted, ${report.rowsUpdated} updated, ${report.rowsUnchanged} unchanged)`
      : '';
  const deferred = report.deferredConstraints;
  const phases =
    deferred === undefined
      ? ''
      : `; constraints deferred (${deferred.rebuilt.length} rebuilt): dropped in ${deferred.seconds.drop.toFixed(2)} s, rows in ${deferred.seconds.load.toFixed(2)} s, rebuilt in ${deferred.seconds.rebuild.toFixed(2)} s`;
  return `loaded ${report.rowsLoaded} rows${upsert} into ${report.table} (${db}) in ${seconds} s: ${report.rowsPerSecond} rows/s, ${how}${rejected}${phases}`;
}

/** The report's notes as the CLI prints them after the summary, one `note:` line each. */
export function notesText(report: LoadReport): string {
  return report.notes.map((n) => `note: ${n}\n`).join('');
}

export function reportJson(report: LoadReport): string {
  const {
    table,
    method,
    rowsRead,
    rowsLoaded,
    rowsInserted,
    rowsUpdated,
    rowsUnchanged,
    rowsRejected,
    seconds,
    rowsPerSecond,
    dialect,
    batchSize,
    rowsPerStatement,
    rawCopy,
    ddl,
    notes,
    checkpoints,
    resumedFrom,
    reconnects,
    refsCreated,
    deferredConstraints,
    parallel,
  } = report;
  return JSON.stringify({
    table,
    method,
    rowsRead,
    rowsLoaded,
    rowsInserted,
    rowsUpdated,
    rowsUnchanged,
    rowsRejected,
    seconds: Number(seconds.toFixed(3)),
    rowsPerSecond,
    dialect,
    batchSize,
    rowsPerStatement,
    rawCopy,
    createdTable: ddl !== undefined,
    notes,
    checkpoints,
    resumedFrom: resumedFrom ?? null,
    reconnects: reconnects ?? 0,
    ...(refsCreated !== undefined ? { refsCreated } : {}),
    // Only with --defer-constraints (undefined is left out of the JSON).
    deferredConstraints,
    // Only with --parallel: the parts the file was cut into.
    parallel,
  });
}

export function explainText(report: ExplainReport, input: string): string {
  const { plan } = report;
  const transaction =
    plan.transaction === 'autocommit'
      ? 'none: every row commits on its own'
      : plan.transaction === 'single'
        ? 'one transaction for the whole load'
        : `a commit every ${plan.transaction.commitEvery} rows`;
  const lines = [
    `plan for loading ${input} into ${report.table} (${report.dialect})`,
    `  method:      ${plan.method}${plan.requested === 'auto' ? ' (chosen by auto)' : ''}`,
    `  batches:     ${batchText(report)}`,
    `  transaction: ${transaction}`,
    `  columns:     ${report.columns.join(', ')}`,
  ];
  if (report.ddl !== undefined) lines.push('  creates the table:', indent(report.ddl, 4));
  if (report.notes.length > 0) lines.push('  notes:', ...report.notes.map((n) => `    - ${n}`));
  lines.push('  statement:', indent(report.statement, 4), '  why:', ...plan.reasons.map((r) => `    - ${r}`));
  lines.push('nothing was written.');
  return lines.join('\n') + '\n';
}

/** What a batch is for the planned method (the unit --batch-size sets). */
function batchText(report: ExplainReport): string {
  const { plan } = report;
  switch (plan.method) {
    case 'row':
      return 'none: one INSERT per row';
    case 'values':
      return `${plan.batchSize} rows per savepoint, ${plan.rowsPerStatement} rows per INSERT (--batch-size)`;
    case 'pipeline':
      return `${plan.batchSize} rows per pipelined round, one savepoint each (--batch-size)`;
    case 'copy':
      if (plan.rawCopy) return 'none: the file goes as one bulk statement';
      return plan.copyPerBatch
        ? `${plan.batchSize} rows per bulk statement, one savepoint each (--batch-size)`
        : `${plan.batchSize} rows encoded at a time into one bulk stream (--batch-size makes each batch its own statement)`;
  }
}

/** The error as the CLI prints it: message, hint, what was committed. Secrets removed. */
export function errorText(error: unknown, url: string | undefined): string {
  const sluice = isSluiceError(error)
    ? error
    : new SluiceError('LOAD_FAILED', (error as Error)?.message ?? String(error), { cause: error });
  const lines = [`sluice: ${sluice.message}`];
  if (sluice.hint) lines.push(`hint: ${sluice.hint}`);
  if (sluice.exitCode === 1) {
    const committed = sluice.rowsCommitted ?? 0;
    lines.push(
      committed === 0
        ? 'nothing was committed: the table is as it was before the load'
        : `${committed} rows were committed before the failure`,
    );
  }
  return redactSecret(lines.join('\n'), url) + '\n';
}

/** SLUICE_DEBUG=1: the stack of the error and of each cause under it, secrets removed. */
export function debugText(error: unknown, url: string | undefined): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = error; e !== undefined && e !== null && !seen.has(e) && parts.length < 10;) {
    seen.add(e);
    parts.push(
      (parts.length === 0 ? '' : 'caused by: ') + (e instanceof Error ? String(e.stack) : String(e)),
    );
    e = e instanceof Error ? e.cause : undefined;
  }
  return redactSecret(parts.join('\n'), url) + '\n';
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((l) => ' '.repeat(spaces) + l)
    .join('\n');
}
