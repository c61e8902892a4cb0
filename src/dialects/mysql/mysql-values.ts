/**
 * JS values as MySQL reads them, shared by the bound parameters (row, values, pipeline) and the
 * LOAD DATA encoder so every method stores the same thing:
 *
 * - numbers as their shortest round-trip decimal text (String(n)), never as a binary DOUBLE: the
 *   server parses text exactly into BIGINT, DECIMAL and DOUBLE alike, where a DOUBLE parameter
 *   bound to a DECIMAL column is rounded through binary; NaN, Infinity and integers past 2^53
 *   are refused before that for integer and DECIMAL columns (mysqlValueConverter);
 * - bigint as decimal text; booleans as 1 and 0 (BOOLEAN is TINYINT(1));
 * - Date as UTC 'YYYY-MM-DD HH:MM:SS.mmm'. The session runs with time_zone '+00:00', so a DATETIME
 *   column holds the UTC wall clock and a TIMESTAMP column the same instant: the value read back
 *   with toISOString() + 'Z' is the Date that went in;
 * - a JsonNumber (a JSON number no double holds) as its literal: DECIMAL and BIGINT columns parse
 *   it exactly or refuse it (out of range, or a note that digits were dropped, which sluice
 *   treats as an error), text columns keep it; DOUBLE and FLOAT columns never see one (they
 *   refuse it first, see mysqlValueConverter);
 * - Buffer and Uint8Array as bytes; other objects and arrays as JSON text, numbers exact.
 */

import { toIsoString } from '../../util/iso-time.js';
import { JsonNumber, decimalPlaces, isSameDecimal } from '../../util/json-number.js';
import { jsonText } from '../../util/json-text.js';
import { exactColumnConverter, floatColumnConverter, inexactNumber, toJsonColumn } from '../column-values.js';
import type { ColumnInfo, FieldCheck } from '../dialect.js';
import { floatCheck, floatScreen } from '../binary-float.js';
import { scaleCheck, scaleNeeded, scaleScreen } from '../decimal-scale.js';
import { cutSpacesCheck, cutSpacesScreen } from '../cut-spaces.js';
import type { CsvDialect } from '../../util/csv-dialect.js';
import { fractionCheck, fractionScreen } from '../second-fraction.js';
import { allChecks, inTurn, type ScreenedCheck } from '../field-checks.js';
import {
  SHORT_YEAR_SCREEN,
  TWO_DIGIT_YEAR_SCREEN,
  shortYearCheck,
  twoDigitYearCheck,
} from '../two-digit-year.js';
import { LONE_SURROGATE as LONE_SURROGATE_TEXT, UnstorableValue, isWellFormed } from '../unstorable.js';

export { UnstorableValue };

export function toMysqlValue(value: unknown): string | Buffer | null | UnstorableValue {
  switch (typeof value) {
    case 'string':
      return isWellFormed(value) ? value : LONE_SURROGATE;
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
      if (value instanceof JsonNumber) return value.literal;
      if (value instanceof UnstorableValue) return value;
      return json(value);
    default:
      return new UnstorableValue(`a ${typeof value} cannot be stored`);
  }
}

/**
 * A lone surrogate has no UTF-8 form: Buffer.from would write U+FFFD in its place, and MariaDB
 * accepts the WTF-8 bytes into utf8mb4 columns without a warning. Either way the text would change.
 */
const LONE_SURROGATE = new UnstorableValue(LONE_SURROGATE_TEXT);

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
    text = jsonText(value);
  } catch (error) {
    return new UnstorableValue(`the object cannot be written as JSON: ${(error as Error).message}`);
  }
  // JSON text has lone surrogates as \u escapes, so it is always well formed.
  return text === undefined ? new UnstorableValue('the object has no JSON form') : text;
}

/** DOUBLE, FLOAT, REAL and DOUBLE PRECISION, with their (M,D) and UNSIGNED forms. */
const FLOAT_TYPE = /^(double|float|real)\b/;
/** The integer types, with their display widths, UNSIGNED and ZEROFILL (BOOLEAN is tinyint(1)). */
const INTEGER_TYPE = /^(tinyint|smallint|mediumint|int|integer|bigint)\b/;
/** DECIMAL as information_schema spells it (NUMERIC, DEC and FIXED are shown as decimal). */
const DECIMAL_TYPE = /^(decimal|numeric)\b/;

/**
 * The conversion a MySQL column's type needs for JS values (see Session.valueConverter): JSON
 * columns get every value as JSON text; binary floating-point columns refuse numbers a double
 * would change; integer and DECIMAL columns refuse JS numbers that are not the value meant
 * (column-values.ts, inexactNumber), integer columns fractions too. `jsonKeepsNumbers`: the server stores JSON as text (MariaDB, where JSON is
 * LONGTEXT with a json_valid check), so every literal survives; MySQL's binary JSON keeps only
 * 64-bit integers and doubles, so another JsonNumber is refused there.
 */
export function mysqlValueConverter(
  column: ColumnInfo,
  jsonKeepsNumbers: boolean,
): ((value: unknown) => unknown) | undefined {
  if (column.type === 'json') return jsonKeepsNumbers ? toJsonColumn : toBinaryJsonColumn;
  const type = column.type.toUpperCase();
  const stored = mysqlStoredAsWritten(column.type)?.check;
  const first = FLOAT_TYPE.test(column.type)
    ? floatColumnConverter(type)
    : INTEGER_TYPE.test(column.type)
      ? integerColumnConverter(type)
      : DECIMAL_TYPE.test(column.type)
        ? exactColumnConverter(type)
        : undefined;
  return first === undefined || stored === undefined ? (first ?? stored) : inTurn(first, stored);
}

