import type { Readable } from 'node:stream';
import { SluiceError } from '../errors.js';
import { defaultCsvDialect, type CsvDialect } from '../util/csv-dialect.js';
import { CsvParser } from './csv-parser.js';
import { countNewlines, decodeChunks, type DecodedText, type Decoding } from './byte-chunks.js';
import { firstLine, sniffDialect } from './sniff-dialect.js';
import {
  emptyBatch,
  type BadRecordHandler,
  type RecordBatch,
  type SourceStart,
  type TextField,
  type TextSource,
} from './source.js';

export interface DelimitedOptions {
  readonly name: string;
  readonly format: 'csv' | 'tsv';
  readonly path?: string;
  readonly totalBytes?: number;
  readonly onBadRecord: BadRecordHandler;
  /** How the file is written (default: RFC 4180 with the format's delimiter). */
  readonly dialect?: CsvDialect;
  /** Headerless input (`dialect.header` false): the column names in file order. */
  readonly columns?: readonly string[];
  /** Read only the first N records. */
  readonly limit?: number;
  /** Skip mode: invalid UTF-8 rejects its record instead of stopping the load. */
  readonly lenient?: boolean;
  /**
   * A resumed load: `input` holds the file's bytes before `start.offset` (for the header), and
   * `reopen` gives the bytes from the offset on, which are parsed after the header.
   */
  readonly start?: SourceStart & { reopen(): Readable };
  /** The byte layer: the encoding, and the counter a decompress stage before counts into. */
  readonly decoding?: Decoding;
  readonly counter?: { bytes: number };
  /**
   * Guess the delimiter and quote from the first lines (`--sniff`); 'auto' (a file named .csv)
   * guesses only when the header line holds no comma.
   */
  readonly sniff?: boolean | 'auto';
}

/** Bytes of text read for a sniff: the first read chunk holds it on any ordinary file. */
const SNIFF_CHARS = 1 << 16;

/**
 * CSV and TSV from a byte stream. TSV is the same dialect with a tab as delimiter (quotes are
 * honoured, as Python's csv module and sqlite-utils do). Reads until the header is known, so the
 * columns can be planned before any row is written; everything else is pulled on demand.
 */
export async function openDelimited(input: Readable, options: DelimitedOptions): Promise<TextSource> {
  const given = options.dialect ?? defaultCsvDialect(options.format);
  let dialect: CsvDialect = given;
  const { start } = options;
  // Before a resume's offset every record was loaded or rejected already: read for the header only.
  let seeking = start !== undefined;
  /** Set once the dialect is known (after a sniff). */
  const made: { parser?: CsvParser } = {};
  /** Text read before the parser exists (a sniff's sample), handed to it first. */
  const peeked: DecodedText[] = [];
  const counter = options.counter ?? { bytes: 0 };
  const lineAt = () =>
    made.parser?.currentLine() ?? 1 + peeked.reduce((n, t) => n + countNewlines(t.text), 0);
  const decode = (bytes: Readable, atStart: boolean) =>
    decodeChunks(bytes, counter, options.name, lineAt, options.lenient, atStart, options.decoding);
  let texts = decode(input, true);
  let sniffed: TextSource['sniffed'];
  if (options.sniff === true || options.sniff === 'auto') {
    const { sample, whole, error } = await peek(texts, peeked);
    const guess = sniffDialect(sample, whole);
    if (options.sniff === true) {
      sniffed = guess === undefined ? 'none' : { ...guess, by: 'sniff' };
    } else if (guess !== undefined && !firstLine(sample).includes(',')) {
      // A single-column file has no comma either: it is left alone unless a delimiter is consistent.
      sniffed = { ...guess, by: 'auto' };
    }
    // The guess is the dialect's delimiter (from-input.ts sniffs only when no --delimiter is
    // given) and its quote unless another than `"` was given, so the parser and the raw paths read
    // the file the same way.
    if (sniffed !== undefined && sniffed !== 'none')
      dialect = {
        ...dialect,
        delimiter: sniffed.delimiter,
        quote: given.quote === '"' ? sniffed.quote : given.quote,
      };
    texts = replay(peeked, error, texts);
  }
  const { delimiter } = dialect;
  const csv = new CsvParser(
    dialect,
    (bad) => (seeking ? undefined : options.onBadRecord(bad)),
    options.lenient,
    { columns: options.columns, limit: options.limit, name: options.name },
  );
  made.parser = csv;
  let finished = false;
  /** A bad record that aborts the load, held until the records before it are handed on. */
  let failure: unknown;

  async function nextBatch(): Promise<RecordBatch<TextField[]>> {
    const out = emptyBatch<TextField[]>();
    const { value, done } = await texts.next();
    try {
      if (done) {
        csv.end(out);
        finished = true;
      } else {
        csv.push(value.text, out, value.bytes, value.skipped);
        // --limit reached: nothing after it is read.
        if (csv.done && !seeking) finished = true;
      }
    } catch (error) {
      // The records before the bad one go first, so that a database error on one of them (the
      // first bad row in file order) is the one reported.
      if (out.records.length === 0) throw error;
      failure = error;
      finished = true;
    }
    return out;
  }

  // Records that arrive with the header are kept for the first batch (headerless: none is read yet).
  let first = emptyBatch<TextField[]>();
  while (csv.header === undefined && !finished) first = await nextBatch();
  const header = csv.header;
  if (header !== undefined && start !== undefined) {
    input.destroy();
    first = emptyBatch<TextField[]>();
    finished = false;
    failure = undefined;
    csv.seek(start.offset, start.ordinal, start.line);
    counter.bytes = start.offset;
    input = start.reopen();
    texts = decode(input, false);
    seeking = false;
  }
  if (header === undefined) {
    input.destroy();
    throw new SluiceError('BAD_INPUT', 'the input is empty: a header line naming the columns is expected', {
      location: { source: options.name, line: 1 },
    });
  }

  return {
    kind: 'text',
    format: options.format,
    name: options.name,
    unit: 'line',
    header,
    delimiter,
    dialect,
    sniffed,
    path: options.path,
    totalBytes: options.totalBytes,
    close: () => input.destroy(),
    bytesRead: () => counter.bytes,
    async *batches() {
      try {
        if (first.records.length > 0) yield first;
        while (!finished) {
          const batch = await nextBatch();
          if (batch.records.length > 0) yield batch;
        }
        if (failure !== undefined) throw failure;
      } finally {
        input.destroy();
      }
    },
  };
}

/** Reads decoded text for a sniff: up to SNIFF_CHARS or the end; a decoding error is kept for later. */
async function peek(
  texts: AsyncGenerator<DecodedText>,
  into: DecodedText[],
): Promise<{ sample: string; whole: boolean; error: unknown }> {
  let sample = '';
  try {
    while (sample.length < SNIFF_CHARS) {
      const next = await texts.next();
      if (next.done === true) return { sample, whole: true, error: undefined };
      into.push(next.value);
      sample += next.value.text;
    }
  } catch (error) {
    return { sample, whole: false, error };
  }
  return { sample, whole: false, error: undefined };
}

/** The peeked text, then its error if reading it failed, then the rest. */
async function* replay(
  peeked: DecodedText[],
  error: unknown,
  rest: AsyncGenerator<DecodedText>,
): AsyncGenerator<DecodedText> {
  while (peeked.length > 0) yield peeked.shift()!;
  if (error !== undefined) throw error;
  yield* rest;
}
