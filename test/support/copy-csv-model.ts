import type { TextField } from '../../src/sources/source.js';
import { defaultCsvDialect, type CsvDialect } from '../../src/util/csv-dialect.js';

/**
 * What PostgreSQL 15's `COPY t FROM STDIN (FORMAT csv, HEADER true, DELIMITER d)` reads from
 * `bytes`, written from the server's copyfromparse.c (CopyReadLineText, CopyReadAttributesCSV,
 * NextCopyFrom) independently of sluice's scanners, and checked against a real server by
 * test/integration/csv-scanners-databases.test.ts:
 *
 * - a line ends at an unquoted LF, CRLF or CR; the first one fixes the style, and a later line
 *   end of another style is an error ("unquoted carriage return/newline found in data");
 * - every quote character toggles the quoting while lines are cut, wherever it is in a field;
 * - the line number counts each line read (the header is line 1) plus, inside quotes, each LF
 *   when the style is LF and each CR otherwise (also while the style is still unknown);
 * - fields: a quote starts a quoted part anywhere, `""` in it is a quote, text may follow the
 *   closing quote; a field with no quote and nothing in it is NULL;
 * - bytes that are not UTF-8 (NUL included) fail where the line reader meets them, which is one
 *   byte early after a CR or a backslash (it fetches the next byte before it goes on).
 *
 * `\.` first on a line followed by a line end or the end of the data may be COPY's end-of-data
 * marker, depending on the line end style; the model does not say what it does (`unmodelled`).
 */
export type CopyOutcome =
  | {
      readonly kind: 'rows';
      readonly rows: TextField[][];
      /** The line number COPY gives each row (its last line); `header` is the header's. */
      readonly lines: number[];
      readonly header: number;
    }
  | { readonly kind: 'error'; readonly message: string; readonly line: number }
  | { readonly kind: 'unmodelled'; readonly why: string };

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

class CopyError extends Error {}
class Unmodelled extends Error {}

/**
 * With a dialect: QUOTE q, NULL 'n' (an unquoted field whose text is n is NULL), FORCE_NULL (a
 * quoted one too) and HEADER false (the first line is a row), as sluice's copyCsv spells them.
 */
export function copyCsvModel(bytes: Buffer, csv: string | CsvDialect, columns: number): CopyOutcome {
  const dialect = typeof csv === 'string' ? { ...defaultCsvDialect('csv'), delimiter: csv } : csv;
  const delim = dialect.delimiter.charCodeAt(0);
  const QUOTE = dialect.quote.charCodeAt(0);
  const nullPrint = Buffer.from(dialect.nullStrings[0] ?? '');
  const forceNull = dialect.nullQuoted;
  const invalidAt = firstNonUtf8(bytes);
  let pos = 0;
  let line = 0;
  let eol: 'unknown' | 'nl' | 'crnl' | 'cr' = 'unknown';

  const encodingError = (): CopyError =>
    new CopyError(
      `invalid byte sequence for encoding "UTF8": 0x${bytes[invalidAt]!.toString(16).padStart(2, '0')}`,
    );

  /** One line without its terminator; `eof` when the data ended before a terminator. */
  function readLine(): { text: Buffer; eof: boolean } {
    const start = pos;
    let inQuote = false;
    let first = true;
    for (;;) {
      if (pos >= bytes.length) return { text: bytes.subarray(start, pos), eof: true };
      if (pos === invalidAt) throw encodingError();
      const c = bytes[pos++]!;
      // After a CR or a backslash the reader fetches the next byte before it goes on.
      if ((c === CR || c === BACKSLASH) && pos === invalidAt) throw encodingError();
      if (c === QUOTE) inQuote = !inQuote;
      if (inQuote && c === (eol === 'nl' ? LF : CR)) line++;
      if (c === CR && !inQuote) {
        if (eol === 'unknown' || eol === 'crnl') {
          if (bytes[pos] === LF) {
            pos++;
            eol = 'crnl';
            return { text: bytes.subarray(start, pos - 2), eof: false };
          }
          if (eol === 'crnl') throw new CopyError('unquoted carriage return found in data');
          eol = 'cr';
        } else if (eol === 'nl') {
          throw new CopyError('unquoted carriage return found in data');
        }
        return { text: bytes.subarray(start, pos - 1), eof: false };
      }
      if (c === LF && !inQuote) {
        if (eol === 'cr' || eol === 'crnl') throw new CopyError('unquoted newline found in data');
        eol = 'nl';
        return { text: bytes.subarray(start, pos - 1), eof: false };
      }
      if (c === BACKSLASH && first && bytes[pos] === DOT) {
        const after = bytes[pos + 1];
        if (after === undefined || after === LF || after === CR) throw new Unmodelled('\\. alone on a line');
      }
      first = false;
    }
  }

  function fields(text: Buffer): TextField[] {
    const out: TextField[] = [];
    let cur = 0;
    for (;;) {
      const start = cur;
      const value: number[] = [];
      let sawQuote = false;
      let foundDelim = false;
      let end: number;
      scan: for (;;) {
        for (;;) {
          end = cur;
          if (cur >= text.length) break scan;
          const c = text[cur++]!;
          if (c === delim) {
            foundDelim = true;
            break scan;
          }
          if (c === QUOTE) {
            sawQuote = true;
            break;
          }
          value.push(c);
        }
        for (;;) {
          if (cur >= text.length) throw new CopyError('unterminated CSV quoted field');
          const c = text[cur++]!;
          if (c === QUOTE && text[cur] === QUOTE) {
            value.push(QUOTE);
            cur++;
            continue;
          }
          if (c === QUOTE) break;
          value.push(c);
        }
      }
      const raw = text.subarray(start, end);
      const isNull = sawQuote ? forceNull && Buffer.from(value).equals(nullPrint) : raw.equals(nullPrint);
      out.push(isNull ? null : Buffer.from(value).toString('utf8'));
      if (!foundDelim) return out;
    }
  }

  const rows: TextField[][] = [];
  const lines: number[] = [];
  let header = 0;
  const done = (): CopyOutcome => ({ kind: 'rows', rows, lines, header });
  try {
    if (dialect.header) {
      line++;
      const ended = readLine().eof; // the header, thrown away
      header = line;
      if (ended) return done();
    }
    for (;;) {
      line++;
      const { text, eof } = readLine();
      if (eof && text.length === 0) return done();
      const row = fields(text);
      if (row.length > columns) throw new CopyError('extra data after last expected column');
      if (row.length < columns) throw new CopyError(`missing data for column ${row.length + 1}`);
      rows.push(row);
      lines.push(line);
      if (eof) return done();
    }
  } catch (error) {
    if (error instanceof Unmodelled) return { kind: 'unmodelled', why: error.message };
    if (error instanceof CopyError) return { kind: 'error', message: error.message, line };
    throw error;
  }
}

/** The offset of the first byte that is not valid UTF-8 for PostgreSQL (NUL included), or -1. */
function firstNonUtf8(bytes: Buffer): number {
  const nul = bytes.indexOf(0);
  // toString marks each invalid sequence with U+FFFD: re-encoded, it first differs there.
  const again = Buffer.from(bytes.toString('utf8'));
  let invalid = -1;
  for (let i = 0; i < bytes.length; i++) {
    if (again[i] !== bytes[i]) {
      invalid = i;
      break;
    }
  }
  if (nul === -1) return invalid;
  return invalid === -1 ? nul : Math.min(nul, invalid);
}
