import { SluiceError } from '../errors.js';
import { defaultCsvDialect, unescapeChar, type CsvDialect } from '../util/csv-dialect.js';
import { MAX_RECORD_CHARS } from '../util/limits.js';
import type { BadRecordHandler, RecordBatch, TextField } from './source.js';

const LF = 10;
const CR = 13;
/** No such character: a quote or escape code that is not set never matches. */
const NONE = -1;

/** What the parser is given beyond the dialect: headerless column names, a record limit. */
export interface CsvParserOptions {
  /** With `header: false`: the column names, in file order (their count is the record width). */
  readonly columns?: readonly string[];
  /** Stop after this many records (bad ones included): --limit. */
  readonly limit?: number;
  /** The source's name, for the headerless width error. */
  readonly name?: string;
}

export { MAX_RECORD_CHARS };

/**
 * An RFC 4180 CSV parser tuned for the common case. A record with no quote character before its
 * newline is cut with `indexOf` and `slice` (native, no per-character JavaScript); only records
 * that contain quotes take the character-level path. This matters most on SQLite, where parsing
 * shares the one thread with the inserts.
 *
 * - Quoted fields may hold delimiters, doubled quotes and newlines; CRLF and LF both end a record.
 * - An empty unquoted field is `null`; a quoted empty field `""` is the empty string.
 * - Blank lines are skipped. A quote inside an unquoted field is literal text.
 * - Text arrives in chunks that may end anywhere: an incomplete record waits for the next chunk.
 *
 * The first record is the header. Records whose field count differs from the header's, and text
 * after a closing quote, go to `onBadRecord`, which throws to abort or returns to skip.
 *
 * The dialect (util/csv-dialect.ts) may change the delimiter and the quote (or turn quoting off),
 * add an escape character, say there is no header, skip preamble lines and name other NULL
 * strings. Records holding a quote or an escape character take the character-level path; the rest
 * stay on the fast one whatever the dialect.
 */
export class CsvParser {
  private buffer = '';
  private line = 1;
  /** Records seen so far (the header not counted): the next one's ordinal is this plus one. */
  private ordinal = 0;
  /** Source byte offset where `buffer` starts. */
  private offset = 0;
  /** `buffer` holds only one-byte characters, so a character index is a byte count. */
  private ascii = true;
  /** For other buffers: a character index in `buffer` and its byte offset in the source. */
  private cursorChar = 0;
  private cursorByte = 0;
  private width = -1;
  private headerFields: string[] | undefined;
  /** Headerless: the first record's width has been checked against the names. */
  private firstChecked = false;
  /** Set while the pending text holds a NUL, so only those records pay for the check. */
  private nulPending = false;
  private readonly delimiter: string;
  private readonly delimiterCode: number;
  private readonly quote: string;
  private readonly quoteCode: number;
  private readonly escape: string;
  private readonly escapeCode: number;
  /** What an empty unquoted field is: NULL unless '' is not among the null strings. */
  private readonly emptyField: TextField;
  /** Null strings other than '' (undefined when there are none: the common case costs nothing). */
  private readonly nulls: ReadonlySet<string> | undefined;
  private readonly nullQuoted: boolean;
  /** Preamble lines still to skip before the header (or the first record). */
  private skipLeft: number;
  /** Headerless: the width is known, and the first record is checked against it. */
  private readonly headerless: boolean;
  private readonly limit: number;
  private readonly name: string;
  /** The record limit was reached: nothing more is parsed. */
  done = false;

