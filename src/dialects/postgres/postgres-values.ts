import { exactColumnConverter, floatColumnConverter, toJsonColumn } from '../column-values.js';
import type { ColumnInfo, FieldCheck } from '../dialect.js';
import { arrayColumnConverter, jsonElement, textElement } from './pg-array.js';
import { declaredScale, scaleCheck, scaleScreen } from '../decimal-scale.js';
import { floatCheck, floatScreen } from '../binary-float.js';
import { fractionCheck, fractionScreen } from '../second-fraction.js';
import { cutSpacesCheck, cutSpacesScreen } from '../cut-spaces.js';
import type { CsvDialect } from '../../util/csv-dialect.js';
import {
  LEAP_SECOND_SCREEN,
  droppedPartCheck,
  droppedPartScreen,
  droppingTypeOf,
  leapSecondCheck,
} from './dropped-time-parts.js';
import { allChecks, inTurn, type ScreenedCheck } from '../field-checks.js';
import { TWO_DIGIT_YEAR_SCREEN, twoDigitYearCheck } from '../two-digit-year.js';

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
  const stored = storedAsWritten(type)?.check;
  const byType = EXACT_NUMERIC.test(type)
    ? exactColumnConverter(type)
    : FLOATS.has(type)
      ? floatColumnConverter(type)
      : undefined;
  return byType === undefined || stored === undefined ? (byType ?? stored) : inTurn(byType, stored);
}

/** The time types as format_type writes them, with a declared precision or none (6). */
const TIME_TYPE = /^(?:timestamp|time)(?:\((\d+)\))? with(?:out)? time zone$/;

/**
 * The check for a column type whose values PostgreSQL changes without a word (see
 * Session.textFieldCheck), or undefined: numeric(p,s) rounds to its scale (decimal-scale.ts), real
 * and double precision to the nearest float (binary-float.ts), the time types to their precision
 * (second-fraction.ts); date, timestamp and time drop a time of day, a zone or a date
 * (dropped-time-parts.ts), and a date with a two-digit year gets a guessed century
 * (two-digit-year.ts); varchar(n) and char(n) cut spaces past n (cut-spaces.ts). Text,
 * JsonNumbers and JS values alike.
 */
export function storedAsWritten(
  type: string,
  csv?: CsvDialect,
): (FieldCheck & { readonly check: (value: unknown) => unknown }) | undefined {
  const scale = declaredScale(type);
  if (scale !== undefined)
    return {
      check: scaleCheck(type, scale),
      why: 'each field is checked for digits the column would round',
      screen: scaleScreen(scale),
    };
  if (FLOATS.has(type)) {
    const bits = type === 'real' ? 32 : 64;
    return {
      check: floatCheck(type, bits),
      why: 'each field is checked for digits the float would round',
      screen: floatScreen(bits),
    };
  }
  const time = TIME_TYPE.exec(type);
  const dropping = droppingTypeOf(type);
  if (time !== null || dropping !== undefined) {
    const checks: ScreenedCheck[] = [];
    if (dropping !== undefined)
      checks.push({ check: droppedPartCheck(type, dropping), screen: droppedPartScreen(dropping) });
    if (time !== null) {
      const precision = time[1] === undefined ? 6 : Number(time[1]);
      checks.push({ check: fractionCheck(type, precision), screen: fractionScreen(precision) });
      checks.push({ check: leapSecondCheck(type), screen: LEAP_SECOND_SCREEN });
    }
    if (!/^time\b/.test(type)) checks.push({ check: twoDigitYearCheck(type), screen: TWO_DIGIT_YEAR_SCREEN });
    return {
      ...allChecks(checks),
      why: 'each field is checked for a part of the date or time the column would round, drop or guess',
    };
  }
  const text = /^character(?: varying)?\((\d+)\)$/.exec(type);
  if (text !== null)
    return {
      check: cutSpacesCheck(type, Number(text[1])),
      why: 'each field is checked for spaces past the length the column would cut',
      screen: cutSpacesScreen(csv),
    };
  return undefined;
}
