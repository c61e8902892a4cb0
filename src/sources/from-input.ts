import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import { SluiceError } from '../errors.js';
import { csvDialectFor, csvOptionsGiven, type CsvOptions } from '../csv-options.js';
import { limitRecords } from './limit.js';
import { abortOnBadRecord } from './bad-record.js';
import type { Decoding } from './byte-chunks.js';
import { decompressStage, withoutCompressionExtension } from './decompress.js';
import { resolveEncoding, UTF8, type TextEncoding } from './text-encoding.js';
import { openDelimited } from './delimited-source.js';
import { openJsonArray } from './json-array-source.js';
import { openNdjson } from './ndjson-source.js';
import { openObjects, type ObjectInput } from './object-source.js';
import {
  FORMATS,
  type BadRecordHandler,
  type Format,
  type RecordBatch,
  type RowSource,
  type SourceStart,
} from './source.js';

/** What `load()` accepts: a file path (`-` for stdin), a byte stream, or rows of objects. */
export type LoadInput = string | Readable | NodeJS.ReadableStream | ObjectInput;

export interface SourceOptions {
  readonly format?: Format;
  /** Called for a record the parser cannot use; the default throws BAD_INPUT. */
  readonly onBadRecord?: (source: string, unit: 'line' | 'row') => BadRecordHandler;
  /** Skip mode: invalid UTF-8 rejects its record instead of stopping the load. */
  readonly lenient?: boolean;
  /** Stdin, for tests and embedding; defaults to process.stdin. */
  readonly stdin?: Readable;
  /** A resumed load (files only): go on after this position instead of from the start. */
  readonly start?: SourceStart;
  /**
   * One share of a parallel load (files only): stop reading at this byte offset, a record's end
   * (src/parallel/share-bounds.ts), as if the file ended there.
   */
  readonly end?: number;
  /** How a CSV/TSV input is written; refused for NDJSON and JSON. */
  readonly csv?: CsvOptions;
  /** Headerless CSV/TSV: the column names in file order. */
  readonly columns?: readonly string[];
  /** Read only the first N records. */
  readonly limit?: number;
  /** The text's encoding (a WHATWG name); default UTF-8, or UTF-16 when a byte-order mark says so. */
  readonly encoding?: string;
  /** CSV: guess the delimiter and quote from the first lines (sniff-dialect.ts). */
  readonly sniff?: boolean;
}

// 64 KiB reads: a chunk's rows die young (fewer promoted to the old generation), which keeps
// peak RSS flat and low whatever the input size; measured faster than 1 MiB reads too.
export const READ_CHUNK = 1 << 16;

export async function openSource(input: LoadInput, options: SourceOptions = {}): Promise<RowSource> {
  const handlerFor = options.onBadRecord ?? abortOnBadRecord;
  const lenient = options.lenient ?? false;
  const encoding = options.encoding === undefined ? UTF8 : resolveEncoding(options.encoding);
  const bytes = { handlerFor, lenient, encoding, sniff: sniffFor(options, false), options };
  if (typeof input === 'string') {
    if (input === '-') {
      const format = requireFormat(options.format, '-');
      return openBytes(options.stdin ?? process.stdin, { ...bytes, format, name: '<stdin>' });
    }
    const format = options.format ?? formatFromPath(input);
    // A file the extension calls .csv is sniffed when its header has no comma (sniff: false turns it off).
    const sniff = sniffFor(options, options.format === undefined && format === 'csv' ? 'auto' : false);
    let size: number;
    try {
      const info = await stat(input);
      if (!info.isFile()) throw new Error('not a regular file');
      size = info.size;
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new SluiceError('BAD_USAGE', `cannot read ${input}: ${why}`, { cause: error });
    }
    const start = options.start;
    if (start !== undefined && start.offset > 0)
      return openAt(input, format, size, start, { ...bytes, sniff, format, name: input });
    const stream = createReadStream(input, { highWaterMark: READ_CHUNK, ...lastByte(options.end) });
    return openBytes(stream, { ...bytes, sniff, format, name: input, path: input, totalBytes: size });
  }
  // Readable.from(buffers) makes an object-mode stream of bytes: a format says they are bytes.
  if (isByteStream(input) || (options.format !== undefined && isNodeStream(input))) {
    const format = requireFormat(options.format, 'a byte stream');
    const stream = Readable.from(input as AsyncIterable<Buffer>);
    return openBytes(stream, { ...bytes, format, name: 'input' });
  }
  if (isIterable(input)) {
    refuseCsvOptions(options, 'JS objects');
    return limitRecords(openObjects(input, 'input', handlerFor('input', 'row')), options.limit);
  }
  throw new SluiceError(
    'BAD_USAGE',
    'unsupported source: pass a file path, "-", a Readable, an array, an iterable or an async iterable of objects',
  );
}

