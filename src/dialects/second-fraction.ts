import { excerpt } from '../errors.js';
import { UnstorableValue } from './unstorable.js';

/**
 * A time column keeps a declared number of digits after the second (PostgreSQL: 6 unless
 * `timestamp(p)` says fewer; MariaDB: 0 unless `DATETIME(p)` says more) and drops the rest without
 * a word: PostgreSQL rounds `10:00:00.1234567` to `.123457` and `.6` into timestamp(0) to the next
 * second, MariaDB cuts `10:00:00.6` to `10:00:00`. sluice refuses a time whose fraction has a
 * digit other than 0 past the column's precision instead.
 */

/**
 * The fraction of a second in a time or timestamp text: after `HH:MM:SS` or `MM:SS`, or after
 * six digits (ISO 8601's basic `hhmmss`, MariaDB's `YYYYMMDDhhmmss`).
 */
const FRACTION = /(?:\d:\d{1,2}|\d{6})\.(\d+)/;

/** The digits after the second in `text` past `precision` that are not 0, as a count; 0 if none. */
export function secondDigitsLost(text: string, precision: number): number {
  const match = FRACTION.exec(text);
  if (match === null) return 0;
  const fraction = match[1]!;
  return /[1-9]/.test(fraction.slice(precision)) ? fraction.replace(/0+$/, '').length : 0;
}

/**
 * A check for values going into a time column of `type` that keeps `precision` digits after the
 * second: text with more is refused (an UnstorableValue), and so is a Date whose milliseconds the
 * column would drop; anything else passes as it is.
 */
export function fractionCheck(type: string, precision: number): (value: unknown) => unknown {
  return (value) => {
    if (value instanceof Date) {
      const ms = value.getTime();
      if (!Number.isFinite(ms) || precision >= 3) return value;
      const kept = 10 ** (3 - precision);
      if (((ms % kept) + kept) % kept === 0) return value;
      return lost(value.toISOString(), 3, type, precision, value);
    }
    if (typeof value !== 'string') return value;
    const digits = secondDigitsLost(value, precision);
    return digits === 0 ? value : lost(value, digits, type, precision, value);
  };
}

function lost(
  text: string,
  digits: number,
  type: string,
  precision: number,
  value: unknown,
): UnstorableValue {
  const keeps = precision === 0 ? 'keeps none' : `keeps ${precision}`;
  return new UnstorableValue(
    `the time ${excerpt(text)} has ${digits} digit${digits === 1 ? '' : 's'} after the second: a ${type} column ${keeps}, it would not store the time as written`,
    value,
  );
}

/** Text that every time fractionCheck refuses holds: a fraction with a digit other than 0 past `precision`. */
export function fractionScreen(precision: number): RegExp {
  return new RegExp(`(?:\\d:\\d{1,2}|\\d{6})\\.\\d{${precision}}\\d*[1-9]`);
}