  constructor(
    dialect: string | CsvDialect,
    private readonly onBadRecord: BadRecordHandler,
    /** The decoder marks invalid UTF-8 with NULs (skip mode): say so when refusing one. */
    private readonly lenientUtf8 = false,
    options: CsvParserOptions = {},
  ) {
    const d = typeof dialect === 'string' ? { ...defaultCsvDialect('csv'), delimiter: dialect } : dialect;
    this.delimiter = d.delimiter;
    this.delimiterCode = d.delimiter.charCodeAt(0);
    this.quote = d.quote;
    this.quoteCode = d.quote === '' ? NONE : d.quote.charCodeAt(0);
    this.escape = d.escape;
    this.escapeCode = d.escape === '' ? NONE : d.escape.charCodeAt(0);
    this.emptyField = d.nullStrings.includes('') ? null : '';
    const others = d.nullStrings.filter((n) => n !== '');
    this.nulls = others.length === 0 ? undefined : new Set(others);
    this.nullQuoted = d.nullQuoted;
    this.skipLeft = d.skipLines;
    this.limit = options.limit ?? Infinity;
    this.name = options.name ?? 'input';
    this.headerless = !d.header;
    if (!d.header) {
      if (options.columns === undefined) throw new Error('a headerless parser needs the column names');
      this.headerFields = [...options.columns];
      this.width = options.columns.length;
    }
  }

  /**
   * Continues at byte `offset` of the source, after `ordinal` records, on line `line`: a resumed
   * load has read the header from the start and goes on from its checkpoint. What is pending is
   * dropped (it lies before the offset).
   */
  seek(offset: number, ordinal: number, line: number): void {
    this.buffer = '';
    this.offset = offset;
    this.ordinal = ordinal;
    this.line = line;
    this.ascii = true;
    this.nulPending = false;
    this.skipLeft = 0;
    this.firstChecked = true;
  }

  /** The header's fields, once the first record has been read. */
  get header(): string[] | undefined {
    return this.headerFields;
  }

  /**
   * Parses every complete record in `text` (appended to what is pending) into `out`. `bytes` is
   * the text's UTF-8 length and `skipped` the input bytes before it that it does not hold (a
   * byte-order mark), so each record's end can be given as a byte offset in the source.
   */
  push(text: string, out: RecordBatch<TextField[]>, bytes = Buffer.byteLength(text), skipped = 0): void {
    if (this.buffer.length === 0) {
      this.offset += skipped;
      this.buffer = text;
      this.ascii = bytes === text.length;
    } else {
      this.buffer += text;
      this.ascii &&= bytes === text.length;
    }
    this.cursorChar = 0;
    this.cursorByte = this.offset;
    this.nulPending = this.buffer.includes('\0');
    const consumed = this.parse(out, false);
    this.offset = this.byteAt(consumed);
    if (consumed === this.buffer.length) {
      this.buffer = '';
    } else {
      this.buffer = this.buffer.slice(consumed);
      // What is pending is one partial record: measure it, so one non-ASCII chunk does not keep
      // every later one on the slower path.
      if (!this.ascii) this.ascii = Buffer.byteLength(this.buffer) === this.buffer.length;
    }
  }

  /** The source byte offset of character `pos` of the buffer; calls must not go backwards. */
  private byteAt(pos: number): number {
    if (this.ascii) return this.offset + pos;
    if (pos !== this.cursorChar) {
      this.cursorByte += Buffer.byteLength(this.buffer.slice(this.cursorChar, pos));
      this.cursorChar = pos;
    }
    return this.cursorByte;
  }

  /** The line the parser has reached, counting the text still pending. */
  currentLine(): number {
    let line = this.line;
    for (let n = this.buffer.indexOf('\n'); n !== -1; n = this.buffer.indexOf('\n', n + 1)) line++;
    return line;
  }

  /** Parses what is left at the end of the input (a last record without newline). */
  end(out: RecordBatch<TextField[]>): void {
    this.cursorChar = 0;
    this.cursorByte = this.offset;
    this.offset = this.byteAt(this.parse(out, true));
    this.buffer = '';
  }

  private parse(out: RecordBatch<TextField[]>, final: boolean): number {
    const buf = this.buffer;
    const length = buf.length;
    let pos = this.skipLeft > 0 ? this.skipPreamble(buf, final) : 0;
    while (pos < length && !this.done) {
      // One search per quoted record (one per chunk when there are none), outside the per-record
      // loop: with a guarded `indexOf('"', pos)` inside that loop, V8 11 (Node 20) rescanned the
      // rest of the chunk on every record once the loop was optimized, quadratic in the chunk size.
      const special = this.nextSpecial(buf, pos);
      pos = this.parsePlain(buf, pos, special === -1 ? length : special, final && special === -1, out);
      if (special === -1 || pos >= length || this.done) break;
      const next = this.parseQuotedRecord(buf, pos, final, out);
      if (next === -1) break;
      pos = next;
    }
    return this.done ? length : Math.min(pos, length);
  }

