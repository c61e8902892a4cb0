import type { BulkCopy, RowCounts } from '../dialects/dialect.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import { slicePositions, type RecordPositions } from '../util/record-positions.js';
import { copyRowOf } from './bulk-errors.js';
import { locateFailure, type Slicing } from './locate-failure.js';
import { addCounts, inserted, rowError, type MethodContext, type MethodResult } from './method.js';
import { readAhead, yieldingToIo } from './read-ahead.js';
import { sliceRun, splitRuns, type Run } from './runs.js';

type Encoding = Required<Pick<BulkCopy, 'encodeRows' | 'copyEncoded'>>;

/** Rows of one shape as the bulk path's bytes: row i is the line from starts[i] to starts[i + 1]. */
interface EncodedRun extends RecordPositions {
  readonly columns: readonly string[];
  readonly bytes: Buffer;
  readonly starts: Uint32Array;
}

interface EncodedBatch {
  readonly runs: readonly EncodedRun[];
  readonly rows: number;
  readonly last: { readonly ordinal: number; readonly end: number } | undefined;
  /** The row just after the batch, which the bulk path could not encode: the load's failure once the batch went in. */
  readonly refused?: { readonly error: unknown; readonly line: number | undefined };
}

const ENCODED: Slicing<EncodedRun> = {
  rows: (run) => run.starts.length - 1,
  slice: (run, start, end) => ({
    columns: run.columns,
    bytes: run.bytes,
    starts: run.starts.subarray(start, end + 1),
    ...slicePositions(run, start, end),
  }),
};

/**
 * copy in abort mode where the database judges a bulk statement only at its end (LOAD DATA): one
 * statement per batch, each in a savepoint, so a refused one can be bisected to its first bad row
 * (locate-failure.ts), as the batch methods do. Two things keep the database busy and the memory
 * flat:
 *
 * - A batch is held as the bytes it is sent as (BulkCopy.encodeRows, a line per row), not as JS
 *   rows: rows are encoded as they arrive and dropped, so 50,000 of them cost ~3 MB, and the
 *   bisection re-sends lines of those bytes.
 * - The next batch is read, mapped and encoded while the database applies the current one
 *   (read-ahead.ts), instead of in a gap between statements.
 *
 * Batches are cut at `plan.batchSize` and at commit points (the one read ahead knowing the
 * current one comes first), so --commit-every stays exact. A row the bulk path cannot encode ends
 * its batch: the rows before it go first, since one of them may be the first bad row.
 */
export async function copyEncodedBatches(
  context: MethodContext,
  chunks: AsyncIterable<MappedChunk>,
  bulk: Encoding,
): Promise<MethodResult> {
  const { tx } = context;
  // Rows of batches cut but not yet counted by tx.wrote.
  let unwritten = 0;
  const cut = (): number => Math.min(context.plan.batchSize, tx.roomAfter(unwritten));
  async function* counted(): AsyncGenerator<EncodedBatch> {
    for await (const batch of encodedBatches(context, yieldingToIo(chunks), bulk, cut)) {
      unwritten += batch.rows;
      yield batch;
    }
  }
  const write = (run: EncodedRun): Promise<RowCounts> =>
    bulk.copyEncoded(
      context.ref,
      run.columns,
      run.bytes.subarray(run.starts[0], run.starts[run.starts.length - 1]),
      run.starts.length - 1,
    );

  let counts = inserted(0);
  for await (const batch of readAhead(counted(), (batch) => batch)) {
    let written = inserted(0);
    if (batch.runs.length > 0) {
      try {
        await tx.savepoint(async () => {
          for (const run of batch.runs) written = addCounts(written, await write(run));
        });
      } catch (error) {
        throw await explainFailure(context, batch.runs, write, error);
      }
    }
    if (batch.refused !== undefined) throw rowError(context, batch.refused.error, batch.refused.line);
    counts = addCounts(counts, written);
    context.onRows(batch.rows, batch.last);
    // In the same tick as tx.wrote counts them, so a batch cut meanwhile sees them exactly once.
    unwritten -= batch.rows;
    await tx.wrote(batch.rows, batch.last);
  }
  return { counts };
}

/**
 * The source's rows as encoded batches of `size()` rows (asked at the start of each batch). When
 * the source fails, the rows before the failure are handed on first, then the error thrown.
 */
