import type { LogicalType } from '../dialects/dialect.js';

/**
 * The type a CSV/TSV field's text proves, for CREATE TABLE. A type is claimed only when every
 * database sluice creates tables on stores the value it reads from this text exactly, so that the
 * value read back is the value written: no rounding, no truncation, no shift, no lost sign. Any
 * doubt gives text, which every database keeps byte for byte.
 */
export function typeOfText(text: string): LogicalType {
  if (INTEGER.test(text)) return fitsInt64(text) && text !== '-0' ? 'integer' : 'text';
  // Only a fraction or an exponent makes a real: an integer too long for 64 bits stays text.
  if (/[.eE]/.test(text) && REAL.test(text) && /\d/.test(text) && !/^-?0\d/.test(text)) {
    return isExactDouble(text) ? 'real' : 'text';
  }
  const date = DATE.exec(text);
  if (date) return validDate(date[1]!, date[2]!, date[3]!) ? 'date' : 'text';
  return timestampType(text);
}

const INTEGER = /^-?(0|[1-9]\d{0,18})$/;
const REAL = /^-?(0|[1-9]\d*)?(\.\d+)?([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function fitsInt64(text: string): boolean {
  if (text.length < 19) return true;
  const value = BigInt(text);
  return value >= INT64_MIN && value <= INT64_MAX;
}

/**
 * True when the text is a decimal number a double holds without rounding it: the double nearest to
 * it prints back (shortest round-trip form, as PostgreSQL, MySQL and JS print doubles) as the same
 * number. `0.1`, `2.5e-3` and `1e21` are; `0.1000000000000000055` (more digits than a double
 * keeps), `1e400` (infinite) and `1e-400` (zero) are not. Negative zero is not either: SQLite and
 * MariaDB store `-0.0` as `0`.
 */
export function isExactDouble(text: string): boolean {
  const value = Number(text);
  if (!Number.isFinite(value) || Object.is(value, -0)) return false;
  return decimalKey(text) === decimalKey(String(value));
}

/** A decimal literal's value as "sign digits exponent", the digits without leading or trailing zeros. */
function decimalKey(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return `?${text}`;
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  let digits = whole + fraction;
  let exponent = Number(match[4] ?? '0') - fraction.length;
  const leading = /^0*/.exec(digits)![0].length;
  digits = digits.slice(leading);
  if (digits === '') return '0';
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return `${match[1] === '-' ? '-' : ''}${digits}e${exponent}`;
}

/** Microseconds: the finest fraction PostgreSQL's and MySQL's timestamps keep; more digits are rounded. */
const MAX_FRACTION_DIGITS = 6;
/** The widest real UTC offsets (+14:00 Kiribati, -12:00); PostgreSQL refuses past 15:59. */
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * timestamp (no zone), timestamptz (Z or an offset), or text for anything a timestamp column would
 * change: seconds 60 and beyond (PostgreSQL rolls `07:08:60` over to `07:09:00`), more than six
 * fractional digits (rounded to microseconds), offsets no zone has, and instants outside years
 * 0001-9999 in UTC (MySQL's DATETIME holds no other; the zone is normalised to UTC there).
 */
function timestampType(text: string): LogicalType {
  const ts = TIMESTAMP.exec(text);
  if (ts === null) return 'text';
  const [, y, mo, d, h, mi, s, fraction, z, sign, oh, om] = ts;
  if (!validDate(y!, mo!, d!) || Number(h) > 23 || Number(mi) > 59) return 'text';
  if (s !== undefined && Number(s) > 59) return 'text';
  if (fraction !== undefined && fraction.length > MAX_FRACTION_DIGITS) return 'text';
  if (z === undefined && sign === undefined) return 'timestamp';
  if (z !== undefined) return 'timestamptz';
  const minutes = Number(om ?? '0');
  const offset = Number(oh) * 60 + minutes;
  if (minutes > 59 || offset > MAX_OFFSET_MINUTES) return 'text';
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  const local = new Date(0);
  local.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  local.setUTCHours(Number(h), Number(mi), Number(s ?? '0'));
  const instant = local.getTime() - (sign === '-' ? -offset : offset) * 60_000;
  return instant >= FIRST_INSTANT && instant < AFTER_LAST_INSTANT ? 'timestamptz' : 'text';
}

/** 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z. */
const FIRST_INSTANT = -62135596800000;
const AFTER_LAST_INSTANT = 253402300800000;

/** A calendar date in years 0001-9999 (year 0 does not exist in PostgreSQL). */
export function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
