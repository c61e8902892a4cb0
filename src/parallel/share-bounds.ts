import { createReadStream } from 'node:fs';
import { CsvRecordEnds } from '../methods/csv-cut.js';
import type { SourceStart } from '../sources/source.js';
import type { CsvDialect } from '../util/csv-dialect.js';

const LF = 0x0a;
const CR = 0x0d;
/** Sequential reads of 1 MiB: the scan touches every byte before the last boundary once. */
const SCAN_CHUNK = 1 << 20;

/** One share of a parallel load: the records from `start` up to byte `end` (exclusive). */
export interface Share {
  /** 1-based, for the checkpoint key and messages ("part 2 of 4"). */
  readonly part: number;
  readonly start: SourceStart;
  readonly end: number;
}

/** How the file's records end: CSV/TSV in its dialect (quotes hide newlines), or one per line. */
export type RecordLayout =
  { readonly kind: 'delimited'; readonly dialect: CsvDialect } | { readonly kind: 'lines' };

/**
 * Cuts a file into at most `n` shares of about equal size, each starting just after a record's
 * end. A boundary cannot be found by seeking to the middle of the file, where a byte may lie inside
 * a quoted field: the file is scanned from its start (BOM, preamble lines and header skipped as the
 * parser skips them) with the raw copy's record scanner, up to the last boundary, counting records
 * (ordinals) and lines on the way, so that each share knows the position triple a resume has
 * (SourceStart). One sequential read of (n-1)/n of the file. A file too small for `n` records gives
 * fewer shares; the header goes with the first share only.
 */
export async function shareBounds(
  path: string,
  size: number,
  n: number,
  layout: RecordLayout,
): Promise<Share[]> {
  const targets = Array.from({ length: n - 1 }, (_, k) => Math.floor((size * (k + 1)) / n));
  const bounds = targets.length === 0 ? [] : await findBounds(path, targets, layout);
  const starts: SourceStart[] = [
    { offset: 0, ordinal: 0, line: 1 },
    ...bounds.filter((b) => b.offset < size),
  ];
  return starts.map((start, i) => ({ part: i + 1, start, end: starts[i + 1]?.offset ?? size }));
}

/** For each target offset, the position just after the first record that ends at or after it. */
async function findBounds(
  path: string,
  targets: readonly number[],
  layout: RecordLayout,
): Promise<SourceStart[]> {
  const records = layout.kind === 'delimited' ? new DelimitedRecords(layout.dialect) : new LineRecords();
  const bounds: SourceStart[] = [];
  let offset = 0;
  let newlines = 0;
  const stream = createReadStream(path, { highWaterMark: SCAN_CHUNK });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = records.skipPreamble(chunk, offset === 0);
      let counted = 0;
      while (bounds.length < targets.length) {
        const target = targets[bounds.length]! - offset;
        if (target > chunk.length) {
          records.count(chunk, from, chunk.length);
          break;
        }
        // The records that end before the target, then the first one that ends after it.
        if (target > from) {
          records.count(chunk, from, target);
          from = target;
        }
        const next = records.next(chunk, from);
        if (next === undefined) break;
        newlines += countNewlines(chunk, counted, next);
        counted = next;
        bounds.push({ offset: offset + next, ordinal: records.ordinal, line: newlines + 1 });
        from = next;
      }
      if (bounds.length === targets.length) break;
      newlines += countNewlines(chunk, counted, chunk.length);
      offset += chunk.length;
    }
  } finally {
    stream.destroy();
  }
  return bounds;
}

function countNewlines(chunk: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = chunk.indexOf(LF, from); i !== -1 && i < to; i = chunk.indexOf(LF, i + 1)) n++;
  return n;
}

/** Counts records as the scan passes them; `ordinal` is the records ended so far. */
interface RecordCounter {
  ordinal: number;
  /** At the file's start: where the records start in the first chunk (after BOM, preamble, header). */
  skipPreamble(chunk: Buffer, atFileStart: boolean): number;
  /** Counts the records that end within chunk[from, to). */
  count(chunk: Buffer, from: number, to: number): void;
  /** The offset just after the next record end at or after `from`, or undefined in this chunk. */
  next(chunk: Buffer, from: number): number | undefined;
}

/**
 * CSV/TSV, as the parser cuts records (CsvRecordEnds: quotes, doubled quotes, quoted newlines,
 * CRLF, blank lines). A slice ends the scan as a chunk's end does, so counting up to a target and
 * going on from it reads the bytes as one pass would. Preamble lines and the header may run past
 * the first chunk.
 */
class DelimitedRecords implements RecordCounter {
  ordinal = 0;
  private readonly ends: CsvRecordEnds;
  private linesToSkip: number;
  private headerToSkip: number;

  constructor(dialect: CsvDialect) {
    this.ends = new CsvRecordEnds(
      dialect.delimiter.charCodeAt(0),
      dialect.quote === '' ? -1 : dialect.quote.charCodeAt(0),
    );
    this.linesToSkip = dialect.skipLines;
    this.headerToSkip = dialect.header ? 1 : 0;
  }

  skipPreamble(chunk: Buffer, atFileStart: boolean): number {
    let from = atFileStart && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
    while (this.linesToSkip > 0 && from < chunk.length) {
      const newline = chunk.indexOf(LF, from);
      if (newline === -1) return chunk.length;
      from = newline + 1;
      this.linesToSkip--;
    }
    if (this.linesToSkip > 0 || this.headerToSkip === 0) return from;
    const header = this.ends.scan(chunk, from, 1);
    this.headerToSkip -= header.found;
    return header.next;
  }

  count(chunk: Buffer, from: number, to: number): void {
    if (from >= to) return;
    this.ordinal += this.ends.scan(to === chunk.length ? chunk : chunk.subarray(0, to), from, Infinity).found;
  }

  next(chunk: Buffer, from: number): number | undefined {
    const { found, next } = this.ends.scan(chunk, from, 1);
    if (found === 0) return undefined;
    this.ordinal++;
    return next;
  }
}

/**
 * NDJSON: a newline always ends a record; a line of only JSON whitespace (space, tab, CR) is not
 * one, as ndjson-source.ts skips it, so ordinals count the lines with anything else.
 */
class LineRecords implements RecordCounter {
  ordinal = 0;
  /** The line being read has a byte other than JSON whitespace. */
  private content = false;

  skipPreamble(): number {
    return 0;
  }

  count(chunk: Buffer, from: number, to: number): void {
    let at = from;
    while (at < to) {
      const newline = chunk.indexOf(LF, at);
      const stop = newline === -1 || newline >= to ? to : newline;
      if (!this.content) this.content = hasContent(chunk, at, stop);
      if (stop === to) return;
      if (this.content) this.ordinal++;
      this.content = false;
      at = newline + 1;
    }
  }

  next(chunk: Buffer, from: number): number | undefined {
    const newline = chunk.indexOf(LF, from);
    if (newline === -1) {
      this.count(chunk, from, chunk.length);
      return undefined;
    }
    this.count(chunk, from, newline + 1);
    return newline + 1;
  }
}

function hasContent(chunk: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = chunk[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== CR) return true;
  }
  return false;
}
