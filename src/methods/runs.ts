import type { RowChunk } from '../dialects/dialect.js';
import { MISSING, type MappedChunk } from '../rows/row-mapper.js';
import { slicePositions } from '../util/record-positions.js';

/** Consecutive rows that have the same fields, so one column list serves them all. */
export interface Run extends RowChunk {
  /** '' when the rows have every column, otherwise the indexes they lack. */
  readonly key: string;
  readonly columns: readonly string[];
}

/**
 * Splits a chunk into runs of equal shape and drops the missing fields from each row, so a
 * missing field gets the database default while an explicit null stays NULL. Chunks where every
 * row is complete pass through without copying.
 */
export function splitRuns(chunk: MappedChunk, columns: readonly string[]): Run[] {
  const { rows, shapes } = chunk;
  if (shapes === undefined) return [{ key: '', columns, ...chunk }];
  const runs: Run[] = [];
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i < rows.length && shapes[i] === shapes[start]) continue;
    runs.push(project(shapes[start]!, columns, sliceRun({ key: '', columns, ...chunk }, start, i)));
    start = i;
  }
  return runs;
}

function project(key: string, columns: readonly string[], run: Run): Run {
  if (key === '') return run;
  const keep: number[] = [];
  for (let c = 0; c < columns.length; c++) if (run.rows[0]![c] !== MISSING) keep.push(c);
  return {
    ...run,
    key,
    columns: keep.map((c) => columns[c]!),
    rows: run.rows.map((row) => keep.map((c) => row[c])),
  };
}

/**
 * Re-cuts chunks into chunks of `size()` rows, asked again for every chunk (a commit point may
 * shorten the next one); the last may be smaller. Rows move in slices, not one by one: a parser's
 * chunks rarely line up with batches, so every row would otherwise be pushed into four arrays.
 * When the source fails, the rows gathered before the failure are handed on first: the database
 * may refuse one of them, and the first bad row in source order is the one to report.
 */
export async function* rechunk(
  chunks: AsyncIterable<MappedChunk>,
  size: () => number,
): AsyncGenerator<MappedChunk> {
  let pending = new Pending();
  let want = size();
  try {
    for await (const chunk of chunks) {
      const length = chunk.rows.length;
      for (let start = 0; start < length;) {
        if (pending.rows.length === 0 && start === 0 && length === want) {
          start = length;
          yield chunk;
          want = size();
          continue;
        }
        const end = Math.min(length, start + want - pending.rows.length);
        pending.pushRange(chunk, start, end);
        start = end;
        if (pending.rows.length >= want) {
          yield pending.chunk();
          pending = new Pending();
          want = size();
        }
      }
    }
  } catch (error) {
    if (pending.rows.length > 0) yield pending.chunk();
    throw error;
  }
  if (pending.rows.length > 0) yield pending.chunk();
}

/** Rows gathered into a chunk, with their positions (and shapes, when rows lack fields). */
export class Pending {
  rows: (readonly unknown[])[] = [];
  lines: number[] = [];
  ordinals: number[] = [];
  ends: number[] = [];
  shapes: string[] | undefined;

  push(chunk: RowChunk & { readonly shapes?: readonly string[] | undefined }, i: number): void {
    this.pushRange(chunk, i, i + 1);
  }

  /** Rows start..end of `chunk`: taken as slices when nothing is pending, appended otherwise. */
  pushRange(
    chunk: RowChunk & { readonly shapes?: readonly string[] | undefined },
    start: number,
    end: number,
  ): void {
    if (end <= start) return;
    if (chunk.shapes !== undefined && this.shapes === undefined)
      this.shapes = new Array<string>(this.rows.length).fill('');
    if (end - start === 1) {
      this.rows.push(chunk.rows[start]!);
      this.lines.push(chunk.lines[start]!);
      this.ordinals.push(chunk.ordinals[start]!);
      this.ends.push(chunk.ends[start]!);
      this.shapes?.push(chunk.shapes?.[start] ?? '');
      return;
    }
    const shapes =
      this.shapes && (chunk.shapes?.slice(start, end) ?? new Array<string>(end - start).fill(''));
    if (this.rows.length === 0) {
      this.rows = chunk.rows.slice(start, end);
      this.lines = chunk.lines.slice(start, end);
      this.ordinals = chunk.ordinals.slice(start, end);
      this.ends = chunk.ends.slice(start, end);
      if (shapes !== undefined) this.shapes = shapes;
      return;
    }
    this.rows = this.rows.concat(chunk.rows.slice(start, end));
    this.lines = this.lines.concat(chunk.lines.slice(start, end));
    this.ordinals = this.ordinals.concat(chunk.ordinals.slice(start, end));
    this.ends = this.ends.concat(chunk.ends.slice(start, end));
    if (shapes !== undefined) this.shapes = this.shapes!.concat(shapes);
  }

  chunk(): MappedChunk {
    const { rows, lines, ordinals, ends, shapes } = this;
    return { rows, lines, ordinals, ends, shapes };
  }
}

/** Rows start..end of a run, same columns. */
export function sliceRun(run: Run, start: number, end: number): Run {
  return {
    key: run.key,
    columns: run.columns,
    rows: run.rows.slice(start, end),
    ...slicePositions(run, start, end),
  };
}
