/**
 * Where each record of a batch came from, one entry per record, in source order. Every batch type
 * on the way to the database (RecordBatch, MappedChunk, Run, RowChunk) carries these three arrays
 * beside its rows: a resume seeks to `ends`, an upsert keeps the last duplicate by `ordinals`,
 * returned IDs are put in input order by `ordinals`, and errors name `lines`.
 */
export interface RecordPositions {
  /** The line each record starts on (1-based); for JS collections, the row's 1-based position. */
  readonly lines: readonly number[];
  /** Each record's 1-based position among the source's records, refused ones included. */
  readonly ordinals: readonly number[];
  /**
   * Where the source stands just after each record: the byte offset past its line end for byte
   * inputs (a byte-order mark counted), the number of items consumed for JS collections.
   */
  readonly ends: readonly number[];
}

/** The positions of records start..end. */
export function slicePositions(positions: RecordPositions, start: number, end: number): RecordPositions {
  return {
    lines: positions.lines.slice(start, end),
    ordinals: positions.ordinals.slice(start, end),
    ends: positions.ends.slice(start, end),
  };
}
