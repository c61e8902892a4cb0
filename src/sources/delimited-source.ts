import type { Readable } from 'node:stream';
import { SluiceError } from '../errors.js';
import { defaultCsvDialect, type CsvDialect } from '../util/csv-dialect.js';
import { CsvParser } from './csv-parser.js';
import { decodeChunks } from './byte-chunks.js';
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
}

/**
 * CSV and TSV from a byte stream. TSV is the same dialect with a tab as delimiter (quotes are
 * honoured, as Python's csv module and sqlite-utils do). Reads until the header is known, so the
 * columns can be planned before any row is written; everything else is pulled on demand.
 */
export async function openDelimited(input: Readable, options: DelimitedOptions): Promise<TextSource> {
  const dialect = options.dialect ?? defaultCsvDialect(options.format);
  const { delimiter } = dialect;
  const { start } = options;
  // Before a resume's offset every record was loaded or rejected already: read for the header only.
  let seeking = start !== undefined;
  const parser = new CsvParser(
    dialect,
    (bad) => (seeking ? undefined : options.onBadRecord(bad)),
    options.lenient,
    { columns: options.columns, limit: options.limit, name: options.name },
  );
  const counter = { bytes: 0 };
  const decode = (bytes: Readable, atStart: boolean) =>
    decodeChunks(bytes, counter, options.name, () => parser.currentLine(), options.lenient, atStart);
  let texts = decode(input, true);
  let finished = false;
  /** A bad record that aborts the load, held until the records before it are handed on. */
  let failure: unknown;

  async function nextBatch(): Promise<RecordBatch<TextField[]>> {
    const out = emptyBatch<TextField[]>();
    const { value, done } = await texts.next();
    try {
      if (done) {
        parser.end(out);
        finished = true;
      } else {
        parser.push(value.text, out, value.bytes, value.skipped);
        // --limit reached: nothing after it is read.
        if (parser.done && !seeking) finished = true;
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
  while (parser.header === undefined && !finished) first = await nextBatch();
  const header = parser.header;
  if (header !== undefined && start !== undefined) {
    input.destroy();
    first = emptyBatch<TextField[]>();
    finished = false;
    failure = undefined;
    parser.seek(start.offset, start.ordinal, start.line);
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