  /** The next quote or escape character at or after `pos`, or -1. */
  private nextSpecial(buf: string, pos: number): number {
    const quote = this.quote === '' ? -1 : buf.indexOf(this.quote, pos);
    if (this.escape === '') return quote;
    const escape = buf.indexOf(this.escape, pos);
    if (quote === -1) return escape;
    return escape === -1 ? quote : Math.min(quote, escape);
  }

  /**
   * Reads past the preamble lines (--skip-lines) still to skip; returns where the text after them
   * starts. A line the text ends inside is consumed and still counts as unfinished.
   */
  private skipPreamble(buf: string, final: boolean): number {
    let pos = 0;
    while (this.skipLeft > 0) {
      const newline = buf.indexOf('\n', pos);
      if (newline === -1) {
        if (final) this.skipLeft = 0;
        return buf.length;
      }
      this.line++;
      this.skipLeft--;
      pos = newline + 1;
    }
    return pos;
  }

  /**
   * The fast path: every record from `pos` whose newline comes before `limit` (the next quote) is
   * cut at its delimiters with indexOf. Returns where it stopped: the start of the record holding the quote, or of an
   * incomplete last record. With `final`, a last record without newline is taken too.
   */
  private parsePlain(
    buf: string,
    pos: number,
    limit: number,
    final: boolean,
    out: RecordBatch<TextField[]>,
  ): number {
    const length = buf.length;
    const delimiter = this.delimiter;
    // The next delimiter at or after the field being cut; `length` when the chunk has no more.
    let next = -1;
    while (pos < length && !this.done) {
      let newline = buf.indexOf('\n', pos);
      if (newline === -1) {
        if (!final) return this.refuseLongLine(buf, pos);
        newline = length;
      } else if (newline > limit) {
        return pos;
      }
      let end = newline;
      if (end > pos && buf.charCodeAt(end - 1) === CR) end--;
      const startLine = this.line++;
      if (end > pos) {
        // Fields cut with indexOf and slice on the chunk itself: twice as fast as
        // slice().split(), which goes through a runtime call. The next delimiter found past the
        // record's end is kept for the records after it, so a file with few or no delimiters
        // is not rescanned to the end of the chunk for every record.
        const fields: TextField[] = [];
        for (let from = pos; ;) {
          if (next < from) {
            next = buf.indexOf(delimiter, from);
            if (next === -1) next = length;
          }
          const cut = next < end ? next : end;
          fields.push(cut > from ? this.unquoted(buf.slice(from, cut)) : this.emptyField);
          if (cut === end) break;
          from = cut + 1;
        }
        this.accept(fields, startLine, buf, pos, end, Math.min(newline + 1, length), out);
      }
      pos = newline + 1;
    }
    return pos;
  }

  /** An unquoted field as written: NULL when it is one of the null strings (a header keeps its names). */
  private unquoted(text: string): TextField {
    return this.nulls !== undefined && this.width !== -1 && this.nulls.has(text) ? null : text;
  }

  /** An unfinished last line waits for more text, unless it is already too long to be a record. */
  private refuseLongLine(buf: string, pos: number): number {
    if (buf.length - pos <= MAX_RECORD_CHARS) return pos;
    this.onBadRecord({
      line: this.line,
      reason: `line longer than ${MAX_RECORD_CHARS} characters`,
      raw: buf.slice(pos, pos + 200),
    });
    return buf.length;
  }

