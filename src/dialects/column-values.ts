import { excerpt } from '../errors.js';
import { JsonNumber, bigintNeedsExact } from '../util/json-number.js';
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
 * is; a JsonNumber is by construction a number no double holds; a bigint past 2^53 may be one.
 */
export function floatColumnConverter(type: string): (value: unknown) => unknown {
  return (value) => {
    if (value instanceof JsonNumber) return roundedAway(value.literal, type);
    if (typeof value === 'bigint' && bigintNeedsExact(value)) return roundedAway(value.toString(), type);
    return value;
  };
}

export function roundedAway(literal: string, type: string): UnstorableValue {
  return new UnstorableValue(
    `the number ${excerpt(literal)} has no exact binary floating-point form: a ${type} column would change it (use numeric/decimal or text)`,
  );
}
