import type { Session, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import { load } from '../load.js';
import type { CommitHooks } from '../methods/transaction.js';
import { tableRef, validateOptions, type LoadOptions } from '../options.js';
import type { Reject } from '../rejects/reject.js';
import { RejectSink } from '../rejects/reject-sink.js';
import type { LoadReport } from '../report.js';
import { displayName, type SessionSlot } from '../resume/resumable-load.js';
import { RowsFrom, type ObjectInput } from '../sources/object-source.js';
import { BatchReader, type Batch, type BatchPlace } from './batch-reader.js';
import { createMissingTable, refuseWithoutConnections } from './before-shares.js';
import { committedRanges } from './committed-ranges.js';
import { PARALLEL_COMMIT_EVERY, type ParallelSessions } from './parallel-load.js';
import { sumReports, type ShareOutcome } from './share-reports.js';

const DEFAULT_SAMPLE = 1000;

/**
 * `parallel: N` for a JS collection (array, iterable, async iterable of objects): one reader cuts
 * it into batches of `commitEvery` rows, and N connections each take the next batch when free and
 * load it with load() as its own transaction, so the method, the conversions and the numbering of
 * records are a serial load's. At most N batches are in flight and one is being filled: memory
 * stays flat and a slow database holds the reader back. Not one transaction, and not resumable
 * (the input cannot be read again): a failure stops the reader, rolls back the batches under way
 * at their COMMIT, and says which rows are committed.
 */
export async function parallelBatches(
  sessions: ParallelSessions,
  table: string | TableRef,
  input: ObjectInput,
  options: LoadOptions,
): Promise<LoadReport> {
  const started = performance.now();
  validateOptions(options);
  const n = options.parallel!;
  refuseForBatches(sessions, options, n);
  const ref = tableRef(table);
  const commitEvery = options.commitEvery ?? PARALLEL_COMMIT_EVERY;
  const reader = new BatchReader(input, commitEvery);
  const session = sessions.first.session;
  const sample = await reader.sample(options.sampleSize ?? DEFAULT_SAMPLE, options.onError === 'skip');
  // A missing table is created once, typed from the input's first records as a serial load's sample.
  const ddl =
    sample.items.length === 0
      ? undefined
      : await createMissingTable(session, ref, new RowsFrom(sample.items, 1), options);
  // One file for every batch's rejects, each written with its record's number in the whole input.
  const rejects =
    options.onError === 'skip' && typeof options.rejects === 'string'
      ? new RejectSink({ rejects: options.rejects, maxErrors: undefined, source: 'input', unit: 'row' })
      : undefined;
  const inFlight = new Map<number, number>();
  let rowsDone = 0;
  const progress = (batch: Batch, rows: number) => {
    inFlight.set(batch.index, rows);
    let sum = rowsDone;
    for (const value of inFlight.values()) sum += value;
    options.onProgress?.({ rows: sum, bytes: 0, totalBytes: undefined });
  };
  // Places, not batches: a batch's rows are let go once it is loaded, so memory stays flat.
  const done: { batch: BatchPlace; report: LoadReport }[] = [];
  const stopped: { batch: BatchPlace; rows: number }[] = [];
  let failed: { batch: BatchPlace | undefined; error: unknown } | undefined;
  const slots: SessionSlot[] = [sessions.first];
  // A batch's rejects are held until its COMMIT: a batch rolled back leaves none in the file.
  const hooksFor = (held: Reject[]): CommitHooks => ({
    beforeCommit: async (point) => {
      // A batch under way when another failed rolls back rather than commit after the failure
      // (a COMMIT of no rows, after its rows committed, has nothing to hold back).
      if (failed !== undefined && point.rows > 0)
        throw new SluiceError('LOAD_FAILED', 'stopped: another batch of the parallel load failed');
      // The rejects beside the rows are on disk before they commit, as in a serial load.
      for (const reject of held.splice(0)) rejects?.add(reject);
      await rejects?.flush();
    },
  });

  const worker = async (first: boolean): Promise<void> => {
    let slot: SessionSlot | undefined = first ? sessions.first : undefined;
    for (;;) {
      if (failed !== undefined) return;
      let batch: Batch | undefined;
      try {
        batch = await reader.next();
        if (batch === undefined || failed !== undefined) return;
        if (slot === undefined) {
          slot = await sessions.open!();
          slots.push(slot);
        }
        const held: Reject[] = [];
        const report = await load(
          slot.session,
          ref,
          batch.rows,
          batchOptions(options, batch, commitEvery, rejects && held, progress),
          undefined,
          hooksFor(held),
        );
        inFlight.delete(batch.index);
        rowsDone += report.rowsRead;
        done.push({ batch: placeOf(batch), report });
      } catch (error) {
        if (failed === undefined) failed = { batch: batch && placeOf(batch), error };
        else if (batch !== undefined && error instanceof SluiceError && (error.rowsCommitted ?? 0) > 0)
          // Stopped after some of its rows committed (it never is when a batch is one commit).
          stopped.push({ batch: placeOf(batch), rows: error.rowsCommitted! });
        return;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: n }, (_, i) => worker(i === 0)));
    await reader.close().catch(() => undefined);
    await rejects?.close();
    if (failed !== undefined)
      throw await failure(failed, done, stopped, { n, session, ref, created: ddl !== undefined });
    const seconds = (performance.now() - started) / 1000;
    const outcomes: ShareOutcome[] = done
      .sort((a, b) => a.batch.index - b.batch.index)
      .map((d) => ({ report: d.report }));
    if (outcomes.length === 0) return await load(session, ref, [], options);
    return sumReports(outcomes, {
      table: displayName(ref),
      dialect: session.dialect,
      seconds,
      ddl,
      parallel: Math.min(n, outcomes.length),
      note: batchesNote(outcomes.length, n, commitEvery, 'loaded'),
    });
  } finally {
    await rejects?.close().catch(() => undefined);
    for (const slot of slots) if (slot !== sessions.first) await slot.session.close().catch(() => undefined);
  }
}

