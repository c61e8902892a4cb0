import { isUtf8 } from 'node:buffer';
import { MAX_RECORD_CHARS } from '../../util/limits.js';
import { firstInvalidByte } from '../../util/utf8.js';
import type { BadRecord, BadRecordHandler } from '../../util/bad-record.js';
import { defaultCsvDialect, type CsvDialect } from '../../util/csv-dialect.js';

const LF = 0x0a;
const CR = 0x0d;
const NO_QUOTE = -1;
const BACKSLASH = 0x5c;
const NUL = 0x00;
const NULL_FIELD = Buffer.from('\\N');
const ESCAPED_LF = Buffer.from('\\n');
const ESCAPED_CR = Buffer.from('\\r');
const LETTER_N = Buffer.from('N');
const N = 0x4e;
const ZERO = 0x30;
const ESCAPE = Buffer.from('\\');
const NEWLINE = Buffer.from('\n');

/** Complete records in LOAD DATA's escaped format, with the source line each one starts on. */
export interface RewrittenCsv {
  readonly bytes: Buffer;
  readonly lines: number[];
}

/** A CSV file the rewriter cannot pass on: invalid UTF-8 (always fatal, as in the CSV parser). */
export class CsvBytesError extends Error {
  constructor(
    message: string,
    readonly line: number,
    /** The records before the bad byte, rewritten: they go to the database before the error. */
    readonly before: RewrittenCsv = { bytes: Buffer.alloc(0), lines: [] },
  ) {
    super(message);
  }
}

/**
 * Rewrites a CSV (or TSV) byte stream into what LOAD DATA reads as exactly the rows sluice's own CSV
 * parser (src/sources/csv-parser.ts) finds in it, touching only the bytes that need it:
 *
 *   FIELDS TERMINATED BY <delimiter> ESCAPED BY '\' LINES TERMINATED BY '\n', no ENCLOSED BY.
 *
 * LOAD DATA cannot read the CSV as written: with OPTIONALLY ENCLOSED BY '"' an empty field is ''
 * (not NULL), a quoted "" is '' too, and an unquoted NULL becomes NULL; NULLIF(@v, '') cannot tell
 * "" from an empty field. So: an empty unquoted field becomes \N; quotes are removed, "" inside
 * them becomes ", and a quoted delimiter is escaped; a newline inside quotes becomes \n; every
 * backslash is doubled; a CR ending a line goes; blank lines and the header go. Everything else
 * (almost every byte of a typical file) is copied through as it is. Each output record is one
 * line, so load-data-bulk.ts can cut a statement's bytes back into records.
 *
 * Records the parser would refuse (wrong field count, text after a closing quote, unterminated
 * quote, NUL byte) go to `onBadRecord` with the same reasons; invalid UTF-8 throws CsvBytesError.
 *
 * The dialect's quote (or none), header (none: every record is data, `width` fields), preamble
 * lines and NULL strings (an unquoted field written as one becomes \N; an empty one stays empty
 * unless '' is among them) are honoured, and so is an escape character (one byte): its sequences
 * are LOAD DATA's own, so they pass through, but for an escaped newline (made \n: one line per
 * record), an escaped N inside a field (made N) and another escape character than the backslash
 * (made one). Quoted NULL strings are not (load-data-bulk.ts has the file parsed instead).
 */
export class LoadDataCsvRewriter {
  private pending: Buffer | undefined;
  /** Line number at the start of the pending bytes. */
  private line = 1;
  private width = -1;
  private started = false;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly escape: number;
  /** An empty unquoted field is NULL ('' is a NULL string). */
  private readonly emptyIsNull: boolean;
  /** The other NULL strings, as bytes. */
  private readonly nulls: readonly Buffer[];
  private skipLeft: number;
  /**
   * What `onBadRecord` threw (abort mode): the rewriting stopped there, and the records before the
   * bad one were still returned, so the statement can end with them and the database judge them
   * first (the first bad row in file order is the one to report).
   */
  failure: { error: unknown } | undefined;

