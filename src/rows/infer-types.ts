import type { LogicalType } from '../dialects/dialect.js';
import { JsonNumber, decimalPlaces, int64Of, isInt64, isSameDecimal } from '../util/json-number.js';

/**
 * Column types from a sample of the first rows. Only what the sample proves is claimed: a column
 * is an integer only if every non-empty sampled value is one (and "007" is not: the zero would be
 * lost), a date only if every value is a valid calendar date, and so on; anything else is text.
 * A later row that does not fit is not converted here: the database stores or refuses it.
 */
export function inferType(values: readonly unknown[]): LogicalType {
  let seen: LogicalType | undefined;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const type = typeOfValue(value);
    seen = seen === undefined ? type : widen(seen, type);
    if (seen === 'text') return 'text';
  }
  if (seen === 'decimal') return fitsDecimal(values) ? 'decimal' : 'text';
  return seen ?? 'text';
}

/**
 * 'decimal' promises every dialect's exact type: PostgreSQL's numeric holds far more, MySQL's
 * widest DECIMAL(65,30) holds 35 digits before the point and 30 after. A sampled number beyond
 * that makes the column text, which keeps every literal as written.
 */
const DECIMAL_INTEGER_DIGITS = 35;
const DECIMAL_FRACTION_DIGITS = 30;

function fitsDecimal(values: readonly unknown[]): boolean {
  for (const value of values) {
    let literal: string;
    if (value instanceof JsonNumber) literal = value.literal;
    else if (typeof value === 'number' || typeof value === 'bigint') literal = String(value);
    else if (typeof value === 'string' && typeOfText(value) !== 'text') literal = value;
    else continue;
    const places = decimalPlaces(literal);
    if (places.integer > DECIMAL_INTEGER_DIGITS || places.fraction > DECIMAL_FRACTION_DIGITS) return false;
  }
  return true;
}

const INTEGER = /^-?(0|[1-9]\d{0,17})$/;
const REAL = /^-?(0|[1-9]\d*)?(\.\d+)?([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

export function typeOfText(text: string): LogicalType {
  if (INTEGER.test(text)) return 'integer';
  // Only a fraction or an exponent makes a real: an integer too long for 64 bits stays text, since
  // a double would keep only its first 15-17 digits. A real a double would change (more digits
  // than it keeps, beyond its range) is a decimal: the column must hold it exactly.
  if (/[.eE]/.test(text) && /\d/.test(text) && REAL.test(text) && !/^-?0\d/.test(text)) {
    return isSameDecimal(text, Number(text)) ? 'real' : 'decimal';
  }
  const date = DATE.exec(text);
  if (date) return validDate(date[1]!, date[2]!, date[3]!) ? 'date' : 'text';
  const ts = TIMESTAMP.exec(text);
  if (ts && validDate(ts[1]!, ts[2]!, ts[3]!) && Number(ts[4]) < 24 && Number(ts[5]) < 60) {
    return ts[8] === undefined ? 'timestamp' : 'timestamptz';
  }
  return 'text';
}

function typeOfValue(value: unknown): LogicalType {
  switch (typeof value) {
    case 'string':
      return typeOfText(value);
    case 'number':
      return Number.isInteger(value) && Number.isSafeInteger(value) ? 'integer' : 'real';
    case 'bigint':
      return isInt64(value) ? 'integer' : 'decimal';
    case 'boolean':
      return 'boolean';
    default:
      if (value instanceof Date) return 'timestamptz';
      // A JSON number no double holds: a 64-bit integer fits bigint, anything else needs decimal.
      if (value instanceof JsonNumber) return int64Of(value.literal) === undefined ? 'decimal' : 'integer';
      if (Buffer.isBuffer(value) || value instanceof Uint8Array) return 'bytes';
      return 'json';
  }
}

function widen(a: LogicalType, b: LogicalType): LogicalType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('integer') && pair.has('real')) return 'real';
  if (pair.has('decimal') && (pair.has('integer') || pair.has('real'))) return 'decimal';
  if (pair.has('timestamp') && pair.has('timestamptz')) return 'timestamptz';
  if (pair.has('date') && pair.has('timestamp')) return 'timestamp';
  if (pair.has('json')) return 'json';
  return 'text';
}

function validDate(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const last = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return day <= last;
}
