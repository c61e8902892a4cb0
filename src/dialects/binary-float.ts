import { excerpt } from '../errors.js';
import { decimalOf, exactDecimalOf, numberLiteralOf, sameDecimal } from '../util/json-number.js';
import { UnstorableValue } from './unstorable.js';

/**
 * A binary floating-point column keeps the nearest float to the number it is given and says
 * nothing: '16777217' into a PostgreSQL real or a MariaDB FLOAT is stored as 16777216, and
 * '0.1000000000000000000001' into a double as 0.1. A number is stored as written when the float's
 * shortest round-trip form (the form both servers print) or its exact value is the same decimal
 * value; sluice refuses any other instead of letting the column round it. `0.1` passes (the
 * float's shortest form is 0.1), so do `1.50` (the value 1.5) and `9223372036854775808` (2^63).
 */

export type FloatBits = 32 | 64;

/** A decimal literal as the servers' float input reads one: sign, digits, point, exponent, blanks. */
export const DECIMAL_LITERAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The shortest decimal text that reads back as the float32 `f` (what PostgreSQL prints for a real). */
export function shortestFloat32(f: number): string {
  for (let precision = 1; precision < 9; precision++) {
    const text = f.toPrecision(precision);
    if (Math.fround(Number(text)) === f) return text;
  }
  return f.toPrecision(9);
}

/**
 * What a `bits`-bit float column stores for `literal`, as its shortest text, when that is not the
 * value the literal writes; undefined when the literal reads back as written, or is no decimal
 * literal (NaN, Infinity, garbage) or is out of the float's range: the database judges those.
 */
export function floatStoredOtherwise(literal: string, bits: FloatBits): string | undefined {
  if (!DECIMAL_LITERAL.test(literal)) return undefined;
  const text = literal.trim();
  const double = Number(text);
  const float = bits === 32 ? Math.fround(double) : double;
  if (!Number.isFinite(float)) return undefined;
  const stored = bits === 32 ? shortestFloat32(float) : String(float);
  const written = decimalOf(text);
  // Read back as written (0.1: the float's shortest digits), or the float's own value, digit for
  // digit (9223372036854775808 is 2^63, though printed as 9.223372036854776e18).
  return sameDecimal(written, decimalOf(stored)) || sameDecimal(written, exactDecimalOf(float))
    ? undefined
    : stored;
}

/**
 * A check for values going into a `bits`-bit float column of `type`: text, JsonNumbers and (into
 * a 32-bit column) JS numbers the float would change become an UnstorableValue; anything else
 * passes as it is. (A JS number into a 64-bit column is that double already.)
 */
export function floatCheck(type: string, bits: FloatBits): (value: unknown) => unknown {
  return (value) => {
    const literal = numberLiteralOf(value, bits === 32);
    if (literal === undefined) return value;
    const stored = floatStoredOtherwise(literal, bits);
    return stored === undefined ? value : notExactlyFloat(literal, bits, type, stored, value);
  };
}

/** The refusal of a number a float column would store as `stored`. */
export function notExactlyFloat(
  literal: string,
  bits: FloatBits,
  type: string,
  stored: string,
  value: unknown,
): UnstorableValue {
  return new UnstorableValue(
    `the number ${excerpt(literal)} is not exactly a ${bits}-bit binary float: a ${type} column would store ${stored} (use numeric/decimal or text)`,
    value,
  );
}

/**
 * Text that every literal floatCheck refuses holds: more significant digits than the float always
 * keeps (15 for a double, 6 for a float32: DBL_DIG and FLT_DIG), counted with a point among them,
 * or an exponent long enough to leave the normal range. A file without it can go to the database
 * as its own bytes.
 */
export function floatScreen(bits: FloatBits): RegExp {
  return bits === 64 ? /(?:\d\.?){16}|[eE][+-]?\d{3}/ : /(?:\d\.?){7}|[eE][+-]?\d{2}/;
}