  /**
   * The character-level path for a record that contains a quote or an escape character. Returns
   * the position after the record, or -1 when the record is not complete yet.
   */
  private parseQuotedRecord(
    buf: string,
    start: number,
    final: boolean,
    out: RecordBatch<TextField[]>,
  ): number {
    const length = buf.length;
    const fields: TextField[] = [];
    const startLine = this.line;
    const escapeCode = this.escapeCode;
    let i = start;
    for (;;) {
      if (buf.charCodeAt(i) === this.quoteCode) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const close = this.closeOrEscape(buf, from);
          if (close === -1 || (close === length - 1 && (!final || buf.charCodeAt(close) === escapeCode))) {
            if (!final && length - start <= MAX_RECORD_CHARS) return -1;
            // A quote that never closes would swallow the rest of the input (and memory): refuse
            // the line it opened on and read on from the next line.
            const lineEnd = buf.indexOf('\n', start);
            const stop = lineEnd === -1 ? length : lineEnd + 1;
            const reason = final
              ? 'unterminated quoted field'
              : `unterminated quoted field (no closing quote within ${MAX_RECORD_CHARS} characters)`;
            return this.reject(startLine, reason, buf, start, stop, fields.length + 1);
          }
          if (buf.charCodeAt(close) === escapeCode) {
            value += buf.slice(from, close) + this.unescaped(buf[close + 1]!);
            from = close + 2;
            continue;
          }
          if (buf.charCodeAt(close + 1) === this.quoteCode) {
            value += buf.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          value += buf.slice(from, close);
          i = close + 1;
          break;
        }
        fields.push(this.nullQuoted && this.isNullString(value) ? null : value);
        const c = buf.charCodeAt(i);
        if (c === this.delimiterCode) {
          i++;
          continue;
        }
        if (i >= length) return this.finish(fields, startLine, buf, start, length, length, out);
        if (c === LF) return this.finish(fields, startLine, buf, start, i, i + 1, out);
        if (c === CR && i + 1 < length && buf.charCodeAt(i + 1) === LF) {
          return this.finish(fields, startLine, buf, start, i, i + 2, out);
        }
        if (c === CR && i + 1 >= length && !final) return -1;
        const lineEnd = buf.indexOf('\n', i);
        const stop = lineEnd === -1 ? length : lineEnd + 1;
        const after = `unexpected text after the closing quote of field ${fields.length}`;
        if (lineEnd === -1 && !final) return this.waitOrRefuse(startLine, after, buf, start, fields.length);
        return this.reject(startLine, after, buf, start, stop, fields.length);
      }
      // Unquoted field: runs to the next delimiter or newline that is not escaped.
      let j = i;
      let value = '';
      let from = i;
      /** Where the last escape sequence ends: a CR before it is data, not part of a CRLF. */
      let escapedTo = -1;
      while (j < length) {
        const c = buf.charCodeAt(j);
        if (c === this.delimiterCode || c === LF) break;
        if (c === escapeCode) {
          if (j + 1 >= length) {
            if (!final) {
              j = length; // the next chunk says what is escaped
              break;
            }
            j++; // a lone escape character ending the input stands for itself
            continue;
          }
          value += buf.slice(from, j) + this.unescaped(buf[j + 1]!);
          j += 2;
          from = escapedTo = j;
          continue;
        }
        j++;
      }
      if (j >= length && !final) {
        const reason = `record longer than ${MAX_RECORD_CHARS} characters`;
        return this.waitOrRefuse(startLine, reason, buf, start, fields.length + 1);
      }
      const c = j < length ? buf.charCodeAt(j) : -1;
      let end = j;
      if (c !== this.delimiterCode && end > i && end - 1 >= escapedTo && buf.charCodeAt(end - 1) === CR)
        end--;
      if (end === i) fields.push(this.emptyField);
      else if (escapedTo === -1) fields.push(this.unquoted(buf.slice(i, end)));
      else {
        // Null strings match the field as written; an escaped N alone is NULL (MySQL's \N).
        const written = buf.slice(i, end);
        const isNull = (written === `${this.escape}N` && this.width !== -1) || this.isNullString(written);
        fields.push(isNull ? null : value + buf.slice(from, end));
      }
      if (c === this.delimiterCode) {
        i = j + 1;
        continue;
      }
      return this.finish(fields, startLine, buf, start, end, j + 1, out);
    }
  }

  /** Inside quotes: the next quote or escape character from `from`, or -1. */
  private closeOrEscape(buf: string, from: number): number {
    const close = buf.indexOf(this.quote, from);
    if (this.escape === '') return close;
    const escape = buf.indexOf(this.escape, from);
    if (escape === -1 || (close !== -1 && close < escape)) return close;
    // An escape character ending the text waits for the next chunk as a closing quote would.
    return escape;
  }

  /** The character an escape sequence stands for; a NUL is marked for the record's check. */
  private unescaped(char: string): string {
    const value = unescapeChar(char);
    if (value === '\0') this.nulPending = true;
    return value;
  }

  private isNullString(text: string): boolean {
    if (text === '') return this.emptyField === null;
    return this.nulls !== undefined && this.width !== -1 && this.nulls.has(text);
  }

  /**
   * A record whose quoted fields closed but whose last line has not ended yet waits for more text,
   * unless it is already too long to be a record: then it is refused, as a long line is (parsePlain
   * only catches a line with no newline at all, and a quoted field may hold one).
   */
  private waitOrRefuse(line: number, reason: string, buf: string, start: number, column: number): number {
    if (buf.length - start <= MAX_RECORD_CHARS) return -1;
    this.countLines(buf, start, buf.length);
    this.onBadRecord({ line, reason, raw: buf.slice(start, start + 200), column });
    return buf.length;
  }

  private finish(
    fields: TextField[],
    startLine: number,
    buf: string,
    start: number,
    end: number,
    next: number,
    out: RecordBatch<TextField[]>,
  ): number {
    this.countLines(buf, start, next);
    this.accept(fields, startLine, buf, start, end, next, out);
    return next;
  }

  private reject(
    line: number,
    reason: string,
    buf: string,
    start: number,
    stop: number,
    column: number,
  ): number {
    this.countLines(buf, start, stop);
    const raw = trimNewline(buf.slice(start, stop));
    this.ordinal++;
    if (this.ordinal >= this.limit) this.done = true;
    this.onBadRecord({ line, reason, raw, column });
    return stop;
  }

  private countLines(buf: string, from: number, to: number): void {
    let n = buf.indexOf('\n', from);
    while (n !== -1 && n < to) {
      this.line++;
      n = buf.indexOf('\n', n + 1);
    }
  }

  private accept(
    fields: TextField[],
    line: number,
    buf: string,
    start: number,
    end: number,
    next: number,
    out: RecordBatch<TextField[]>,
  ): void {
    if (this.width === -1) {
      this.width = fields.length;
      this.headerFields = fields.map((f) => f ?? '');
      return;
    }
    if (this.headerless && !this.firstChecked) {
      this.firstChecked = true;
      if (fields.length !== this.width)
        throw new SluiceError(
          'BAD_USAGE',
          `the first record has ${fields.length} fields, but ${this.width} column names were given (${this.headerFields!.join(', ')})`,
          {
            location: { source: this.name, line },
            hint: 'give one name per field, in file order, with --columns a,b,c',
          },
        );
    }
    const ordinal = ++this.ordinal;
    if (ordinal >= this.limit) this.done = true;
    if (fields.length !== this.width) {
      const reason = `expected ${this.width} fields, found ${fields.length}`;
      this.onBadRecord({ line, reason, raw: buf.slice(start, end) });
      return;
    }
    if (this.nulPending) {
      const column = fields.findIndex((f) => f !== null && f.includes('\0'));
      if (column !== -1) {
        const what = this.lenientUtf8 ? 'NUL byte (0x00) or invalid UTF-8' : 'NUL byte (0x00)';
        const reason = `${what} in field ${column + 1}: text columns cannot hold it`;
        this.onBadRecord({ line, reason, raw: buf.slice(start, end), column: column + 1 });
        return;
      }
    }
    out.records.push(fields);
    out.lines.push(line);
    out.ordinals.push(ordinal);
    out.ends.push(this.byteAt(next));
  }
}

function trimNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
