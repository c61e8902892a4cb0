import type { BulkCopy, RowChunk } from '../dialects/dialect.js';
import type { SluiceError } from '../errors.js';
import { openSource } from '../sources/from-input.js';
import { locateFailure } from './locate-failure.js';
import { rowError, type MethodContext } from './method.js';
import type { Run } from './runs.js';

const PROBE_BATCH = 'sluice_probe_batch';
/** Rows per bulk operation while searching: the search re-sends the file up to the bad batch. */
const PROBE_ROWS = 10_000;

/**
 * Finds the record of a CSV file that a raw copy failed on when the database did not say which
 * (PostgreSQL checks foreign keys when the COPY ends, with no line in the error). The file is read
 * again, parsed, and copied batch by batch inside savepoints; the failing batch is bisected.
 * Runs only after a failure and inside the load's transaction, which the caller rolls back: it
 * costs a second pass over the file up to the bad record, plus O(log batch) small copies.
 * Returns undefined when the failure does not reproduce record by record.
 */
export async function locateInCsvFile(
  context: MethodContext,
  bulk: BulkCopy,
  path: string,
  column: (error: unknown) => { columnName: string } | undefined,
): Promise<SluiceError | undefined> {
  const { session, ref, columns } = context;
  const format = context.source.delimiter === '\t' ? 'tsv' : 'csv';
  const source = await openSource(path, { format });
  const write = (run: Run): Promise<number> => bulk.copyRows(ref, run.columns, once(run));
  try {
    if (source.kind !== 'text') return undefined;
    let rows: (readonly unknown[])[] = [];
    let lines: number[] = [];
    const probe = async (): Promise<SluiceError | undefined> => {
      const run: Run = { key: '', columns, rows, lines };
      rows = [];
      lines = [];
      await session.savepoint(PROBE_BATCH);
      try {
        await write(run);
        await session.releaseSavepoint(PROBE_BATCH);
        return undefined;
      } catch {
        await session.rollbackToSavepoint(PROBE_BATCH);
      }
      const failure = await locateFailure(session, run, write);
      return failure === undefined
        ? undefined
        : rowError(context, failure.error, run.lines[failure.index], column(failure.error));
    };
    for await (const batch of source.batches()) {
      for (let i = 0; i < batch.records.length; i++) {
        rows.push(batch.records[i]!);
        lines.push(batch.lines[i]!);
        if (rows.length === PROBE_ROWS) {
          const found = await probe();
          if (found !== undefined) return found;
        }
      }
    }
    return rows.length > 0 ? await probe() : undefined;
  } finally {
    source.close();
  }
}

async function* once(run: Run): AsyncGenerator<RowChunk> {
  yield run;
}
