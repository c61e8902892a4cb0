import type { CsvDialect } from '../util/csv-dialect.js';
import type { RecordPositions } from '../util/record-positions.js';
import type { Decoding } from './byte-chunks.js';
import type { Compression } from './decompress.js';
import type { SniffedDialect } from './sniff-dialect.js';

/**
 * The shapes every input is turned into. A source is pulled batch by batch and must never hold
 * the whole input in memory: memory is bounded by one read chunk plus one batch of records.
 */

/** One chunk of records with their positions in the source. */
export interface RecordBatch<R> extends RecordPositions {
  readonly records: R[];
  readonly lines: number[];
  readonly ordinals: number[];
  readonly ends: number[];
}

export function emptyBatch<R>(): RecordBatch<R> {
  return { records: [], lines: [], ordinals: [], ends: [] };
}

/**
 * Where a resumed load picks its source up: the byte offset just after the last committed record,
 * the records before it (its ordinal) and the line the next record starts on.
 */
export interface SourceStart {
  readonly offset: number;
  readonly ordinal: number;
  readonly line: number;
}

/** A CSV/TSV field: the text as written, or null for an empty unquoted field. */
export type TextField = string | null;

export type { BadRecord, BadRecordHandler } from '../util/bad-record.js';

interface SourceBase {
  /** For messages: the file path, `<stdin>` or `input`. */
  readonly name: string;
  /** 'line' when locations are text lines, 'row' when they are positions in a JS collection. */
  readonly unit: 'line' | 'row';
  /** Bytes consumed so far and the total when known (files), for progress. */
  bytesRead(): number;
  readonly totalBytes: number | undefined;
  /** Releases the input when `batches()` will not be read to the end (explain, raw copy). */
  close(): void;
  /** Bytes read as text (files, byte streams): how they were decompressed and decoded. */
  readonly byteLayer?: ByteLayer;
}

/** The stages below the parser: decompression, then decoding (its encoding is final once text is read). */
export interface ByteLayer {
  readonly compression: Compression | undefined;
  readonly decoding: Decoding;
}

/** Delimited text (CSV, TSV): the header names the columns, every field is text or null. */
export interface TextSource extends SourceBase {
  readonly kind: 'text';
  readonly format: 'csv' | 'tsv';
  readonly header: readonly string[];
  /** The file the bytes come from, when a COPY may pass them through untouched. */
  readonly path: string | undefined;
  readonly delimiter: string;
  /** How the file is written: delimiter, quote, escape, header, skipped lines, NULL strings. */
  readonly dialect: CsvDialect;
  /**
   * What a sniff guessed (`--sniff`, or a .csv file whose header has no comma), or 'none' when it
   * found no consistent delimiter; undefined when there was no sniff.
   */
  readonly sniffed?: (SniffedDialect & { readonly by: 'sniff' | 'auto' }) | 'none';
  batches(): AsyncIterable<RecordBatch<TextField[]>>;
}

/** Records that are objects (NDJSON, JSON arrays, JS arrays and iterables). */
export interface ObjectSource extends SourceBase {
  readonly kind: 'objects';
  /**
   * The keys the columns are learned from, when they were learned from a larger input than this
   * source: a batch of a parallel load (RowsFrom) takes the whole input's sample, as a serial load.
   */
  readonly sampledKeys?: readonly string[];
  batches(): AsyncIterable<RecordBatch<Record<string, unknown>>>;
}

export type RowSource = TextSource | ObjectSource;

export type Format = 'csv' | 'tsv' | 'ndjson' | 'json';
export const FORMATS: readonly Format[] = ['csv', 'tsv', 'ndjson', 'json'];
