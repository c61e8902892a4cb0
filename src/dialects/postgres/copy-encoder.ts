import { LONE_SURROGATE, dateText, isWellFormed, pgText } from './pg-text.js';

/**
 * Rows of JS values in COPY's text format: fields separated by tabs, rows ended by newlines,
 * NULL as `\N`, and backslash, tab, newline and carriage return escaped inside values. Pure: the
 * same rows always give the same bytes, and each call returns whole rows only, so a multi-byte
 * character is never split between two CopyData messages.
 *
 * This is the hot path for objects → PostgreSQL. Text is built as one JS string per call and
 * encoded to UTF-8 once; a value with nothing to escape is appended as it is after one scan of
 * its character codes (no regular expression, no copy).
 */
export function encodeCopyText(rows: readonly (readonly unknown[])[], start = 0, end = rows.length): Buffer {
  return encodeCopyRows(rows, start, end).bytes;
}

/**
 * Encodes rows from `start` on, stopping after `end` or once the text passes `maxChars`
 * characters (a 100k-character value must not make one slice of thousands of rows enormous).
 * Returns the bytes and the index of the first row not encoded. At least one row is encoded.
 */
export function encodeCopyRows(
  rows: readonly (readonly unknown[])[],
  start: number,
  end: number,
  maxChars = Infinity,
): { bytes: Buffer; next: number } {
  let text = '';
  let r = start;
  try {
    while (r < end) {
      const row = rows[r]!;
      const width = row.length;
      for (let c = 0; c < width; c++) {
        if (c > 0) text += '\t';
        const value = row[c];
        text += typeof value === 'string' ? escapeCopyText(value) : copyField(value);
      }
      text += '\n';
      r++;
      if (text.length >= maxChars) break;
    }
  } catch (error) {
    throw new CopyEncodingError(r - start, error);
  }
  // One native pass over the whole text instead of a check per value: a lone surrogate would
  // otherwise become U+FFFD without a word.
  if (!isWellFormed(text)) {
    throw new CopyEncodingError(firstIllFormedRow(rows, start, r), new TypeError(LONE_SURROGATE));
  }
  return { bytes: Buffer.from(text, 'utf8'), next: r };
}

/** One field in COPY text form: `\N` for null and undefined, otherwise the escaped text. */
export function copyField(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return escapeCopyText(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
      return '\\N';
    case 'object':
      if (value === null) return '\\N';
      // Digits, dashes, colons and letters only: nothing to escape.
      if (value instanceof Date) return dateText(value);
  }
  // JSON and bytea hex carry backslashes of their own.
  const text = pgText(value);
  return text === null ? '\\N' : escapeCopyText(text);
}

const BACKSLASH = 92;
const TAB = 9;
const LF = 10;
const CR = 13;

/** Escapes the four characters COPY text format reads specially; returns `text` itself when none occurs. */
export function escapeCopyText(text: string): string {
  const length = text.length;
  let i = 0;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH || (code <= CR && (code === TAB || code === LF || code === CR))) break;
  }
  if (i === length) return text;
  let out = '';
  let from = 0;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    let escaped: string;
    if (code === BACKSLASH) escaped = '\\\\';
    else if (code === TAB) escaped = '\\t';
    else if (code === LF) escaped = '\\n';
    else if (code === CR) escaped = '\\r';
    else continue;
    out += text.slice(from, i) + escaped;
    from = i + 1;
  }
  return out + text.slice(from);
}

/** A value that cannot be written as COPY text, with the row it is in (0-based, within the call). */
export class CopyEncodingError extends Error {
  override readonly name = 'CopyEncodingError';
  constructor(
    readonly rowIndex: number,
    cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

function firstIllFormedRow(rows: readonly (readonly unknown[])[], start: number, end: number): number {
  for (let r = start; r < end; r++) {
    // Only strings can be at fault: JSON text escapes lone surrogates.
    for (const value of rows[r]!) if (typeof value === 'string' && !isWellFormed(value)) return r - start;
  }
  return 0;
}