/** A JS collection of objects, as opposed to a path, stdin or a Node stream. */
export function isObjectCollection(input: unknown): input is ObjectInput {
  if (typeof input !== 'object' || input === null) return false;
  if (typeof (input as { pipe?: unknown }).pipe === 'function') return false;
  return Symbol.iterator in input || Symbol.asyncIterator in input;
}

/** What a parallel load by batches does, for the report and for explain. */
export function batchesNote(batches: number, n: number, commitEvery: number, verb: string): string {
  const count = batches > 0 ? `${batches} batches` : 'batches';
  return `${verb} in ${count} of ${commitEvery} rows over ${n} connections (parallel: ${n}), each batch its own transaction: not one transaction, and not resumable`;
}

function refuseForBatches(sessions: ParallelSessions, options: LoadOptions, n: number): void {
  refuseWithoutConnections(sessions.first.session, sessions.open !== undefined, n);
  if (options.resume === true)
    throw new SluiceError(
      'BAD_USAGE',
      'resume: true needs a file path: a stream or a JS collection cannot be read again from a position',
      { hint: 'save the input to a file and load the file with --commit-every' },
    );
  // Batches commit in whatever order they end: which of two rows with one key is kept (or wins the
  // update) would not be the serial load's.
  if (options.onConflict !== undefined)
    throw new SluiceError(
      'BAD_USAGE',
      'onConflict cannot be used with parallel: N on a JS collection: its batches commit in no set order, so which row of a key is kept would not be the one a serial load keeps',
      { hint: 'load without parallel to upsert' },
    );
}

/** A batch's own load: its rows, one transaction, its rejects and progress handed up. */
function batchOptions(
  options: LoadOptions,
  batch: Batch,
  commitEvery: number,
  held: Reject[] | undefined,
  progress: (batch: Batch, rows: number) => void,
): LoadOptions {
  return {
    ...options,
    parallel: undefined,
    commitEvery,
    rejects: held !== undefined ? (reject) => void held.push(reject) : options.rejects,
    onProgress: (p) => progress(batch, p.rows),
  };
}

/** The failed batch's error, with the rows every batch committed and which they are. */
async function failure(
  failed: { batch: BatchPlace | undefined; error: unknown },
  done: readonly { batch: BatchPlace; report: LoadReport }[],
  stopped: readonly { batch: BatchPlace; rows: number }[],
  load: { readonly n: number; readonly session: Session; readonly ref: TableRef; readonly created: boolean },
): Promise<SluiceError> {
  const { error } = failed;
  const sluice =
    error instanceof SluiceError ? error : new SluiceError('LOAD_FAILED', String(error), { cause: error });
  // Batches that committed part of their rows: the failed one, and any stopped after a commit.
  const partials = [
    ...(failed.batch !== undefined && (sluice.rowsCommitted ?? 0) > 0
      ? [{ batch: failed.batch, rows: sluice.rowsCommitted! }]
      : []),
    ...stopped,
  ];
  const partial = partials.reduce((sum, p) => sum + p.rows, 0);
  const committed = done.reduce((sum, d) => sum + d.report.rowsLoaded, 0) + partial;
  if (committed === 0 && load.created)
    await load.session.execute(`DROP TABLE ${load.session.sql.table(load.ref)}`).catch(() => undefined);
  const ranges = committedRanges(done.map((d) => d.batch));
  const where =
    failed.batch === undefined ? 'reading the input' : `the batch of rows ${rangeOf(failed.batch)}`;
  const which = [
    ...(ranges === '' ? [] : [`the batches of rows ${ranges}`]),
    ...partials.map((p) => `${p.rows} rows of the batch of rows ${rangeOf(p.batch)}`),
  ].join(', and ');
  const how =
    committed === 0
      ? 'nothing of the load is committed'
      : `${committed} rows are committed, each batch in its own transaction: ${which}`;
  return sluice.with({
    rowsCommitted: committed,
    writeStarted: committed > 0 || sluice.writeStarted,
    hint: [
      sluice.hint,
      `${where} failed and stopped the others (parallel: ${load.n}); ${how}. A JS collection cannot be read again, so there is no resume: load the rows not committed again`,
    ]
      .filter((h) => h !== undefined)
      .join('\n'),
  });
}

function rangeOf(batch: BatchPlace): string {
  return `${batch.first}-${batch.first + batch.count - 1}`;
}

function placeOf(batch: Batch): BatchPlace {
  return { index: batch.index, first: batch.first, count: batch.count };
}