/**
 * A file opened at a resume's position. CSV/TSV read their header from the start, then seek; NDJSON
 * seeks; a JSON array is scanned from the start again and the records up to the position dropped
 * (its elements need the scanner's state from the opening bracket), which is exact in abort mode;
 * resumable-load.ts refuses to resume one in skip mode.
 */
async function openAt(
  path: string,
  format: Format,
  size: number,
  start: SourceStart,
  options: ByteSourceOptions,
): Promise<RowSource> {
  const { lenient } = options;
  const onBadRecord = options.handlerFor(path, 'line');
  // resumable-load.ts refuses a resume of compressed input and of encodings whose record ends are
  // not file offsets, before anything is opened: a seek lands in the file's own bytes.
  const decoding: Decoding = { encoding: options.encoding };
  const byteLayer = { compression: undefined, decoding };
  const from = (offset: number) =>
    createReadStream(path, { highWaterMark: READ_CHUNK, start: offset, ...lastByte(options.options.end) });
  switch (format) {
    case 'csv':
    case 'tsv': {
      const head = createReadStream(path, { highWaterMark: READ_CHUNK, end: start.offset - 1 });
      const source = await openDelimited(head, {
        name: path,
        format,
        path,
        totalBytes: size,
        onBadRecord,
        lenient,
        ...delimitedOptions(options.options, format, options.encoding),
        start: { ...start, reopen: () => from(start.offset) },
        decoding,
        sniff: options.sniff,
      });
      return { ...source, byteLayer };
    }
    case 'ndjson': {
      refuseCsvOptions(options.options, 'NDJSON');
      const source = openNdjson(from(start.offset), {
        name: path,
        totalBytes: size,
        onBadRecord,
        lenient,
        start,
        decoding,
      });
      return limitRecords({ ...source, byteLayer }, options.options.limit);
    }
    case 'json': {
      refuseCsvOptions(options.options, 'JSON');
      const source = openJsonArray(from(0), { name: path, totalBytes: size, onBadRecord, lenient, decoding });
      return limitRecords(
        { ...source, byteLayer, batches: () => after(source.batches(), start.ordinal) },
        options.options.limit,
      );
    }
  }
}

/** createReadStream's `end` (inclusive) for a share that stops before byte `end`; none without one. */
export function lastByte(end: number | undefined): { end?: number } {
  return end === undefined ? {} : { end: end - 1 };
}

/**
 * The dialect, headerless names and limit of a CSV/TSV source. The dialect carries the file's
 * encoding when it is not UTF-8, for the raw paths (COPY's ENCODING, LOAD DATA's CHARACTER SET).
 */
function delimitedOptions(options: SourceOptions, format: 'csv' | 'tsv', encoding: TextEncoding) {
  const dialect = csvDialectFor(options.csv ?? {}, format);
  return {
    dialect: encoding.kind === 'utf-8' ? dialect : { ...dialect, encoding: encoding.name },
    columns: options.columns,
    limit: options.limit,
  };
}

/**
 * Whether to guess the delimiter and quote: `sniff`, else `auto` (a .csv file). A delimiter given
 * turns the automatic guess off; given with --sniff, it is refused (one or the other).
 */
function sniffFor(options: SourceOptions, auto: boolean | 'auto'): boolean | 'auto' {
  const given = options.csv?.delimiter !== undefined;
  if (options.sniff === true && given)
    throw new SluiceError('BAD_USAGE', '--sniff guesses the delimiter that --delimiter gives', {
      hint: 'give one of them',
    });
  if (given) return false;
  return options.sniff ?? auto;
}

