import { excerpt } from '../errors.js';
import { JsonNumber, bigintNeedsExact, doubleOf } from '../util/json-number.js';
import { jsonText } from '../util/json-text.js';
import { UnstorableValue } from './unstorable.js';

/**
 * Conversions that depend on the column a JS value goes to, shared by the dialects'
 * `valueConverter`s. They run in the row mapper for object sources only (JS values, NDJSON,
 * JSON arrays): CSV and TSV fields are text and reach the database as written.
 */

/**
 * Into a JSON column, every value is written as JSON, whatever its JS type: the string "1" is the
 * JSON string "1", not the number 1; a JsonNumber keeps its literal and a bigint its digits; null
 * stays SQL NULL. (A value parsed from JSON is serialized as JSON; only text sources pass JSON
 * text through.)
 */
export function toJsonColumn(value: unknown): string | null | UnstorableValue {
  if (value === null || value === undefined) return null;
  if (value instanceof UnstorableValue) return value;
  let text: string | undefined;
  try {
    text = jsonText(value);
  } catch (error) {
    return new UnstorableValue(`the value cannot be written as JSON: ${(error as Error).message}`);
  }
  return text === undefined ? new UnstorableValue(`a ${typeof value} has no JSON form`) : text;
}

/**
 * Into a binary floating-point column (float4, float8, DOUBLE, REAL affinity): a number the
 * double would change is refused, never rounded. A JS number is a double already and goes as it
 * is; a JsonNumber goes as its double when that double's shortest text is the literal's value
 * (`1E22`, an integer past 2^53 kept as a literal for exact columns), and is refused otherwise;
 * a bigint past 2^53 may have no double.
 */
export function floatColumnConverter(type: string): (value: unknown) => unknown {
  return (value) => {
    if (value instanceof JsonNumber) return doubleOf(value.literal) ?? roundedAway(value.literal, type);
    if (typeof value === 'bigint' && bigintNeedsExact(value)) return roundedAway(value.toString(), type);
    return value;
  };
}

/**
 * Into an exact numeric column (the integer types, numeric / DECIMAL, SQLite's INTEGER and
 * NUMERIC affinities), a JS number must be the value meant: see inexactNumber. BigInts, strings
 * and JsonNumbers carry their digits exactly and pass; the database judges them.
 */
export function exactColumnConverter(type: string): (value: unknown) => unknown {
  return (value) => (typeof value === 'number' ? (inexactNumber(value, type) ?? value) : value);
}

/**
 * Why a JS number cannot go into an exact numeric column, or undefined when it can. NaN and
 * ±Infinity are no integer or decimal value. An integer past Number.MAX_SAFE_INTEGER is refused
 * rather than written as its exact value: such a double stands for every integer that rounds to
 * it (12345678901234567891 became 12345678901234567000 in JSON.parse, holding
 * 12345678901234567168), so the digits the user had are already gone and no text sluice could
 * write would be theirs. The same rule on every database and every method (it runs in the row
 * mapper); a BigInt or a string keeps the digits.
 */
export function inexactNumber(value: number, type: string): UnstorableValue | undefined {
  if (Number.isSafeInteger(value)) return undefined;
  if (!Number.isFinite(value))
    return new UnstorableValue(`the number ${String(value)} is not a value a ${type} column can store`);
  if (!Number.isInteger(value)) return undefined;
  return new UnstorableValue(
    `the number ${String(value)} is past Number.MAX_SAFE_INTEGER: as a JS number it has lost digits (it holds ${BigInt(value).toString()}), so a ${type} column would not get the value meant; pass it as a BigInt or a string`,
  );
}

export function roundedAway(literal: string, type: string): UnstorableValue {
  return new UnstorableValue(
    `the number ${excerpt(literal)} has no exact binary floating-point form: a ${type} column would change it (use numeric/decimal or text)`,
  );
}
