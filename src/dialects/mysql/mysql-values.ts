/**
 * JS values as MySQL reads them, shared by the bound parameters (row, values, pipeline) and the
 * LOAD DATA encoder so every method stores the same thing:
 *
 * - numbers as their shortest round-trip decimal text (String(n)), never as a binary DOUBLE: the
 *   server parses text exactly into BIGINT, DECIMAL and DOUBLE alike, where a DOUBLE parameter
 *   bound to a DECIMAL column is rounded through binary; NaN and Infinity become text the server
 *   refuses for numeric columns;
 * - bigint as decimal text; booleans as 1 and 0 (BOOLEAN is TINYINT(1));
 * - Date as UTC 'YYYY-MM-DD HH:MM:SS.mmm'. The session runs with time_zone '+00:00', so a DATETIME
 *   column holds the UTC wall clock and a TIMESTAMP column the same instant: the value read back
 *   with toISOString() + 'Z' is the Date that went in;
 * - Buffer and Uint8Array as bytes; other objects and arrays as JSON text.
 */

import { toIsoString } from '../../util/iso-time.js';

/** A value that cannot be sent as it is; the session turns it into an error on its row. */
export class UnstorableValue {
  constructor(readonly reason: string) {}
}

export function toMysqlValue(value: unknown): string | Buffer | null | UnstorableValue {
  switch (typeof value) {
    case 'string':
      return wellFormed(value) ? value : LONE_SURROGATE;
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? '1' : '0';
    case 'undefined':
      return null;
    case 'object':
      if (value === null) return null;
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Date) return utcDateTime(value);
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      return json(value);
    default:
      return new UnstorableValue(`a ${typeof value} cannot be stored`);
  }
}

/**
 * A lone surrogate has no UTF-8 form: Buffer.from would write U+FFFD in its place, and MariaDB
 * accepts the WTF-8 bytes into utf8mb4 columns without a warning. Either way the text would change.
 */
const LONE_SURROGATE = new UnstorableValue('the text holds a lone UTF-16 surrogate, which has no UTF-8 form');

function wellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** DATETIME text in UTC; dates outside years 0000-9999 keep their ISO form, which the server refuses. */
export function utcDateTime(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) return 'Invalid Date';
  const iso = toIsoString(date);
  if (iso.length !== 24) return iso;
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function json(value: object): string | UnstorableValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return new UnstorableValue(`the object cannot be written as JSON: ${(error as Error).message}`);
  }
  // JSON.stringify writes lone surrogates as \u escapes, so its output is always well formed.
  return text === undefined ? new UnstorableValue('the object has no JSON form') : text;
}
