import { exactColumnConverter, floatColumnConverter, toJsonColumn } from '../column-values.js';
import type { ColumnInfo } from '../dialect.js';
import { arrayColumnConverter, jsonElement, textElement } from './pg-array.js';
import { scaleCheckFor } from '../decimal-scale.js';
import { UnstorableValue } from '../unstorable.js';

const FLOATS = new Set(['real', 'double precision']);
const JSON_TYPES = new Set(['json', 'jsonb']);
/** The exact numeric types, with numeric's (p,s) as format_type writes it. */
const EXACT_NUMERIC = /^(smallint|integer|bigint|numeric)\b/;

/**
 * The conversion a PostgreSQL column's type needs for JS values (see Session.valueConverter).
 * Types are as introspection reports them (format_type, lower case: `text[]`, `numeric(10,2)[]`,
 * `timestamp with time zone[]`; a multidimensional column is shown with one `[]` too):
 *
 * - json, jsonb: every value as JSON text; arrays stay JSON arrays;
 * - any array type: a JS array as an array literal (pg-array.ts), elements by the element type;
 * - real, double precision: numbers a double would change are refused;
 * - smallint, integer, bigint, numeric: NaN, Infinity and integers past 2^53 as JS numbers are
 *   refused (column-values.ts, inexactNumber); into numeric(p,s), digits past the scale too
 *   (decimal-scale.ts: PostgreSQL would round them);
 * - everything else: undefined (pgText's text form is what the column reads).
 */
export function postgresValueConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined {
  const type = column.type;
  const brackets = type.indexOf('[]');
  if (brackets !== -1 && type.endsWith(']')) {
    const element = type.slice(0, brackets);
    if (JSON_TYPES.has(element)) return arrayColumnConverter(jsonElement);
    return arrayColumnConverter(textElement(numberCheck(element)));
  }
  if (JSON_TYPES.has(type)) return toJsonColumn;
  return numberCheck(type);
}

function numberCheck(type: string): ((value: unknown) => unknown) | undefined {
  if (FLOATS.has(type)) return floatColumnConverter(type);
  if (EXACT_NUMERIC.test(type)) {
    const exact = exactColumnConverter(type);
    const check = scaleCheckFor(type);
    if (check === undefined) return exact;
    return (value) => {
      const checked = exact(value);
      return checked instanceof UnstorableValue ? checked : check(checked);
    };
  }
  return undefined;
}
