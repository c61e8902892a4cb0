import { toJsonColumn } from '../column-values.js';
import { UnstorableValue } from '../unstorable.js';
import { pgText } from './pg-text.js';

/**
 * A JS array as a PostgreSQL array literal (`{"a","b,c","d\"e"}`), built as node-postgres'
 * prepareValue builds it, so that a `pg` user's arrays land the same way through sluice:
 * every element double-quoted with `\` and `"` backslash-escaped (the empty string, "NULL",
 * spaces, commas and braces all stay text), null and undefined as an unquoted NULL, a nested
 * array as a sub-array (multidimensional: the server checks that the sub-arrays match).
 *
 * Elements are written by pgText (dates in UTC ISO form, bytea as \x hex, JsonNumber literals),
 * or, for json/jsonb[] columns, as JSON text: a string element is then a JSON string, where pg
 * would send it raw. COPY escapes the literal once more, as it does any text.
 */
export function pgArrayLiteral(
  items: readonly unknown[],
  element: (value: unknown) => string | null,
): string {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    if (item === null || item === undefined) out += 'NULL';
    else if (Array.isArray(item)) out += pgArrayLiteral(item, element);
    else {
      const text = element(item);
      out += text === null ? 'NULL' : quoteElement(text);
    }
  }
  return out + '}';
}

function quoteElement(text: string): string {
  let quoted = '"';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */ || c === 34 /* " */) {
      quoted += text.slice(from, i) + '\\';
      from = i;
    }
  }
  return quoted + text.slice(from) + '"';
}

/** An element of a json or jsonb array: JSON text, whatever its JS type. */
export function jsonElement(value: unknown): string | null {
  const text = toJsonColumn(value);
  if (text instanceof UnstorableValue) throw new TypeError(text.reason);
  return text;
}

/**
 * The converter for an array column: a JS array becomes its literal; anything else (a string
 * already in array-literal form, null) goes as it is. A refused element refuses the whole value.
 */
export function arrayColumnConverter(
  element: (value: unknown) => string | null,
): (value: unknown) => unknown {
  return (value) => {
    if (!Array.isArray(value)) return value;
    try {
      return pgArrayLiteral(value, element);
    } catch (error) {
      return new UnstorableValue(`array element: ${(error as Error).message}`);
    }
  };
}

/** An element for a column of another array type: pgText, after `check` (floats). */
export function textElement(
  check: ((value: unknown) => unknown) | undefined,
): (value: unknown) => string | null {
  if (check === undefined) return pgText;
  return (value) => pgText(check(value));
}
