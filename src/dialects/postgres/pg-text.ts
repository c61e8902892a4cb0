/**
 * A JS value in PostgreSQL's text input form. Every method goes through here (bind parameters,
 * the pipeline's Bind messages, the COPY encoder), so a value lands the same way whichever rung
 * carried it.
 *
 * - Date: ISO-8601 in UTC. A timestamptz stores the instant; a timestamp (without time zone)
 *   ignores the trailing `Z` and stores the UTC wall-clock time, whatever the server's or this
 *   machine's TimeZone is; a date stores the UTC date. Years outside 1..9999 are spelled the way
 *   the server reads them (`10000-…`, `0001-… BC`), which toISOString's `+010000` is not.
 * - number: String(n), which round-trips every double; -0 keeps its sign.
 * - bigint: decimal digits. boolean: true / false.
 * - Buffer and other Uint8Arrays: bytea hex (`\x0a0b`).
 * - JsonNumber (a JSON number no double holds): its literal, which numeric, bigint and text
 *   columns store exactly (or refuse); float columns never see one (column-values.ts).
 * - Other objects and arrays: JSON text, numbers exact (json-text.ts). JSON and array columns get
 *   their own text before this (postgres-values.ts), strings included.
 * - null and undefined: NULL. An UnstorableValue: a TypeError with its reason.
 * - A string with a lone UTF-16 surrogate is refused: it has no UTF-8 form, and encoding it would
 *   silently turn it into U+FFFD.
 */
import { FIRST_4_DIGIT_YEAR, FIRST_5_DIGIT_YEAR, isoUtc } from '../../util/iso-time.js';
import { JsonNumber } from '../../util/json-number.js';
import { jsonText } from '../../util/json-text.js';
import { LONE_SURROGATE, UnstorableValue, isWellFormed } from '../unstorable.js';

export { LONE_SURROGATE, isWellFormed };

export function pgText(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw new TypeError(LONE_SURROGATE);
      return value;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return null;
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return dateText(value);
      if (value instanceof Uint8Array) return '\\x' + hex(value);
      if (value instanceof JsonNumber) return value.literal;
      if (value instanceof UnstorableValue) throw new TypeError(value.reason);
      // Well formed by construction: JSON text escapes a lone surrogate as \udXXX.
      return jsonText(value) ?? null;
    default:
      throw new TypeError(`a ${typeof value} cannot be stored in a column`);
  }
}

export function dateText(date: Date): string {
  const time = date.getTime();
  if (time >= FIRST_4_DIGIT_YEAR && time < FIRST_5_DIGIT_YEAR) return isoUtc(time);
  if (Number.isNaN(time)) throw new RangeError('invalid Date (its time is NaN)');
  const year = date.getUTCFullYear();
  // toISOString writes +010000 or -000001 here, which PostgreSQL refuses; year 0 is 1 BC.
  const iso = date.toISOString();
  const rest = iso.slice(iso.indexOf('-', 1));
  const shown = year >= 1 ? year : 1 - year;
  return `${String(shown).padStart(4, '0')}${rest}${year >= 1 ? '' : ' BC'}`;
}

function hex(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString('hex');
}
