import type { CsvDialect } from '../../util/csv-dialect.js';

const DOUBLE_QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * WHATWG windows-1252 is PostgreSQL's WIN1252 for every byte but five it leaves undefined (0x81,
 * 0x8D, 0x8F, 0x90, 0x9D: the standard reads U+0081 …, WIN1252 refuses them), which the guard
 * hands back to the parser. Other encodings are decoded in-process: not compared byte for byte.
 */
export const RAW_ENCODINGS: Readonly<Record<string, string>> = { 'windows-1252': 'WIN1252' };
const WIN1252_UNDEFINED: readonly number[] = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

/** COPY's ENCODING for a file's (WHATWG) encoding; undefined for UTF-8, the session's own. */
export function serverEncoding(encoding: string | undefined): string | undefined {
  if (encoding === undefined || encoding === 'utf-8') return undefined;
  const server = RAW_ENCODINGS[encoding];
  if (server === undefined) throw new Error(`COPY is not given ${encoding} bytes raw`);
  return server;
}

/**
 * Thrown when a CSV file uses a form that PostgreSQL's COPY would read differently from sluice's
 * parser; the caller then loads the file parsed instead of as raw bytes (`rawCsvUnsafe`).
 */
export class RawCsvUnsafe extends Error {
  override readonly name = 'RawCsvUnsafe';
  readonly rawCsvUnsafe = true;
}

/**
 * Passes a CSV file's bytes through unchanged, checking that COPY (FORMAT csv) will read them as
 * sluice's parser does. Where the two differ, COPY would change or drop data, often without an
 * error:
 *
 * - `\.` alone on an unquoted line is COPY's end-of-data marker: the rows after it are dropped;
 * - a quote inside an unquoted field, or text after a closing quote, starts or continues a quoted
 *   section for COPY (`5"x"7` becomes `5x7`), where sluice keeps it literal or refuses the record;
 * - a blank line is a NULL row (or an error) for COPY, skipped by sluice;
 * - a carriage return without a newline ends a line for COPY but is text for sluice, and COPY
 *   refuses line ends that change from LF to CRLF or back, which sluice takes;
 * - a quoted field that never closes runs to the end of the data for COPY: in the header line,
 *   which COPY skips, the whole file is skipped without an error.
 *
 * A byte order mark opening the file is left out of the checks, as sluice's decoder drops it.
 * The same state machine, byte by byte, finds the record COPY names by its line number
 * (copy-record-line.ts). test/unit/csv-scanners-agree.test.ts holds the guard to the parser and
 * to a model of COPY checked against the server.
 *
 * Throws RawCsvUnsafe before passing on the chunk holding the first such place, so COPY never sees
 * it. A chunk with no quote, backslash or carriage return (the usual case) costs a few native
 * scans; the others are checked byte by byte.
 */
export async function* guardPostgresCsv(
  bytes: AsyncIterable<Uint8Array>,
  dialect: CsvDialect,
  /** False for a later part of the file: its first bytes are text, never a byte order mark. */
  opensFile = true,
): AsyncGenerator<Buffer> {
  const guard = CsvGuard.for(dialect, opensFile);
  // Bytes the server's encoding leaves undefined where sluice's decoder defines them (WIN1252's
  // five): COPY would refuse the file, sluice's parser reads it, so it is loaded parsed.
  const refused = serverEncoding(dialect.encoding) === undefined ? [] : WIN1252_UNDEFINED;
  for await (const piece of bytes) {
    const chunk = Buffer.isBuffer(piece)
      ? piece
      : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    for (const byte of refused) {
      // A native scan per byte value: the usual chunk holds none of them.
      if (chunk.includes(byte))
        throw new RawCsvUnsafe(
          `COPY would refuse byte 0x${byte.toString(16).toUpperCase()}, which the Encoding Standard reads as U+00${byte.toString(16).toUpperCase()}`,
        );
    }
    guard.check(chunk);
    yield chunk;
  }
  guard.end();
}

const enum State {
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: the field ends, or a doubled quote follows. */
  QuoteInQuoted,
}

/** A check a chunk boundary may cut: a CR, or `\` and `\.` at the start of a line. */
type Pending = 'cr' | 'backslash' | 'backslash-dot' | undefined;

export class CsvGuard {
  /** Bytes of a byte order mark seen at the start of the input, -1 once past it. */
  private bom = 0;
  private state = State.Unquoted;
  private lineStart = true;
  private fieldStart = true;
  private pending: Pending;
  /** The line end the file started with: COPY holds every unquoted line end to it. */
  private eol: 'lf' | 'crlf' | undefined;

  constructor(
    private readonly delimiter: number,
    /** The quote byte (one-byte quotes only: copyCsv takes no other). */
    private readonly quote = DOUBLE_QUOTE,
    /** COPY skips a header line; without one, a byte order mark would be data to it. */
    private readonly header = true,
    /** False for a later part of the file: its first bytes are text, never a byte order mark. */
    opensFile = true,
  ) {
    if (!opensFile) this.bom = -1;
  }

  /**
   * The guard for a file in `dialect` (a one-byte delimiter and quote: see rawCsvRefusal), or for
   * a later part of it (`opensFile` false: no byte order mark; the caller passes the part's
   * dialect, header false).
   */
  static for(dialect: CsvDialect, opensFile = true): CsvGuard {
    return new CsvGuard(
      dialect.delimiter.charCodeAt(0),
      dialect.quote.charCodeAt(0),
      dialect.header,
      opensFile,
    );
  }

  /** Inside a quoted field, as COPY's line reader counts it (every quote toggles). */
  get quoted(): boolean {
    return this.state === State.Quoted;
  }

