import type { LogicalType } from '../dialects/dialect.js';
import { isExactDouble, typeOfText } from './text-types.js';

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
  return seen ?? 'text';
}

export { typeOfText };

function typeOfValue(value: unknown): LogicalType {
  switch (typeof value) {
    case 'string':
      return typeOfText(value);
    case 'number':
      return Number.isInteger(value) && Number.isSafeInteger(value) ? 'integer' : 'real';
    case 'bigint':
      return 'integer';
    case 'boolean':
      return 'boolean';
    default:
      if (value instanceof Date) return 'timestamptz';
      if (Buffer.isBuffer(value) || value instanceof Uint8Array) return 'bytes';
      return 'json';
  }
}

function widen(a: LogicalType, b: LogicalType): LogicalType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('integer') && pair.has('real')) return 'real';
  // timestamp + timestamptz is text: a zoneless time in a zoned column would be read in whatever
  // zone the database session has, so the same file would load differently on each server.
  if (pair.has('date') && pair.has('timestamp')) return 'timestamp';
  if (pair.has('json')) return 'json';
  return 'text';
}
