import { toIsoString } from '../../util/iso-time.js';
import { JsonNumber, int64Of, isInt64 } from '../../util/json-number.js';
import { floatColumnConverter, inexactNumber, toJsonColumn } from '../column-values.js';
import type { ColumnInfo, FieldCheck } from '../dialect.js';
import { DECIMAL_LITERAL, floatStoredOtherwise, notExactlyFloat } from '../binary-float.js';
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
 * - TEXT and BLOB affinity: nothing (a JsonNumber is stored as its literal text);
 * - a string into a numeric affinity: sqliteTextCheck, as for a CSV field.
 */
export function sqliteValueConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined {
  const affinity = affinityOf(column.type);
  const numeric = affinity === 'integer' || affinity === 'numeric' || affinity === 'real';
  if (/json/i.test(column.type)) return numeric ? jsonIntoNumericAffinity(affinity) : toJsonColumn;
  const byType =
    affinity === 'real'
      ? floatColumnConverter(column.type.toUpperCase())
      : affinity === 'integer' || affinity === 'numeric'
        ? exactNumber(column.type.toUpperCase())
        : undefined;
  // A string is text to SQLite as a CSV field is: the same check (sqliteTextCheck).
  const text = sqliteTextCheck(column)?.check;
  if (byType === undefined || text === undefined) return byType;
  return (value) => (typeof value === 'string' ? text(value) : byType(value));
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

/**
 * SQLite turns text that reads as a number into one in a column of INTEGER, NUMERIC or REAL
 * affinity, blanks around it or not, and the number may not be the text's value: '0.1000000000000000000001'
 * is stored as the REAL 0.1, '12345678901234567890' in a NUMERIC column as 1.23456789012346e+19,
 * '1e400' as Inf, and any integer in a REAL column as a double. The check for such a column's text
 * fields (Session.textFieldCheck): a number SQLite would store otherwise is refused naming its line;
 * integers within 64 bits (INTEGER and NUMERIC affinity) and numbers a double holds exactly pass,
 * and so does text that is no number (SQLite keeps it as text). SQLite has no raw path: no screen.
 */
export function sqliteTextCheck(column: ColumnInfo): FieldCheck | undefined {
  const affinity = affinityOf(column.type);
  if (affinity !== 'integer' && affinity !== 'numeric' && affinity !== 'real') return undefined;
  const type = column.type.toUpperCase();
  const real = affinity === 'real';
  return {
    check: (field) => {
      const stored = sqliteStoresOtherwise(field, real);
      return stored === undefined ? field : notExactlyFloat(field, 64, type, stored, field);
    },
    why: 'each field is checked for numbers SQLite would store as a different double',
  };
}

function sqliteStoresOtherwise(field: string, real: boolean): string | undefined {
  // One pass over the field first, for the usual ones: text with a character no number has
  // (a date, a name) stays text, and a number of up to 15 digits without an exponent is stored
  // exactly in any numeric affinity (a double keeps 15 significant digits: DBL_DIG).
  let digits = 0;
  let exponent = false;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 101 || c === 69) exponent = true;
    else if (c === 45 || c === 43) {
      // A sign only leads the number or its exponent: '2021-03-04' is no number from its '-' on.
      const before = i === 0 ? 32 : field.charCodeAt(i - 1);
      if (before !== 101 && before !== 69 && !BLANK[before]) return undefined;
    } else if (!NUMBER_CHAR[c]) return undefined;
  }
  if (digits <= 15 && !exponent) return undefined;
  if (!DECIMAL_LITERAL.test(field)) return undefined;
  const text = field.trim();
  if (!real && /^[+-]?\d+$/.test(text) && isInt64(BigInt(text))) return undefined;
  const double = Number(text);
  if (!Number.isFinite(double)) return double > 0 ? 'Inf' : '-Inf';
  return floatStoredOtherwise(text, 64);
}

/** The blanks SQLite skips around a number. */
const BLANK: readonly boolean[] = charTable(' \t\n\v\f\r');
/** Characters of a number besides digits, e and signs: the point and the blanks. */
const NUMBER_CHAR: readonly boolean[] = charTable('. \t\n\v\f\r');

function charTable(chars: string): boolean[] {
  const table: boolean[] = [];
  for (const c of chars) table[c.charCodeAt(0)] = true;
  return table;
}
