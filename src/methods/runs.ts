import { MISSING, type MappedChunk } from '../rows/row-mapper.js';

/** Consecutive rows that have the same fields, so one column list serves them all. */
export interface Run {
  /** '' when the rows have every column, otherwise the indexes they lack. */
  readonly key: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  readonly lines: readonly number[];
}

/**
 * Splits a chunk into runs of equal shape and drops the missing fields from each row, so a
 * missing field gets the database default while an explicit null stays NULL. Chunks where every
 * row is complete pass through without copying.
 */
export function splitRuns(chunk: MappedChunk, columns: readonly string[]): Run[] {
  const { rows, lines, shapes } = chunk;
  if (shapes === undefined) return [{ key: '', columns, rows, lines }];
  const runs: Run[] = [];
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i < rows.length && shapes[i] === shapes[start]) continue;
    runs.push(project(shapes[start]!, columns, rows.slice(start, i), lines.slice(start, i)));
    start = i;
  }
  return runs;
}

function project(
  key: string,
  columns: readonly string[],
  rows: (readonly unknown[])[],
  lines: readonly number[],
): Run {
  if (key === '') return { key, columns, rows, lines };
  const keep: number[] = [];
  for (let c = 0; c < columns.length; c++) if (rows[0]![c] !== MISSING) keep.push(c);
  return {
    key,
    columns: keep.map((c) => columns[c]!),
    rows: rows.map((row) => keep.map((c) => row[c])),
    lines,
  };
}

/** Re-cuts chunks into chunks of exactly `size` rows (the last may be smaller). */
export async function* rechunk(
  chunks: AsyncIterable<MappedChunk>,
  size: number,
): AsyncGenerator<MappedChunk> {
  let rows: (readonly unknown[])[] = [];
  let lines: number[] = [];
  let shapes: string[] | undefined;
  for await (const chunk of chunks) {
    if (rows.length === 0 && chunk.rows.length === size) {
      yield chunk;
      continue;
    }
    if (chunk.shapes !== undefined && shapes === undefined) shapes = new Array<string>(rows.length).fill('');
    for (let i = 0; i < chunk.rows.length; i++) {
      rows.push(chunk.rows[i]!);
      lines.push(chunk.lines[i]!);
      if (shapes !== undefined) shapes.push(chunk.shapes?.[i] ?? '');
      if (rows.length === size) {
        yield { rows, lines, shapes };
        rows = [];
        lines = [];
        shapes = chunk.shapes === undefined ? undefined : [];
      }
    }
  }
  if (rows.length > 0) yield { rows, lines, shapes };
}

/** Rows start..end of a run, same columns. */
export function sliceRun(run: Run, start: number, end: number): Run {
  return {
    key: run.key,
    columns: run.columns,
    rows: run.rows.slice(start, end),
    lines: run.lines.slice(start, end),
  };
}
