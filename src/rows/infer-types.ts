import type { LogicalType } from '../dialects/dialect.js';
import { isExactDouble, typeOfText } from './text-types.js';
import { JsonNumber, decimalPlaces, int64Of, isInt64 } from '../util/json-number.js';

/**
 * Column types from a sample of the first rows. Only what the sample proves is claimed: a column
 * is an integer only if every non-empty sampled value is one (and "007" is not: the zero would be
 * lost), a date only if every value is a valid calendar date, and so on; anything else is text.
 * A later row that does not fit is not converted here: the database stores or refuses it.
 */
export function inferType(values: readonly unknown[]): LogicalType {
  let seen: LogicalType | undefined;
  // An integer text a double cannot hold (9007199254740993): fine in bigint, not in a real column.
  let beyondDouble = false;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const type = typeOfValue(value);
    if (type === 'integer' && typeof value === 'string' && !beyondDouble)
      beyondDouble = !isExactDouble(value);
    seen = seen === undefined ? type : widen(seen, type);
    if (seen === 'text') return 'text';
  }
  if (seen === 'real' && beyondDouble) return 'text';
  if (seen === 'decimal') return fitsDecimal(values) ? 'decimal' : 'text';
  return seen ?? 'text';
}

export { typeOfText };

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
      // A JSON number kept as its literal: a 64-bit integer fits bigint, anything else (1E22
      // included, exact as a literal) needs decimal.
      if (value instanceof JsonNumber) return jsonNumberType(value.literal);
      if (Buffer.isBuffer(value) || value instanceof Uint8Array) return 'bytes';
      return 'json';
  }
}

function jsonNumberType(literal: string): LogicalType {
  return int64Of(literal) === undefined ? 'decimal' : 'integer';
}

function widen(a: LogicalType, b: LogicalType): LogicalType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('integer') && pair.has('real')) return 'real';
  // A JSON number no double holds, with integers or reals: the exact type holds them all.
  if (pair.has('decimal') && (pair.has('integer') || pair.has('real'))) return 'decimal';
  // timestamp + timestamptz is text: a zoneless time in a zoned column would be read in whatever
  // zone the database session has, so the same file would load differently on each server.
  if (pair.has('date') && pair.has('timestamp')) return 'timestamp';
  if (pair.has('json')) return 'json';
  return 'text';
}
