import type { Readable } from 'node:stream';
import type { RowChunk, RowCounts, Session, TableRef } from '../dialects/dialect.js';
import { SluiceError, type SourceLocation } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import type { CsvDialect } from '../util/csv-dialect.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import type { Run } from './runs.js';
import type { LoadTransaction } from './transaction.js';

/** A place to start reading a file: after `ordinal` records, at byte `offset`, on `line`. */
export interface SourceStartAt {
  readonly offset: number;
  readonly ordinal: number;
  readonly line: number;
}

/**
 * A CSV file whose records go to the table as written, which the bulk path may take as its own
 * bytes. load.ts provides it, so methods never open sources themselves.
 */
export interface RawCsvInput {
  /** How the file is written (delimiter, quote, header, NULL strings...). */
  readonly dialect: CsvDialect;
  /** Where the load starts: the file's start, or a resumed load's checkpoint (past its header). */
  readonly start: { readonly offset: number; readonly ordinal: number };
  /** The file's bytes from `start` (the header included at 0), counted for progress as pulled. */
  bytes(): Readable;
  /** Where in the file `bytes()` has got to (byte offset). */
  bytesRead(): number;
  /** The file read again through sluice's parser (from `from`), as rows aligned to the load's columns. */
  parsed(from?: SourceStartAt): AsyncIterable<RowChunk>;
  /** The file's bytes from `offset` again, not counted for progress (error paths). */
  reread(offset?: number): Readable;
  /** The line the `n`-th record (1-based, header not counted) starts on. */
  lineOfRecord(n: number): Promise<number | undefined>;
  /** The line starting at byte `offset` (1 plus the newlines before it; error paths). */
  lineAt(offset: number): Promise<number>;
}

/** Everything a method needs; the same for every database. */
export interface MethodContext {
  readonly session: Session;
  readonly ref: TableRef;
  readonly columns: readonly string[];
  readonly plan: Plan;
  /** The owner of BEGIN, COMMIT and savepoints: methods go through it, never the session. */
  readonly tx: LoadTransaction;
  readonly source: {
    readonly name: string;
    readonly unit: 'line' | 'row';
    /** CSV/TSV input: the delimiter, for rejected records written back as text. */
    readonly delimiter: string | undefined;
  };
  /** Set when the plan copies a CSV file as raw bytes. */
  readonly raw: RawCsvInput | undefined;
  /**
   * Called as rows are handed to the database (not yet committed), with the source position after
   * the last of them, for progress: a file's bar shows the bytes the database has been given, not
   * the bytes read ahead.
   */
  readonly onRows: (rows: number, last?: { readonly ordinal: number; readonly end: number }) => void;
  /** abort: the first bad row fails the load; skip: bad rows go to `reject` and the rest loads. */
  readonly onError: 'abort' | 'skip';
  /**
   * Called after each successful write of a run, inside its savepoint, before the rows are
   * reported written (returning reads generated values back here). Statement-driven methods only.
   */
  readonly afterWrite?: (run: Run) => Promise<void>;
  /** Records row `index` of `run` as rejected (skip mode); throws when --max-errors is reached. */
  readonly reject: (run: Run, index: number, error: unknown) => void;
}

export interface MethodResult {
  readonly counts: RowCounts;
  /** False when a planned raw copy was loaded parsed instead (the bulk path would misread it). */
  readonly rawCopy?: boolean;
}

export type LoadMethod = (
  context: MethodContext,
  chunks: AsyncIterable<MappedChunk>,
) => Promise<MethodResult>;

export function inserted(rows: number): RowCounts {
  return { inserted: rows, updated: 0, unchanged: 0 };
}

export function addCounts(a: RowCounts, b: RowCounts): RowCounts {
  return {
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
  };
}

/** What `a` holds beyond `b` (b a tally `a` grew from). */
export function subtractCounts(a: RowCounts, b: RowCounts): RowCounts {
  return {
    inserted: a.inserted - b.inserted,
    updated: a.updated - b.updated,
    unchanged: a.unchanged - b.unchanged,
  };
}

export function countRows(counts: RowCounts): number {
  return counts.inserted + counts.updated + counts.unchanged;
}

/** The source position after a chunk's last row, for the commit point. */
export function lastPosition(chunk: RowChunk): { ordinal: number; end: number } | undefined {
  const n = chunk.rows.length;
  return n === 0 ? undefined : { ordinal: chunk.ordinals[n - 1]!, end: chunk.ends[n - 1]! };
}

/** A database error on a row, as a LOAD_FAILED error at that row's location. */
export function rowError(
  context: MethodContext,
  error: unknown,
  line: number | undefined,
  extra?: Partial<SourceLocation>,
): SluiceError {
  if (error instanceof SluiceError) return error;
  const { message, code } = context.session.describeError(error);
  return new SluiceError('LOAD_FAILED', code === undefined ? message : `${message} (${code})`, {
    location: { source: context.source.name, line, unit: context.source.unit, ...extra },
    cause: error,
  });
}
