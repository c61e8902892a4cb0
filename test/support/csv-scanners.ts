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
import { defaultCsvDialect, type CsvDialect } from '../../src/util/csv-dialect.js';
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

/** A delimiter alone stands for RFC 4180 with that delimiter. */
export function dialectOf(dialect: string | CsvDialect): CsvDialect {
  return typeof dialect === 'string' ? { ...defaultCsvDialect('csv'), delimiter: dialect } : dialect;
}

/** Column names for a headerless file of `width` fields. */
function namesFor(dialect: CsvDialect, width: number | undefined): string[] | undefined {
  if (dialect.header) return undefined;
  if (width === undefined) throw new Error('a headerless file needs its width');
  return Array.from({ length: width }, (_, i) => `c${i + 1}`);
}

/**
 * sluice's CSV source (UTF-8 decoding, BOM, parser), bad records collected as skip mode would.
 * `width`: a headerless file's field count.
 */
export async function parseCsv(
  chunks: readonly Buffer[],
  csv: string | CsvDialect,
  width?: number,
): Promise<Scanned> {
  const dialect = dialectOf(csv);
  const { delimiter } = dialect;
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
      dialect,
      columns: namesFor(dialect, width),
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
export function rewriteCsv(
  chunks: readonly Buffer[],
  csv: string | CsvDialect,
  width?: number,
): Scanned & { bytes: Buffer } {
  const dialect = dialectOf(csv);
  const { delimiter } = dialect;
  const bad: Scanned['bad'] = [];
  const rewriter = new LoadDataCsvRewriter(
    dialect,
    (b) => void bad.push({ line: b.line, reason: b.reason }),
    width,
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
export function guardCsv(chunks: readonly Buffer[], csv: string | CsvDialect): string {
  const dialect = dialectOf(csv);
  const guard = CsvGuard.for(dialect);
  try {
    for (const chunk of afterPreambleSync(chunks, dialect.skipLines)) guard.check(chunk);
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
  csv: string | CsvDialect,
  copyLine: number,
): Promise<number | undefined> {
  return copyRecordStartLine(Readable.from(chunks), dialectOf(csv), copyLine);
}

/** The chunks after the first `lines` lines, as copyCsv hands COPY the bytes after the preamble. */
export function afterPreambleSync(chunks: readonly Buffer[], lines: number): Buffer[] {
  let left = lines;
  const out: Buffer[] = [];
  for (let chunk of chunks) {
    while (left > 0 && chunk.length > 0) {
      const newline = chunk.indexOf(0x0a);
      chunk = newline === -1 ? chunk.subarray(chunk.length) : chunk.subarray(newline + 1);
      if (newline !== -1) left--;
    }
    if (chunk.length > 0) out.push(chunk);
  }
  return out;
}

/**
 * The raw copy's record cutter (src/methods/csv-cut.ts) on the chunks, `every` records a piece:
 * each piece's record count and the offset it ends at.
 */
export async function cutCsv(
  chunks: readonly Buffer[],
  dialect: string | CsvDialect,
  every: number,
): Promise<{ records: number; end: number }[]> {
  const d = typeof dialect === 'string' ? { ...defaultCsvDialect('csv'), delimiter: dialect } : dialect;
  const pieces: { records: number; end: number }[] = [];
  for await (const piece of cutCsvRecords(Readable.from(chunks), d, every, {
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