  constructor(
    dialect: string | CsvDialect,
    private readonly onBadRecord: BadRecordHandler,
    /** A headerless file's width (the load's column count). */
    width?: number,
    /**
     * False for a later part of the file (the raw copy cut into statements, or resumed): no byte
     * order mark; the caller passes the part's dialect (`partDialect`: no header, no preamble).
     * Lines are counted from the part's start.
     */
    opensFile = true,
    /**
     * False for a single-byte encoding (windows-1252 sent as latin1): every byte is a character,
     * so there is no UTF-8 to check and a record's length in characters is its length in bytes.
     */
    private readonly utf8 = true,
  ) {
    const d = typeof dialect === 'string' ? { ...defaultCsvDialect('csv'), delimiter: dialect } : dialect;
    if (Buffer.byteLength(d.delimiter) !== 1) throw new Error('the delimiter must be one byte');
    if (d.quote !== '' && Buffer.byteLength(d.quote) !== 1) throw new Error('the quote must be one byte');
    if (d.escape !== '' && Buffer.byteLength(d.escape) !== 1) throw new Error('the escape must be one byte');
    if (d.nullQuoted) throw new Error('the rewriter takes no quoted NULL strings');
    this.escape = d.escape === '' ? NO_QUOTE : d.escape.charCodeAt(0);
    this.delimiter = d.delimiter.charCodeAt(0);
    this.quote = d.quote === '' ? NO_QUOTE : d.quote.charCodeAt(0);
    this.emptyIsNull = d.nullStrings.includes('');
    this.nulls = d.nullStrings.filter((n) => n !== '').map((n) => Buffer.from(n));
    this.skipLeft = d.skipLines;
    if (!d.header) {
      if (width === undefined) throw new Error('a headerless file needs its width');
      this.width = width;
    }
    // A later part starts mid-file: its first bytes are text, never a byte order mark.
    if (!opensFile) this.started = true;
  }

  /** Header fields seen so far: -1 until the header line is complete. */
  get columns(): number {
    return this.width;
  }