/** DATETIME, TIMESTAMP and TIME, with their precision (none: 0). */
const TIME_TYPE = /^(?:datetime|timestamp|time)(?:\((\d+)\))?$/;
/** FLOAT(M,D) and DOUBLE(M,D): rounded to D digits after the point, then to the float. */
const FLOAT_SCALE = /^(?:double|float|real)\(\d+,(\d+)\)/;

/**
 * The check for a column type whose values MySQL and MariaDB change without a warning, strict
 * mode or not (see Session.textFieldCheck), or undefined: an integer column rounds a number with
 * a fraction ('1.5' is stored as 2), FLOAT and DOUBLE round to the nearest float
 * (binary-float.ts: FLOAT is 32 bits) and (M,D) forms to D places first, and DATETIME, TIMESTAMP
 * and TIME drop the digits after the second past their precision (0 unless declared).
 */
export function mysqlStoredAsWritten(
  columnType: string,
  csv?: CsvDialect,
): (FieldCheck & { readonly check: (value: unknown) => unknown }) | undefined {
  const type = columnType.toLowerCase();
  const label = type.toUpperCase();
  if (INTEGER_TYPE.test(type))
    return {
      check: (value) =>
        typeof value === 'string' && (scaleNeeded(value) ?? 0) > 0 ? fractionLost(value, label) : value,
      why: 'each field is checked for a fraction the column would round',
      screen: /\.\d*[1-9]|\d[eE]/,
    };
  if (FLOAT_TYPE.test(type)) {
    const bits = type.startsWith('float') ? 32 : 64;
    const checks: ScreenedCheck[] = [];
    // (M,D): rounded to D places first, then to the float. D is never negative: it has a screen.
    const scale = FLOAT_SCALE.exec(type);
    if (scale !== null) {
      const places = Number(scale[1]);
      checks.push({ check: scaleCheck(label, places), screen: scaleScreen(places)! });
    }
    checks.push({ check: floatCheck(label, bits), screen: floatScreen(bits) });
    return { ...allChecks(checks), why: 'each field is checked for digits the float would round' };
  }
  const time = TIME_TYPE.exec(type);
  if (time !== null || type === 'date') {
    const checks: ScreenedCheck[] = [];
    if (time !== null) {
      const precision = time[1] === undefined ? 0 : Number(time[1]);
      checks.push({ check: fractionCheck(label, precision), screen: fractionScreen(precision) });
    }
    if (!type.startsWith('time') || type.startsWith('timestamp'))
      checks.push({ check: twoDigitYearCheck(label), screen: TWO_DIGIT_YEAR_SCREEN });
    return {
      ...allChecks(checks),
      why: 'each field is checked for a part of the date or time the column would drop or guess',
    };
  }
  if (/^year\b/.test(type))
    return {
      check: shortYearCheck(label),
      why: 'each field is checked for a year of one or two digits the column would guess the century of',
      screen: SHORT_YEAR_SCREEN,
    };
  // CHAR only: past VARCHAR's length, the server's "data truncated" note is an error already.
  const char = /^char\((\d+)\)$/.exec(type);
  if (char !== null)
    return {
      check: cutSpacesCheck(label, Number(char[1])),
      why: 'each field is checked for spaces past the length the column would cut',
      screen: cutSpacesScreen(csv),
    };
  return undefined;
}

/**
 * MariaDB rounds a number with a fraction into an integer column without a warning ('1.5' is
 * stored as 2, '0.1000000000000000000001' as 0), in strict mode too: such a number is refused
 * here instead. Out-of-range integers the server refuses itself.
 */
function integerColumnConverter(type: string): (value: unknown) => unknown {
  return (value) => {
    if (typeof value === 'number') {
      const inexact = inexactNumber(value, type);
      if (inexact !== undefined) return inexact;
      return Number.isInteger(value) ? value : fractionLost(String(value), type);
    }
    if (value instanceof JsonNumber && decimalPlaces(value.literal).fraction > 0)
      return fractionLost(value.literal, type);
    return value;
  };
}

function fractionLost(literal: string, type: string): UnstorableValue {
  return new UnstorableValue(
    `the number ${JSON.stringify(literal)} has a fraction: a ${type} column would round it`,
  );
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** MySQL's JSON type: a number that is not a 64-bit (signed or unsigned) integer becomes a double. */
export function toBinaryJsonColumn(value: unknown): string | null | UnstorableValue {
  const text = toJsonColumn(value);
  if (typeof text !== 'string') return text;
  try {
    JSON.stringify(value);
    return text; // no JsonNumber and no bigint inside: every number is a double already
  } catch {
    const rounded = numberMysqlRounds(value, new Set());
    if (rounded === undefined) return text;
    return new UnstorableValue(
      `the number ${JSON.stringify(rounded)} would be stored as a double by MySQL's JSON type (use a DECIMAL or text column for it)`,
    );
  }
}

/** The first number inside `value` that MySQL's JSON parser would read as a double and change. */
function numberMysqlRounds(value: unknown, seen: Set<object>): string | undefined {
  if (value instanceof JsonNumber || typeof value === 'bigint') {
    const literal = value.toString();
    if (isMysqlJsonInteger(literal)) return undefined;
    // 1E22: the double MySQL makes of it reads back as the same number (its shortest digits: a
    // literal of every digit of a double, 2^63 say, would read back otherwise).
    return value instanceof JsonNumber && isSameDecimal(literal, Number(literal)) ? undefined : literal;
  }
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    const found = numberMysqlRounds(item, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Written as an integer (no point, no exponent: those parse as doubles) within INT64..UINT64. */
function isMysqlJsonInteger(literal: string): boolean {
  if (!/^-?\d+$/.test(literal) || literal.length > 21) return false;
  const value = BigInt(literal);
  return value >= INT64_MIN && value <= UINT64_MAX;
}
