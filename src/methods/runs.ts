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
 * shorten the next one); the last may be smaller. When the source fails, the rows gathered before
 * the failure are handed on first: the database may refuse one of them, and the first bad row in
 * source order is the one to report.
 */
export async function* rechunk(
  chunks: AsyncIterable<MappedChunk>,
  size: () => number,
): AsyncGenerator<MappedChunk> {
  let pending = new Pending();
  let want = size();
  try {
    for await (const chunk of chunks) {
      if (pending.rows.length === 0 && chunk.rows.length === want) {
        yield chunk;
        want = size();
        continue;
      }
      for (let i = 0; i < chunk.rows.length; i++) {
        pending.push(chunk, i);
        if (pending.rows.length === want) {
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

/** Rows gathered one by one into a chunk, with their positions (and shapes, when rows lack fields). */
export class Pending {
  readonly rows: (readonly unknown[])[] = [];
  readonly lines: number[] = [];
  readonly ordinals: number[] = [];
  readonly ends: number[] = [];
  shapes: string[] | undefined;

  push(chunk: RowChunk & { readonly shapes?: readonly string[] | undefined }, i: number): void {
    if (chunk.shapes !== undefined && this.shapes === undefined)
      this.shapes = new Array<string>(this.rows.length).fill('');
    this.rows.push(chunk.rows[i]!);
    this.lines.push(chunk.lines[i]!);
    this.ordinals.push(chunk.ordinals[i]!);
    this.ends.push(chunk.ends[i]!);
    this.shapes?.push(chunk.shapes?.[i] ?? '');
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
