import { floatColumnConverter, toJsonColumn } from '../column-values.js';
import type { ColumnInfo } from '../dialect.js';
import { arrayColumnConverter, jsonElement, textElement } from './pg-array.js';

const FLOATS = new Set(['real', 'double precision']);
const JSON_TYPES = new Set(['json', 'jsonb']);

/**
 * The conversion a PostgreSQL column's type needs for JS values (see Session.valueConverter).
 * Types are as introspection reports them (format_type, lower case: `text[]`, `numeric(10,2)[]`,
 * `timestamp with time zone[]`; a multidimensional column is shown with one `[]` too):
 *
 * - json, jsonb: every value as JSON text; arrays stay JSON arrays;
 * - any array type: a JS array as an array literal (pg-array.ts), elements by the element type;
 * - real, double precision: numbers a double would change are refused;
 * - everything else: undefined (pgText's text form is what the column reads).
 */
export function postgresValueConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined {
  const type = column.type;
  const brackets = type.indexOf('[]');
  if (brackets !== -1 && type.endsWith(']')) {
    const element = type.slice(0, brackets);
    if (JSON_TYPES.has(element)) return arrayColumnConverter(jsonElement);
    return arrayColumnConverter(textElement(FLOATS.has(element) ? floatColumnConverter(element) : undefined));
  }
  if (JSON_TYPES.has(type)) return toJsonColumn;
  if (FLOATS.has(type)) return floatColumnConverter(type);
  return undefined;
}