  /** The line end style the first line set, once one has ended. */
  get lineEnding(): 'lf' | 'crlf' | undefined {
    return this.eol;
  }

  check(chunk: Buffer): void {
    if (this.bom !== -1) chunk = this.withoutBom(chunk);
    if (chunk.length === 0) return;
    if (
      this.state === State.Unquoted &&
      this.pending === undefined &&
      this.eol !== 'crlf' &&
      chunk.indexOf(this.quote) === -1 &&
      chunk.indexOf(BACKSLASH) === -1 &&
      chunk.indexOf(CR) === -1
    ) {
      // Unquoted text, LF line ends: only blank lines are left to find.
      if ((this.lineStart && chunk[0] === LF) || chunk.indexOf('\n\n') !== -1) this.unsafe('a blank line');
      const last = chunk[chunk.length - 1]!;
      if (this.eol === undefined && chunk.indexOf(LF) !== -1) this.eol = 'lf';
      this.lineStart = last === LF;
      this.fieldStart = last === LF || last === this.delimiter;
      return;
    }
    const length = chunk.length;
    const delimiter = this.delimiter;
    let i = 0;
    while (i < length) {
      if (this.state === State.Quoted) {
        // Inside quotes only a quote matters: jump to the next one.
        const quote = chunk.indexOf(this.quote, i);
        if (quote === -1) return;
        i = quote;
      }
      const byte = chunk[i++]!;
      if (this.pending === undefined && this.state === State.Unquoted) {
        // Ordinary text (everything above '"' but the delimiter, the quote and the backslash) just
        // moves on.
        if (byte > DOUBLE_QUOTE && byte !== delimiter && byte !== BACKSLASH && byte !== this.quote) {
          this.lineStart = false;
          this.fieldStart = false;
          continue;
        }
      }
      this.step(byte);
    }
  }

  end(): void {
    if (this.bom > 0) this.withoutBom(Buffer.alloc(0), true);
    if (this.pending === 'backslash-dot') this.unsafe('\\. alone on the last line');
    if (this.pending === 'cr') this.unsafe('a carriage return without a newline');
    // COPY would read the rest of the file as one field: into the header line it skips, silently.
    if (this.state === State.Quoted) this.unsafe('a quoted field that never closes');
  }

  /**
   * The chunk without the part of a byte order mark opening the input: sluice's decoder drops it,
   * so the checks start after it (a line holding only the mark is blank to the parser, a quote
   * right after it opens a quoted field). COPY keeps it in the header line, which it skips.
   */
  withoutBom(chunk: Buffer, ended = false): Buffer {
    let i = 0;
    while (i < chunk.length && this.bom < 3 && chunk[i] === BOM[this.bom]) {
      this.bom++;
      i++;
    }
    if (this.bom === 3) {
      this.bom = -1;
      if (!this.header)
        this.unsafe('a byte order mark, which COPY keeps in the first record when there is no header');
      return chunk.subarray(i);
    }
    if (i === chunk.length && !ended) return chunk.subarray(i); // may still be a mark
    // Not a mark after all: the bytes taken for one are text.
    const taken = this.bom;
    this.bom = -1;
    for (let k = 0; k < taken; k++) this.step(BOM[k]!);
    return chunk.subarray(i);
  }

  /** One byte, checked the slow way: check() gives the same verdicts, faster. */
  step(byte: number): void {
    if (this.pending !== undefined && this.resolvePending(byte)) return;
    if (this.state === State.Quoted) {
      if (byte === this.quote) this.state = State.QuoteInQuoted;
      return;
    }
    if (this.state === State.QuoteInQuoted) {
      if (byte === this.quote) {
        this.state = State.Quoted;
        return;
      }
      this.state = State.Unquoted;
      if (byte !== this.delimiter && byte !== LF && byte !== CR) this.unsafe('text after a closing quote');
    }
    if (byte === this.quote) {
      if (!this.fieldStart) this.unsafe('a quote inside an unquoted field');
      this.state = State.Quoted;
      this.fieldStart = false;
      this.lineStart = false;
    } else if (byte === this.delimiter) {
      this.fieldStart = true;
      this.lineStart = false;
    } else if (byte === LF) {
      this.lineEnd('lf');
    } else if (byte === CR) {
      this.pending = 'cr';
    } else {
      if (byte === BACKSLASH && this.lineStart) this.pending = 'backslash';
      this.lineStart = false;
      this.fieldStart = false;
    }
  }

  private lineEnd(eol: 'lf' | 'crlf'): void {
    if (this.lineStart) this.unsafe('a blank line');
    this.eol ??= eol;
    if (this.eol !== eol) this.unsafe('line ends that change between LF and CRLF');
    this.lineStart = true;
    this.fieldStart = true;
  }

  /** Finishes a check a chunk boundary may have cut; true when it consumed `byte`. */
  private resolvePending(byte: number): boolean {
    const pending = this.pending;
    this.pending = undefined;
    if (pending === 'cr') {
      if (byte !== LF) this.unsafe('a carriage return without a newline');
      this.lineEnd('crlf');
      return true;
    }
    if (pending === 'backslash' && byte === DOT) {
      this.pending = 'backslash-dot';
      return true;
    }
    if (pending === 'backslash-dot' && (byte === LF || byte === CR)) {
      this.unsafe('\\. alone on a line, which COPY reads as the end of the data');
    }
    return false;
  }

  private unsafe(reason: string): never {
    throw new RawCsvUnsafe(`COPY would read this CSV differently: ${reason}`);
  }
}
