import { toIsoString } from '../../util/iso-time.js';
import { JsonNumber, int64Of, isInt64 } from '../../util/json-number.js';
import { floatColumnConverter, inexactNumber, toJsonColumn } from '../column-values.js';
import type { ColumnInfo } from '../dialect.js';
import { LONE_SURROGATE, UnstorableValue, isWellFormed } from '../unstorable.js';
import { affinityOf } from './sqlite-affinity.js';

/**
 * JS values as SQLite stores them: ISO text for dates, 0/1 for booleans, JSON text for objects
 * (numbers exact), a JsonNumber's literal and a bigint past 64 bits as text. A string with a lone UTF-16 surrogate is
 * refused as on PostgreSQL and MySQL: better-sqlite3 would write its WTF-8 bytes (ED A0 80),
 * which are not UTF-8 and which other SQLite readers cannot decode.
 */
export function toSqliteValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return isWellFormed(value) ? value : LONE_SURROGATE_VALUE;
    case 'number':
      return value;
    case 'bigint':
      // SQLite integers are 64-bit: a bigint past them is kept as its digits (TEXT and BLOB
      // columns; the numeric affinities refuse it first, see sqliteValueConverter).
      return isInt64(value) ? value : value.toString();
    case 'boolean':
      return value ? 1 : 0;
    case 'object':
      if (value === null || Buffer.isBuffer(value)) return value;
      if (value instanceof Date) return toIsoString(value);
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (value instanceof JsonNumber) return value.literal;
      if (value instanceof UnstorableValue) return value;
      return objectJson(value);
    default:
      return value === undefined ? null : String(value);
  }
}

const LONE_SURROGATE_VALUE = new UnstorableValue(LONE_SURROGATE);

function objectJson(value: object): string | UnstorableValue {
  const text = toJsonColumn(value);
  return text ?? new UnstorableValue('the object has no JSON form');
}

/**
 * The conversion a column needs beyond toSqliteValue, by its affinity (JS values only):
 *
 * - a declared type containing JSON: every value as JSON text (the string "1" as "1" in quotes);
 * - INTEGER and NUMERIC affinity: a JsonNumber that is a 64-bit integer goes as that integer
 *   (a bigint, exact); any other one would become a REAL of 15-17 digits, so it is refused; a JS
 *   number that is NaN, infinite or an integer past 2^53 is refused as on the other databases
 *   (column-values.ts, inexactNumber);
 * - REAL affinity: a JsonNumber, or a bigint a double does not hold, is refused;
 * - TEXT and BLOB affinity: nothing (a JsonNumber is stored as its literal text).
 */
export function sqliteValueConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined {
  const affinity = affinityOf(column.type);
  const numeric = affinity === 'integer' || affinity === 'numeric' || affinity === 'real';
  if (/json/i.test(column.type)) return numeric ? jsonIntoNumericAffinity(affinity) : toJsonColumn;
  if (affinity === 'real') return floatColumnConverter(column.type.toUpperCase());
  if (affinity === 'integer' || affinity === 'numeric') return exactNumber(column.type.toUpperCase());
  return undefined;
}

function exactNumber(type: string): (value: unknown) => unknown {
  return (value) => (typeof value === 'number' ? (inexactNumber(value, type) ?? value) : exactInteger(value));
}

function exactInteger(value: unknown): unknown {
  if (typeof value === 'bigint') return isInt64(value) ? value : notAnInteger(value.toString());
  if (!(value instanceof JsonNumber)) return value;
  return int64Of(value.literal) ?? notAnInteger(value.literal);
}

function notAnInteger(literal: string): UnstorableValue {
  return new UnstorableValue(
    `the number ${JSON.stringify(literal)} is not a 64-bit integer: SQLite would store it as an inexact REAL (declare the column TEXT to keep it)`,
  );
}

/**
 * A column declared JSON has NUMERIC affinity: SQLite turns JSON text that looks like a number
 * into an INTEGER or REAL, so a bare JsonNumber follows the integer rule; objects, arrays and
 * strings are text SQLite keeps as it is.
 */
function jsonIntoNumericAffinity(affinity: 'integer' | 'numeric' | 'real'): (value: unknown) => unknown {
  const exact = affinity === 'real' ? floatColumnConverter('REAL') : exactInteger;
  return (value) => {
    if (value instanceof JsonNumber || typeof value === 'bigint') {
      const checked = exact(value);
      if (checked instanceof UnstorableValue) return checked;
    }
    return toJsonColumn(value);
  };
}

/** The first UnstorableValue among bound parameters, with its 1-based position. */
export function unstorableParameter(params: readonly unknown[]): string | undefined {
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    if (value instanceof UnstorableValue) return `parameter ${i + 1}: ${value.reason}`;
  }
  return undefined;
}
