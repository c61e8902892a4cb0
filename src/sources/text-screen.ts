import type { CsvDialect } from '../util/csv-dialect.js';

/**
 * The raw copy's screen for fields a column would not store as written (FieldCheck.screen): a
 * pattern looked for in the text as it streams by, and each line that holds a match judged field
 * by field (`refuses`), so that a decimal number in one column does not cost the raw copy of a
 * file whose integer column is fine. The text is cut at line ends (the end of a chunk waits for
 * the rest of its line); the bytes are read as latin1: every byte is one character and ASCII
 * stays itself, in UTF-8 and windows-1252 alike.
 */
export class TextScreen {
  private carried = '';
  private readonly pattern: RegExp;

  constructor(
    pattern: RegExp,
    /** True when a line (no line end) holds a field its column would change, or cannot be told. */
    private readonly refuses: (line: string) => boolean,
  ) {
    this.pattern = new RegExp(pattern.source, 'g');
  }

  /** True when a complete line so far, through `chunk`, is refused. */
  matches(chunk: Uint8Array): boolean {
    const text =
      this.carried + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const end = text.lastIndexOf('\n') + 1;
    this.carried = text.slice(end);
    // A line this long is no record of numbers and times: judged by the parser, to be safe.
    if (this.carried.length > MAX_CARRIED) return true;
    return this.refusedIn(text, end);
  }

  /** At the end of the input: true when the last line, without a line end, is refused. */
  end(): boolean {
    const text = this.carried;
    this.carried = '';
    return this.refusedIn(text, text.length);
  }

  private refusedIn(text: string, end: number): boolean {
    const pattern = this.pattern;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null && match.index < end; match = pattern.exec(text)) {
      const start = text.lastIndexOf('\n', match.index) + 1;
      let stop = text.indexOf('\n', match.index);
      if (stop === -1 || stop > end) stop = end;
      if (this.refuses(text.slice(start, stop))) return true;
      pattern.lastIndex = stop + 1;
    }
    return false;
  }
}

const MAX_CARRIED = 1 << 20;

/** The error a screened raw copy stops with: the bulk path hands it on, and copy.ts parses instead. */
export class ScreenedField extends Error {
  override readonly name = 'ScreenedField';
  readonly rawCsvUnsafe = true;
}

/**
 * A line of the file judged by the checks of the columns its fields go to: refused when one of
 * them would change its field, or when the line cannot be split on its own (an escape in it, or a
 * quoted field it does not close: the neighbours of a line inside a quoted field hold the quotes,
 * and are judged themselves).
 */
export function csvLineRefused(
  dialect: CsvDialect,
  /** By field: the check of the column the field goes to (FieldCheck.check), if it has one. */
  checks: readonly (((field: string) => unknown) | undefined)[],
): (line: string) => boolean {
  const { delimiter, quote, escape } = dialect;
  return (text) => {
    if (escape !== '' && text.includes(escape)) return true;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    const fields =
      quote !== '' && line.includes(quote) ? splitQuoted(line, delimiter, quote) : line.split(delimiter);
    if (fields === undefined) return true;
    for (let i = 0; i < checks.length && i < fields.length; i++) {
      const check = checks[i];
      if (check !== undefined && check(fields[i]!) !== fields[i]) return true;
    }
    return false;
  };
}

/**
 * One CSV line's fields, quotes taken off and doubled ones undone; undefined when a quote opens
 * a field that the line does not close, text follows a closing quote, or a quote is inside an
 * unquoted field (the parser's business). A line that starts inside a quoted field (a record over
 * several lines) ends up here, since its closing quote is read as an opening one: such a line is
 * refused, never split wrong.
 */
function splitQuoted(line: string, delimiter: string, quote: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.startsWith(quote, i)) {
      let value = '';
      let at = i + quote.length;
      for (;;) {
        const close = line.indexOf(quote, at);
        if (close === -1) return undefined;
        value += line.slice(at, close);
        at = close + quote.length;
        if (!line.startsWith(quote, at)) break;
        value += quote;
        at += quote.length;
      }
      fields.push(value);
      if (at === line.length) return fields;
      if (!line.startsWith(delimiter, at)) return undefined;
      i = at + delimiter.length;
    } else {
      // A quote inside an unquoted field: the line may start inside a quoted field, and its fields
      // would be counted wrong.
      const next = line.indexOf(delimiter, i);
      const field = next === -1 ? line.slice(i) : line.slice(i, next);
      if (field.includes(quote)) return undefined;
      fields.push(field);
      if (next === -1) return fields;
      i = next + delimiter.length;
    }
  }
}