async function* encodedBatches(
  context: MethodContext,
  chunks: AsyncIterable<MappedChunk>,
  bulk: Encoding,
  size: () => number,
): AsyncGenerator<EncodedBatch> {
  let batch = new BatchBuilder();
  let want = size();
  try {
    for await (const chunk of chunks) {
      for (let run of splitRuns(chunk, context.columns)) {
        for (;;) {
          const take = Math.min(run.rows.length, want - batch.rows);
          const piece = take === run.rows.length ? run : sliceRun(run, 0, take);
          const refused = batch.add(piece, bulk);
          if (refused !== undefined) {
            yield batch.done(refused);
            return;
          }
          if (batch.rows === want) {
            yield batch.done();
            batch = new BatchBuilder();
            want = size();
          }
          if (take === run.rows.length) break;
          run = sliceRun(run, take, run.rows.length);
        }
      }
    }
  } catch (error) {
    if (batch.rows > 0) yield batch.done();
    throw error;
  }
  if (batch.rows > 0) yield batch.done();
}

/** A batch being gathered: consecutive pieces of the same shape share one run of bytes. */
class BatchBuilder {
  rows = 0;
  private readonly runs: EncodedRun[] = [];
  private current:
    { key: string; columns: readonly string[]; parts: Buffer[]; positions: Positions } | undefined;
  private last: EncodedBatch['last'];

  /** Encodes `piece` into the batch; what refuses its first bad row when one cannot be encoded. */
  add(piece: Run, bulk: Encoding): { error: unknown; line: number | undefined } | undefined {
    let bytes: Buffer;
    let good = piece;
    let refused: { error: unknown; line: number | undefined } | undefined;
    try {
      bytes = bulk.encodeRows(piece.rows);
    } catch (error) {
      const row = copyRowOf(error);
      if (row === undefined || row < 1 || row > piece.rows.length) throw error;
      refused = { error, line: piece.lines[row - 1] };
      good = sliceRun(piece, 0, row - 1);
      bytes = good.rows.length > 0 ? bulk.encodeRows(good.rows) : Buffer.alloc(0);
    }
    if (good.rows.length > 0) {
      if (this.current === undefined || this.current.key !== good.key) {
        this.close();
        this.current = { key: good.key, columns: good.columns, parts: [], positions: new Positions() };
      }
      this.current.parts.push(bytes);
      this.current.positions.add(good);
      this.rows += good.rows.length;
      const n = good.rows.length;
      this.last = { ordinal: good.ordinals[n - 1]!, end: good.ends[n - 1]! };
    }
    return refused;
  }

  done(refused?: EncodedBatch['refused']): EncodedBatch {
    this.close();
    return { runs: this.runs, rows: this.rows, last: this.last, refused };
  }

  private close(): void {
    const current = this.current;
    if (current === undefined) return;
    this.current = undefined;
    const bytes = current.parts.length === 1 ? current.parts[0]! : Buffer.concat(current.parts);
    const { lines, ordinals, ends } = current.positions;
    this.runs.push({
      columns: current.columns,
      bytes,
      starts: lineStarts(bytes, lines.length),
      lines,
      ordinals,
      ends,
    });
  }
}

class Positions implements RecordPositions {
  readonly lines: number[] = [];
  readonly ordinals: number[] = [];
  readonly ends: number[] = [];
  add(run: Run): void {
    for (let i = 0; i < run.rows.length; i++) {
      this.lines.push(run.lines[i]!);
      this.ordinals.push(run.ordinals[i]!);
      this.ends.push(run.ends[i]!);
    }
  }
}

/** Where each of `rows` lines starts in `bytes` (each ends with a newline), and the end of the last. */
function lineStarts(bytes: Buffer, rows: number): Uint32Array {
  const starts = new Uint32Array(rows + 1);
  let at = 0;
  for (let i = 0; i < rows; i++) {
    starts[i] = at;
    const newline = bytes.indexOf(0x0a, at);
    if (newline === -1) throw new Error(`the encoded rows hold ${i} lines, not ${rows}`);
    at = newline + 1;
  }
  starts[rows] = at;
  if (at !== bytes.length) throw new Error(`the encoded rows hold more than ${rows} lines`);
  return starts;
}

/** The row to blame for a refused batch: the one the database named, or the first bisection finds. */
async function explainFailure(
  context: MethodContext,
  runs: readonly EncodedRun[],
  write: (run: EncodedRun) => Promise<RowCounts>,
  original: unknown,
): Promise<Error> {
  if (runs.length === 1) {
    const row = copyRowOf(original);
    if (row !== undefined && row >= 1 && row <= runs[0]!.lines.length)
      return rowError(context, original, runs[0]!.lines[row - 1]);
  }
  try {
    for (const run of runs) {
      const failure = await locateFailure(context.tx, run, write, undefined, ENCODED);
      if (failure !== undefined) return rowError(context, failure.error, run.lines[failure.index]);
    }
  } catch {
    // The database could not be asked again (it rolled the whole transaction back, say): the
    // original error, blamed on the batch, says more than the failed probe.
  }
  return rowError(context, original, runs[0]?.lines[0]);
}