  push(chunk: Buffer): RewrittenCsv {
    let buf = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.started && buf.length < 3) {
      this.pending = buf;
      return { bytes: Buffer.alloc(0), lines: [] };
    }
    buf = this.stripBom(buf);
    return this.rewrite(buf, false);
  }

  end(): RewrittenCsv {
    const buf = this.stripBom(this.pending ?? Buffer.alloc(0));
    return this.rewrite(buf, true);
  }

  private stripBom(buf: Buffer): Buffer {
    if (this.started) return buf;
    this.started = true;
    return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
  }

  /**
   * Records are judged up to the first byte that is not UTF-8, then that byte is the error: the
   * CSV parser reads the text decoded before it first, so both name the first problem in the file.
   */
  private rewrite(input: Buffer, final: boolean): RewrittenCsv {
    const invalid = this.utf8
      ? firstInvalidUtf8(input, final ? input.length : input.lastIndexOf(LF) + 1)
      : -1;
    const buf = invalid === -1 ? input : input.subarray(0, invalid);
    const rewritten = this.records(buf, final && invalid === -1);
    // A bad record before the invalid byte stopped the rewriting there: it is the one to report.
    if (invalid === -1 || this.failure !== undefined) return rewritten;
    let line = this.line;
    for (
      let n = buf.indexOf(LF, buf.length - (this.pending?.length ?? 0));
      n !== -1;
      n = buf.indexOf(LF, n + 1)
    )
      line++;
    throw new CsvBytesError('invalid UTF-8 byte sequence (the input must be UTF-8)', line, rewritten);
  }

  /**
   * A record the bytes end inside waits for more, unless it is already longer than the CSV parser
   * takes one (MAX_RECORD_CHARS, in UTF-16 units as the parser counts): then it is refused with
   * the parser's reason, and reading goes on where the parser's does. Memory stays bounded.
   */
  private refusal(
    buf: Buffer,
    start: number,
    incomplete: Incomplete,
  ): { reason: string; stop: number; column?: number } | undefined {
    const length = buf.length;
    if (length - start <= MAX_RECORD_CHARS || (this.utf8 && utf16Length(buf, start) <= MAX_RECORD_CHARS))
      return undefined;
    const lineEnd = buf.indexOf(LF, start);
    if (lineEnd === -1) return { reason: `line longer than ${MAX_RECORD_CHARS} characters`, stop: length };
    const column = incomplete.column;
    switch (incomplete.wait) {
      case 'cr':
        return undefined; // the next byte decides
      case 'quoted': {
        const reason = `unterminated quoted field (no closing quote within ${MAX_RECORD_CHARS} characters)`;
        return { reason, stop: lineEnd + 1, column };
      }
      case 'after':
        return { reason: `unexpected text after the closing quote of field ${column}`, stop: length, column };
      case 'record':
        return { reason: `record longer than ${MAX_RECORD_CHARS} characters`, stop: length, column };
    }
  }

  private records(buf: Buffer, final: boolean): RewrittenCsv {
    const out = new Output(buf);
    const lines: number[] = [];
    const length = buf.length;
    let pos = 0;
    // Preamble lines (--skip-lines) go. One that the bytes end inside waits for more, as a record
    // would; past MAX_RECORD_CHARS its whole characters so far go (checked as UTF-8 first, as the
    // parser's decoder checks them), so memory stays bounded.
    while (this.skipLeft > 0 && pos < length) {
      const newline = buf.indexOf(LF, pos);
      if (newline === -1 && !final) {
        if (length - pos > MAX_RECORD_CHARS) {
          const cut = charBoundary(buf, length);
          if (!isUtf8(buf.subarray(pos, cut)))
            throw new CsvBytesError('invalid UTF-8 byte sequence (the input must be UTF-8)', this.line);
          out.drop(pos, cut);
          pos = cut;
        }
        this.pending = pos < length ? buf.subarray(pos) : undefined;
        return { bytes: out.finish(pos), lines: [] };
      }
      const stop = newline === -1 ? length : newline + 1;
      out.drop(pos, stop);
      pos = stop;
      this.skipLeft--;
      if (newline !== -1) this.line++;
    }
    while (pos < length) {
      const start = pos;
      const mark = out.mark();
      const record = this.record(buf, pos, final, out);
      if ('wait' in record) {
        out.restore(mark);
        const refused = this.refusal(buf, start, record);
        if (refused === undefined) break; // incomplete: wait for more bytes
        out.reset(mark, start, refused.stop);
        const line = this.line;
        for (let n = buf.indexOf(LF, start); n !== -1 && n < refused.stop; n = buf.indexOf(LF, n + 1))
          this.line++;
        pos = refused.stop;
        const raw = buf
          .subarray(start, start + 800)
          .toString('utf8')
          .slice(0, 200);
        this.onBadRecord({ line, reason: refused.reason, raw, column: refused.column });
        continue;
      }
      pos = record.next;
      this.line += record.newlines;
      if (record.bad !== undefined) {
        out.reset(mark, start, pos);
        if (!this.report({ ...record.bad, line: record.line, raw: rawText(buf, start, pos) })) break;
      } else if (record.fields === 0) {
        out.reset(mark, start, pos); // a blank line
      } else if (this.width === -1) {
        this.width = record.fields;
        out.reset(mark, start, pos); // the header
      } else if (record.fields !== this.width) {
        out.reset(mark, start, pos);
        const reason = `expected ${this.width} fields, found ${record.fields}`;
        if (!this.report({ line: record.line, reason, raw: rawText(buf, start, pos) })) break;
      } else if (record.nul > 0) {
        out.reset(mark, start, pos);
        const reason = `NUL byte (0x00) in field ${record.nul}: text columns cannot hold it`;
        const raw = rawText(buf, start, pos);
        if (!this.report({ line: record.line, reason, raw, column: record.nul })) break;
      } else {
        if (record.unterminated) out.insert(pos, NEWLINE);
        lines.push(record.line);
      }
    }
    this.pending = pos < length ? buf.subarray(pos) : undefined;
    return { bytes: out.finish(pos), lines };
  }

  /** Hands a bad record on; false when the handler threw (abort), which stops the rewriting. */
  private report(bad: BadRecord): boolean {
    try {
      this.onBadRecord(bad);
      return true;
    } catch (error) {
      this.failure = { error };
      return false;
    }
  }

  /**
   * The escape sequence at buf[k] (the escape character, then the character it escapes) in LOAD
   * DATA's form (ESCAPED BY '\\'), which reads the same sequences as the parser.
   */
  private writeEscape(buf: Buffer, k: number, out: Output): void {
    const x = buf[k + 1]!;
    if (x === LF) out.replace(k, k + 2, ESCAPED_LF);
    else if (x === CR) out.replace(k, k + 2, ESCAPED_CR);
    else if (x === N)
      out.replace(k, k + 2, LETTER_N); // \N is NULL only as the whole field
    else if (this.escape !== BACKSLASH) out.replace(k, k + 1, ESCAPE);
  }

  /** buf[start, end) is one of the NULL strings other than ''. */
  private isNullString(buf: Buffer, start: number, end: number): boolean {
    if (this.nulls.length === 0) return false;
    for (const text of this.nulls) {
      if (text.length === end - start && buf.compare(text, 0, text.length, start, end) === 0) return true;
    }
    return false;
  }

  /**
   * One record from `pos`: its fields rewritten into `out`, or undefined when the bytes end before
   * the record does (and more may come).
   */
  private record(buf: Buffer, pos: number, final: boolean, out: Output): RecordEnd | Incomplete {
    const length = buf.length;
    const delimiter = this.delimiter;
    const line = this.line;
    const start = pos;
    let newlines = 0;
    let fields = 0;
    let nul = 0;
    for (;;) {
      if (buf[pos] === this.quote) {
        out.drop(pos, pos + 1);
        let i = pos + 1;
        for (;;) {
          if (i >= length) {
            if (!final) return { wait: 'quoted', column: fields + 1 };
            // As the parser does: only the line the quote opened on is refused, reading goes on.
            const lineEnd = buf.indexOf(LF, start);
            const stop = lineEnd === -1 ? length : lineEnd + 1;
            return bad(line, stop, lineEnd === -1 ? 0 : 1, 'unterminated quoted field', fields + 1);
          }
          const b = buf[i]!;
          if (b === this.escape) {
            if (i + 1 >= length) {
              if (!final) return { wait: 'quoted', column: fields + 1 };
              i++; // the quote never closes: refused above on the next turn
              continue;
            }
            const x = buf[i + 1]!;
            if (x === ZERO || x === NUL) nul = nul || fields + 1;
            if (x === LF) newlines++;
            this.writeEscape(buf, i, out);
            i += 2;
            continue;
          }
          if (b === this.quote) {
            if (i + 1 >= length && !final) return { wait: 'quoted', column: fields + 1 };
            if (buf[i + 1] === this.quote) {
              out.drop(i, i + 1); // "" is one quote
              i += 2;
              continue;
            }
            out.drop(i, i + 1);
            i++;
            break;
          }
          if (b === BACKSLASH) out.insert(i, ESCAPE);
          else if (b === delimiter) out.insert(i, ESCAPE);
          else if (b === LF) {
            out.replace(i, i + 1, ESCAPED_LF);
            newlines++;
          } else if (b === NUL) nul = nul || fields + 1;
          i++;
        }
        fields++;
        if (i >= length) return ended(line, fields, newlines, length, nul, true);
        const c = buf[i]!;
        if (c === delimiter) {
          pos = i + 1;
          continue;
        }
        if (c === LF) return ended(line, fields, newlines + 1, i + 1, nul, false);
        if (c === CR && i + 1 < length && buf[i + 1] === LF) {
          out.drop(i, i + 1);
          return ended(line, fields, newlines + 1, i + 2, nul, false);
        }
        if (c === CR && i + 1 >= length && !final) return { wait: 'cr', column: fields };
        const lineEnd = buf.indexOf(LF, i);
        if (lineEnd === -1 && !final) return { wait: 'after', column: fields };
        const stop = lineEnd === -1 ? length : lineEnd + 1;
        return bad(
          line,
          stop,
          newlines + (lineEnd === -1 ? 0 : 1),
          `unexpected text after the closing quote of field ${fields}`,
          fields,
        );
      }
      // Unquoted: runs to the next delimiter or newline; quotes inside it are text.
      let j = pos;
      let backslashes = false;
      let escapes = false;
      /** Where the last escape sequence ends: a CR before it is data, not part of a CRLF. */
      let escapedTo = -1;
      while (j < length) {
        const b = buf[j]!;
        if (b === this.escape) {
          if (j + 1 >= length) {
            if (!final) return { wait: 'record', column: fields + 1 };
            j++; // a lone escape character ending the input stands for itself
            continue;
          }
          const x = buf[j + 1]!;
          if (x === ZERO || x === NUL) nul = nul || fields + 1;
          if (x === LF) newlines++;
          escapes = true;
          j += 2;
          escapedTo = j;
          continue;
        }
        if (b === delimiter || b === LF) break;
        if (b === BACKSLASH) backslashes = true;
        else if (b === NUL) nul = nul || fields + 1;
        j++;
      }
      if (j >= length && !final) return { wait: 'record', column: fields + 1 };
      const c = j < length ? buf[j] : -1;
      // A CR ending the line is part of the line break (CRLF), as in the parser.
      const end = c !== delimiter && j > pos && j - 1 >= escapedTo && buf[j - 1] === CR ? j - 1 : j;
      fields++;
      // A line with nothing on it is blank, not a record of one NULL.
      const blank = fields === 1 && end === pos && c !== delimiter;
      // Edits go in input order: escapes, or \N for a NULL string, then the CR.
      const escapedNull = escapes && end - pos === 2 && buf[pos] === this.escape && buf[pos + 1] === N;
      if (end > pos && (escapedNull || this.isNullString(buf, pos, end))) out.replace(pos, end, NULL_FIELD);
      else if (escapes || (backslashes && this.escape !== BACKSLASH)) {
        for (let k = pos; k < end; k++) {
          if (buf[k] === this.escape) {
            if (k + 1 < end) this.writeEscape(buf, k++, out);
            else if (this.escape === BACKSLASH) out.insert(k, ESCAPE); // lone, at the end of the input
          } else if (buf[k] === BACKSLASH) out.insert(k, ESCAPE);
        }
      }
      if (end === pos && !blank && this.emptyIsNull) out.insert(pos, NULL_FIELD);
      if (end < j) out.drop(end, j);
      if (c === delimiter) {
        pos = j + 1;
        continue;
      }
      const spanned = newlines + (c === LF ? 1 : 0);
      if (blank) return ended(line, 0, spanned, j + 1, 0, false);
      return ended(line, fields, spanned, Math.min(j + 1, length), nul, c !== LF);
    }
  }
}

