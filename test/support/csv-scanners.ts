/**
 * The four CSV scanners run on the same bytes cut into the same chunks, each outcome in one shape
 * so the agreement tests can compare them.
 */
import { Readable } from 'node:stream';
import { CsvBytesError, LoadDataCsvRewriter } from '../../src/dialects/mysql/load-data-csv.js';
import { copyRecordStartLine } from '../../src/dialects/postgres/copy-record-line.js';
import { CsvGuard, RawCsvUnsafe } from '../../src/dialects/postgres/csv-guard.js';
import { SluiceError } from '../../src/errors.js';
import { cutCsvRecords } from '../../src/methods/csv-cut.js';
import { openDelimited } from '../../src/sources/delimited-source.js';
import type { TextField } from '../../src/sources/source.js';
import { decodeLoadData } from './load-data-decode.js';

/** Records, the lines they start on, bad records in order, and the error that ended reading. */
export interface Scanned {
  /** Header fields (or their count, for the rewriter); undefined for an empty input. */
  readonly columns: number | undefined;
  /** The header's NUL bytes, which COPY refuses and the parser keeps (a name nothing matches). */
  readonly headerNul?: boolean;
  readonly records: TextField[][];
  readonly lines: number[];
  /** The byte offset just after each record (the parser's only). */
  readonly ends?: number[];
  readonly bad: { line: number; reason: string }[];
  readonly fatal?: { line: number; message: string };
}

/** sluice's CSV source (UTF-8 decoding, BOM, parser), bad records collected as skip mode would. */
export async function parseCsv(chunks: readonly Buffer[], delimiter: string): Promise<Scanned> {
  const bad: Scanned['bad'] = [];
  const records: TextField[][] = [];
  const lines: number[] = [];
  const ends: number[] = [];
  let columns: number | undefined;
  let headerNul: boolean | undefined;
  try {
    const source = await openDelimited(Readable.from(chunks), {
      name: 'input',
      format: delimiter === '\t' ? 'tsv' : 'csv',
      onBadRecord: (b) => void bad.push({ line: b.line, reason: b.reason }),
    });
    columns = source.header.length;
    if (source.header.some((name) => name.includes('\0'))) headerNul = true;
    for await (const batch of source.batches()) {
      records.push(...batch.records);
      lines.push(...batch.lines);
      ends.push(...batch.ends);
    }
  } catch (error) {
    if (!(error instanceof SluiceError)) throw error;
    if (error.detail.startsWith('the input is empty')) return { columns, records, lines, ends, bad };
    const fatal = { line: error.location!.line!, message: error.detail };
    return { columns, records, lines, ends, bad, fatal, ...(headerNul ? { headerNul } : {}) };
  }
  return { columns, records, lines, ends, bad, ...(headerNul ? { headerNul } : {}) };
}

/** The LOAD DATA rewriter's output, read back as LOAD DATA reads it. */
export function rewriteCsv(chunks: readonly Buffer[], delimiter: string): Scanned & { bytes: Buffer } {
  const bad: Scanned['bad'] = [];
  const rewriter = new LoadDataCsvRewriter(
    delimiter,
    (b) => void bad.push({ line: b.line, reason: b.reason }),
  );
  const outputs: Buffer[] = [];
  const lines: number[] = [];
  let fatal: Scanned['fatal'];
  try {
    for (const chunk of [...chunks, undefined]) {
      const out = chunk === undefined ? rewriter.end() : rewriter.push(chunk);
      outputs.push(out.bytes);
      lines.push(...out.lines);
    }
  } catch (error) {
    if (!(error instanceof CsvBytesError)) throw error;
    fatal = { line: error.line, message: error.message };
  }
  const bytes = Buffer.concat(outputs);
  const columns = rewriter.columns === -1 ? undefined : rewriter.columns;
  const records = decodeLoadData(bytes, delimiter);
  return { columns, records, lines, bad, bytes, ...(fatal === undefined ? {} : { fatal }) };
}

/** The raw COPY guard's verdict: 'safe', or why COPY would read the bytes differently. */
export function guardCsv(chunks: readonly Buffer[], delimiter: string): string {
  const guard = new CsvGuard(delimiter.charCodeAt(0));
  try {
    for (const chunk of chunks) guard.check(chunk);
    guard.end();
    return 'safe';
  } catch (error) {
    if (!(error instanceof RawCsvUnsafe)) throw error;
    return error.message;
  }
}

/** The record-line finder: the line the record COPY called `copyLine` starts on. */
export function recordStartLine(
  chunks: readonly Buffer[],
  delimiter: string,
  copyLine: number,
): Promise<number | undefined> {
  return copyRecordStartLine(Readable.from(chunks), delimiter, copyLine);
}

/**
 * The raw copy's record cutter (src/methods/csv-cut.ts) on the chunks, `every` records a piece:
 * each piece's record count and the offset it ends at.
 */
export async function cutCsv(
  chunks: readonly Buffer[],
  delimiter: string,
  every: number,
): Promise<{ records: number; end: number }[]> {
  const pieces: { records: number; end: number }[] = [];
  for await (const piece of cutCsvRecords(Readable.from(chunks), delimiter, every, {
    offset: 0,
    ordinal: 0,
  })) {
    let bytes = 0;
    for await (const chunk of piece.bytes) bytes += chunk.length;
    if (piece.end.offset - piece.start.offset !== bytes)
      throw new Error('a piece ends where its bytes do not');
    pieces.push({ records: piece.records, end: piece.end.offset });
  }
  return pieces;
}
