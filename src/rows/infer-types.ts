import type { LogicalType } from '../dialects/dialect.js';

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
  return seen ?? 'text';
}

const INTEGER = /^-?(0|[1-9]\d{0,17})$/;
const REAL = /^-?(0|[1-9]\d*)?(\.\d+)?([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

export function typeOfText(text: string): LogicalType {
  if (INTEGER.test(text)) return 'integer';
  // Only a fraction or an exponent makes a real: an integer too long for 64 bits stays text, since
  // a double would keep only its first 15-17 digits.
  if (/[.eE]/.test(text) && /\d/.test(text) && REAL.test(text) && !/^-?0\d/.test(text)) return 'real';
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