/** A record the bytes end inside: in a quoted field, after its closing quote, or elsewhere. */
interface Incomplete {
  readonly wait: 'quoted' | 'after' | 'cr' | 'record';
  readonly column: number;
}

/** Where the last UTF-8 character that may be incomplete in buf[0, end) starts (end when none is). */
function charBoundary(buf: Buffer, end: number): number {
  for (let i = end - 1; i >= Math.max(0, end - 4); i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + size > end ? i : end;
  }
  return end;
}

/** UTF-16 code units in buf[start, end), as the parser counts a record's length. */
function utf16Length(buf: Buffer, start: number): number {
  let units = 0;
  for (let i = start; i < buf.length; i++) {
    const b = buf[i]!;
    if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}

/** The offset of the first byte in `buf[0, end)` that is not valid UTF-8, or -1. */
function firstInvalidUtf8(buf: Buffer, end: number): number {
  const region = buf.subarray(0, end);
  return isUtf8(region) ? -1 : firstInvalidByte(region);
}

interface RecordEnd {
  readonly line: number;
  /** Fields found; 0 for a blank line. */
  readonly fields: number;
  /** Newlines the record spans (its terminator included). */
  readonly newlines: number;
  readonly next: number;
  /** The record ended at the end of the input without a newline. */
  readonly unterminated: boolean;
  /** The first field holding a NUL byte (1-based), or 0. */
  readonly nul: number;
  readonly bad?: { reason: string; column: number };
}

function ended(
  line: number,
  fields: number,
  newlines: number,
  next: number,
  nul: number,
  unterminated: boolean,
): RecordEnd {
  return { line, fields, newlines, next, unterminated, nul };
}

function bad(line: number, next: number, newlines: number, reason: string, column: number): RecordEnd {
  return { line, fields: 0, newlines, next, unterminated: false, nul: 0, bad: { reason, column } };
}

function rawText(buf: Buffer, start: number, end: number): string {
  return buf
    .subarray(start, end)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * The rewritten bytes as spans of the input plus the few bytes that differ. Edits arrive in input
 * order; a span is copied only when an edit ends it, so clean records cost nothing.
 */
class Output {
  private readonly parts: Buffer[] = [];
  private from = 0;

  constructor(private readonly input: Buffer) {}

  mark(): { parts: number; from: number } {
    return { parts: this.parts.length, from: this.from };
  }
  /** Forgets the edits made since `mark`. */
  restore(mark: { parts: number; from: number }): void {
    this.parts.length = mark.parts;
    this.from = mark.from;
  }
  /** Forgets the edits made since `mark` and leaves out input[start, end). */
  reset(mark: { parts: number; from: number }, start: number, end: number): void {
    this.restore(mark);
    this.drop(start, end);
  }
  /** Leaves out input[start, end). */
  drop(start: number, end: number): void {
    this.flush(start);
    this.from = end;
  }
  /** Writes `bytes` before input[at]. */
  insert(at: number, bytes: Buffer): void {
    this.flush(at);
    this.parts.push(bytes);
  }
  replace(start: number, end: number, bytes: Buffer): void {
    this.flush(start);
    this.parts.push(bytes);
    this.from = end;
  }
  finish(end: number): Buffer {
    this.flush(end);
    this.from = end;
    if (this.parts.length === 0) return Buffer.alloc(0);
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
  }
  private flush(to: number): void {
    if (to <= this.from) return;
    this.parts.push(this.input.subarray(this.from, to));
    this.from = to;
  }
}
