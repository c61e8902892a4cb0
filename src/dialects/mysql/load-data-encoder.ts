import { UnstorableValue, toMysqlValue } from './mysql-values.js';

/**
 * Rows as LOAD DATA's escaped text format, the format of the statement in load-data-sql.ts:
 * FIELDS TERMINATED BY tab, ESCAPED BY backslash, LINES TERMINATED BY newline, no enclosing quotes.
 * `\N` is NULL; backslash, tab, newline, carriage return and NUL inside a value are written as
 * `\\`, `\t`, `\n`, `\r` and `\0`, so every record is exactly one line (load-data-bulk.ts relies on
 * that to split a statement's bytes back into records). Without ENCLOSED BY, the word NULL is text.
 * Pure: the same rows give the same bytes.
 */

const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const BYTE_ESCAPES = new Map<number, number>([
  [0x5c, 0x5c], // backslash
  [0x09, 0x74], // tab → t
  [0x0a, 0x6e], // newline → n
  [0x0d, 0x72], // carriage return → r
  [0x00, 0x30], // NUL → 0
]);

/** A value the encoder cannot write; `row` is its 0-based index in the rows given to encode. */
export class LoadDataEncodeError extends Error {
  constructor(
    message: string,
    readonly row: number,
  ) {
    super(message);
  }
}

export function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : text;
}

export function escapeBytes(bytes: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < bytes.length; i++) if (BYTE_ESCAPES.has(bytes[i]!)) extra++;
  if (extra === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + extra);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const escaped = BYTE_ESCAPES.get(b);
    if (escaped === undefined) out[o++] = b;
    else {
      out[o++] = 0x5c;
      out[o++] = escaped;
    }
  }
  return out;
}

/**
 * Encodes rows of strings and nulls (CSV/TSV fields) or JS values (objects, see mysql-values.ts).
 * Text is built as one string and converted once; a byte value cuts it into separate buffers.
 */
export function encodeLoadDataRows(rows: readonly (readonly unknown[])[]): Buffer {
  const parts: Buffer[] = [];
  let text = '';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let c = 0; c < row.length; c++) {
      if (c > 0) text += '\t';
      const value = row[c];
      if (typeof value === 'string') {
        text += escapeText(value);
        continue;
      }
      if (value === null || value === undefined) {
        text += '\\N';
        continue;
      }
      const converted = toMysqlValue(value);
      if (typeof converted === 'string') text += escapeText(converted);
      else if (converted === null) text += '\\N';
      else if (converted instanceof UnstorableValue)
        throw new LoadDataEncodeError(`field ${c + 1}: ${converted.reason}`, r);
      else {
        parts.push(utf8(text, rows, r), escapeBytes(converted));
        text = '';
      }
    }
    text += '\n';
  }
  parts.push(utf8(text, rows, rows.length - 1));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Strings from CSV/TSV arrive well formed (the decoder refuses bad UTF-8); strings from JS may hold
 * lone surrogates, which Buffer.from would silently turn into U+FFFD. Checked once per buffer.
 */
function utf8(text: string, rows: readonly (readonly unknown[])[], lastRow: number): Buffer {
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    for (let r = 0; r <= lastRow; r++) {
      const c = rows[r]!.findIndex(
        (v) => typeof v === 'string' && !(v as unknown as { isWellFormed(): boolean }).isWellFormed(),
      );
      if (c !== -1)
        throw new LoadDataEncodeError(
          `field ${c + 1}: the text holds a lone UTF-16 surrogate, which has no UTF-8 form`,
          r,
        );
    }
  }
  return Buffer.from(text, 'utf8');
}