function refuseCsvOptions(options: SourceOptions, what: string): void {
  const given = csvOptionsGiven(options.csv ?? {});
  if (given.length > 0)
    throw new SluiceError(
      'BAD_USAGE',
      `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} only to CSV and TSV, not ${what}`,
      {
        hint: 'drop them, or give --format csv|tsv',
      },
    );
}

async function* after<R>(
  batches: AsyncIterable<RecordBatch<R>>,
  ordinal: number,
): AsyncGenerator<RecordBatch<R>> {
  for await (const batch of batches) {
    const last = batch.ordinals[batch.ordinals.length - 1] ?? 0;
    if (last <= ordinal) continue;
    const from = batch.ordinals.findIndex((o) => o > ordinal);
    if (from === 0) yield batch;
    else
      yield {
        records: batch.records.slice(from),
        lines: batch.lines.slice(from),
        ordinals: batch.ordinals.slice(from),
        ends: batch.ends.slice(from),
      };
  }
}

interface ByteSourceOptions {
  readonly format: Format;
  readonly name: string;
  readonly path?: string;
  readonly totalBytes?: number;
  readonly handlerFor: (source: string, unit: 'line' | 'row') => BadRecordHandler;
  readonly lenient: boolean;
  readonly options: SourceOptions;
  readonly encoding: TextEncoding;
  readonly sniff: boolean | 'auto';
}

/**
 * Bytes → text source: the decompress stage (magic bytes or extension), then the decode stage
 * (the encoding) inside the text source, then its parser.
 */
async function openBytes(input: Readable, byteOptions: ByteSourceOptions): Promise<RowSource> {
  const { format, name, path, totalBytes, lenient, options } = byteOptions;
  if (format !== 'csv' && format !== 'tsv') refuseCsvOptions(options, format === 'json' ? 'JSON' : 'NDJSON');
  const onBadRecord = byteOptions.handlerFor(name, 'line');
  const counter = { bytes: 0 };
  const stage = await decompressStage(input, name, path, counter);
  const stream = stage.stream;
  const decoding: Decoding = {
    encoding: byteOptions.encoding,
    countedUpstream: stage.compression !== undefined,
  };
  const byteLayer = { compression: stage.compression, decoding };
  const common = { name, totalBytes, onBadRecord, lenient, decoding, counter };
  switch (format) {
    case 'csv':
    case 'tsv': {
      const delimited = delimitedOptions(options, format, byteOptions.encoding);
      return {
        ...(await openDelimited(stream, { ...common, format, path, sniff: byteOptions.sniff, ...delimited })),
        byteLayer,
      };
    }
    case 'ndjson':
      return limitRecords({ ...openNdjson(stream, common), byteLayer }, options.limit);
    case 'json':
      return limitRecords({ ...openJsonArray(stream, common), byteLayer }, options.limit);
  }
}

export function formatFromPath(path: string): Format {
  // users.csv.gz is a CSV file: the compression's extension comes off first.
  const ext = extname(withoutCompressionExtension(path)).slice(1).toLowerCase();
  const format = ext === 'jsonl' ? 'ndjson' : ext;
  if ((FORMATS as readonly string[]).includes(format)) return format as Format;
  throw new SluiceError('BAD_USAGE', `cannot tell the format of ${basename(path)} from its extension`, {
    hint: `add --format ${FORMATS.join('|')}`,
  });
}

/** The default table name: the file's base name without its extension. */
export function tableFromPath(path: string): string {
  const base = basename(withoutCompressionExtension(path));
  const ext = extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

function requireFormat(format: Format | undefined, what: string): Format {
  if (format) return format;
  throw new SluiceError('BAD_USAGE', `the format of ${what} cannot be guessed`, {
    hint: `add --format ${FORMATS.join('|')}`,
  });
}

function isByteStream(input: unknown): boolean {
  if (!(input instanceof Readable) && !isNodeStream(input)) return false;
  return !(input as Readable).readableObjectMode;
}

function isNodeStream(input: unknown): boolean {
  return (
    typeof input === 'object' &&
    input !== null &&
    typeof (input as Readable).pipe === 'function' &&
    typeof (input as Readable).on === 'function'
  );
}

function isIterable(input: unknown): input is ObjectInput {
  if (typeof input !== 'object' || input === null) return false;
  return Symbol.iterator in input || Symbol.asyncIterator in input;
}
