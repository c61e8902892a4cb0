/**
 * A JSON number literal whose value a double does not hold: `-123123123123123123123123123123`
 * (a double keeps 17 digits), `9007199254740993` (past 2^53), `1.5e+9999` (Infinity), `1e-400`
 * (0); and every integer past 2^53 (`1152921504606847000`, `1E22`), which a double prints the
 * same but holds as another integer (1152921504606846976), and which integer and numeric columns
 * refuse as a JS number (column-values.ts). The parsers produce one only in those cases; every
 * other number stays a plain JS number, so the common path costs nothing. The literal travels
 * unchanged to the database, which stores it exactly (numeric, DECIMAL, bigint, text, json) or
 * refuses it; sluice never writes the double (a float column takes the double when its shortest
 * text is the literal's value: `doubleOf`).
 */
export class JsonNumber {
  constructor(
    /** The number exactly as the input wrote it (valid JSON number grammar). */
    readonly literal: string,
  ) {}

  toString(): string {
    return this.literal;
  }

  /**
   * JSON.stringify would write `{"literal": …}`: it throws instead, so that no code path can
   * serialize the object silently. json-text.ts writes the literal.
   */
  toJSON(): never {
    throw new ExactNumberNeeded();
  }
}

/** Thrown by JsonNumber.toJSON: the value needs json-text.ts, not JSON.stringify. */
export class ExactNumberNeeded extends Error {
  override readonly name = 'ExactNumberNeeded';
  constructor() {
    super('a JSON number that a double cannot hold must be written by jsonText(), not JSON.stringify');
  }
}

/**
 * The value of a JSON number literal: a JS number when the double is the same decimal value
 * (String(n) and the literal agree once trailing zeros and exponent spelling are normalised) and
 * not an integer past Number.MAX_SAFE_INTEGER, a JsonNumber otherwise.
 */
export function numberFromLiteral(literal: string): number | JsonNumber {
  const n = Number(literal);
  // At most 15 characters and no exponent: at most 15 significant digits within 1e-14..1e15,
  // which a double always gives back unchanged (DBL_DIG is 15).
  if (literal.length <= 15 && !hasExponent(literal)) return n;
  // The file's digits are exact; as a JS number they would be refused by an integer column.
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return new JsonNumber(literal);
  return isSameDecimal(literal, n) ? n : new JsonNumber(literal);
}

/**
 * The double whose value the literal writes (`1E22` → 1e22), or undefined when no double is
 * (`9007199254740993`, `1.5e+9999`): what a float column may take for a JsonNumber.
 */
export function doubleOf(literal: string): number | undefined {
  const n = Number(literal);
  // Or the literal is every digit of the double's value (`9223372036854775808`, 2^63, printed
  // 9223372036854776000): the column stores that very value.
  return isSameDecimal(literal, n) ||
    (Number.isFinite(n) && sameDecimal(decimalOf(literal), exactDecimalOf(n)))
    ? n
    : undefined;
}

/**
 * True when the double `n` prints as the decimal value `literal` writes (trailing zeros aside):
 * String(n) then carries the literal's value, which numberFromLiteral needs.
 */
export function isSameDecimal(literal: string, n: number): boolean {
  if (!Number.isFinite(n)) return false;
  return sameDecimal(decimalOf(literal), decimalOf(String(n)));
}

/** Two decimals of the same value. */
export function sameDecimal(a: Decimal, b: Decimal): boolean {
  return (
    a.digits === b.digits && (a.digits === '' || (a.negative === b.negative && a.exponent === b.exponent))
  );
}

/** Every digit of a finite double's value (a double is m × 2^e: a finite decimal). */
export function exactDecimalOf(double: number): Decimal {
  if (double === 0) return { negative: false, digits: '', exponent: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(double));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = (biased === 0 ? 1 : biased) - 1075;
  // m × 2^p: an integer for p >= 0, else m × 5^-p / 10^-p.
  const digits =
    power >= 0 ? (mantissa << BigInt(power)).toString() : (mantissa * 5n ** BigInt(-power)).toString();
  return decimalOf(`${double < 0 ? '-' : ''}${digits}e-${power >= 0 ? 0 : -power}`);
}

/**
 * A decimal literal as sign, significant digits (no leading or trailing zeros; '' for zero) and
 * the exponent of the point: value = 0.digits × 10^exponent. The exponent may be enormous
 * (`1e99999999999`) and is then imprecise, which only matters beyond any real column's range.
 */
export interface Decimal {
  readonly negative: boolean;
  readonly digits: string;
  readonly exponent: number;
}

export function decimalOf(literal: string): Decimal {
  let i = 0;
  const negative = literal.charCodeAt(0) === 45; /* - */
  if (negative || literal.charCodeAt(0) === 43 /* + */) i = 1;
  let digits = '';
  let point = -1;
  for (; i < literal.length; i++) {
    const c = literal.charCodeAt(i);
    if (c === 46 /* . */) point = digits.length;
    else if (c >= 48 && c <= 57) digits += literal[i];
    else break;
  }
  if (point === -1) point = digits.length;
  let exponent = i < literal.length ? Number(literal.slice(i + 1)) : 0;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === 48) end--;
  exponent += point - start;
  return { negative, digits: digits.slice(start, end), exponent: start === end ? 0 : exponent };
}

/** Digits before and after the point that the value needs (for DECIMAL(p, s) fitting). */
export function decimalPlaces(literal: string): { integer: number; fraction: number } {
  const { digits, exponent } = decimalOf(literal);
  if (digits === '') return { integer: 0, fraction: 0 };
  return { integer: Math.max(exponent, 0), fraction: Math.max(digits.length - exponent, 0) };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The literal's value as a bigint when it is an integer within 64-bit signed range. */
export function int64Of(literal: string): bigint | undefined {
  const { negative, digits, exponent } = decimalOf(literal);
  if (digits === '') return 0n;
  if (exponent < digits.length || exponent > 19) return undefined;
  const magnitude = BigInt(digits + '0'.repeat(exponent - digits.length));
  const value = negative ? -magnitude : magnitude;
  return isInt64(value) ? value : undefined;
}

export function isInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/** True when `value` (a bigint) has no exact double, so a float column would round it. */
export function bigintNeedsExact(value: bigint): boolean {
  return BigInt(Number(value)) !== value;
}

function hasExponent(literal: string): boolean {
  for (let i = 0; i < literal.length; i++) {
    const c = literal.charCodeAt(i);
    if (c === 101 || c === 69) return true;
  }
  return false;
}

/**
 * The decimal text a value writes, for the checks that judge a literal (decimal-scale.ts,
 * binary-float.ts): a string as it is, a JsonNumber's literal, and a finite JS number's shortest
 * form when `numbers` is true; undefined for anything else.
 */
export function numberLiteralOf(value: unknown, numbers: boolean): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof JsonNumber) return value.literal;
  if (numbers && typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
