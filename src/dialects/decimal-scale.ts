import { excerpt } from '../errors.js';
import { numberLiteralOf } from '../util/json-number.js';
import { UnstorableValue } from './unstorable.js';

/**
 * PostgreSQL rounds a value into numeric(p,s) to s digits after the point without a word: '1.005'
 * into numeric(5,2) is stored as 1.01, by COPY and INSERT alike. sluice refuses such a value
 * instead, naming its line, so what is stored is what the file said (MySQL warns and sluice
 * refuses it there already; SQLite has no declared scale).
 */

/** The declared scale of `numeric(p,s)` / `decimal(p,s)` (format_type's form), or undefined. */
export function declaredScale(type: string): number | undefined {
  const match = /^(?:numeric|decimal)\(\s*\d+\s*,\s*(-?\d+)\s*\)$/.exec(type);
  return match === null ? undefined : Number(match[1]);
}

const DECIMAL = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/**
 * The digits after the decimal point `literal` needs to be written exactly (negative when it ends
 * in zeros before the point: 1200 needs -2), or undefined when it is not a decimal literal (the
 * database judges it: NaN, Infinity, garbage).
 */
export function scaleNeeded(literal: string): number | undefined {
  const match = DECIMAL.exec(literal);
  if (match === null) return undefined;
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (whole.length + fraction.length === 0) return undefined;
  const exponent = match[3] === undefined ? 0 : Number(match[3]);
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits.length === 0) return Number.NEGATIVE_INFINITY; // zero fits every scale
  const significant = digits.replace(/0+$/, '');
  const trailingZeros = digits.length - significant.length;
  return fraction.length - trailingZeros - exponent;
}

/**
 * A check for values going into a column of declared scale `scale`: text, JsonNumbers, numbers and
 * bigints with more digits after the point than it keeps become an UnstorableValue (refused with
 * the row); anything else passes as it is.
 */
export function scaleCheck(type: string, scale: number): (value: unknown) => unknown {
  return (value) => {
    const literal = numberLiteralOf(value, true);
    if (literal === undefined) return value;
    const needed = scaleNeeded(literal);
    if (needed === undefined || needed <= scale) return value;
    const places =
      scale >= 0 ? `${scale} digit${scale === 1 ? '' : 's'} after the decimal point` : 'its scale';
    return new UnstorableValue(
      `the number ${excerpt(literal)} has more digits than a ${type} column keeps (${places}): it would be rounded`,
      value,
    );
  };
}

/**
 * Text that every literal scaleCheck(scale) refuses holds: a digit other than 0 more than `scale`
 * places after a point, or an exponent. Undefined for a negative scale (digits before the point
 * are rounded there: any number may be one).
 */
export function scaleScreen(scale: number): RegExp | undefined {
  return scale < 0 ? undefined : new RegExp(`\\.\\d{${scale}}\\d*[1-9]|\\d[eE]`);
}
