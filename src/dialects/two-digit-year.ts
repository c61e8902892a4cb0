import { excerpt } from '../errors.js';
import { UnstorableValue } from './unstorable.js';

/**
 * A date written with a two-digit year is stored with a year the database guesses: PostgreSQL
 * reads `1/2/20` as 2020-01-02; MariaDB reads `20-01-05` as 2020-01-05, `01/02/20` as 2001-02-20
 * and `1.2.3` as 0001-02-03, and a YEAR column stores `5` as 2005 and `69` as 2069. sluice refuses
 * such a value rather than let the server pick the century.
 */

/** A date of three numbers none of which has more than two digits: the year is one of them. */
const SHORT_DATE = /^\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)/;

/** Text that every value twoDigitYearCheck refuses holds. */
export const TWO_DIGIT_YEAR_SCREEN = /(?:^|\D)\d{1,2}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)/;

/** A check for text going into a date or date-time column of `type`. */
export function twoDigitYearCheck(type: string): (value: unknown) => unknown {
  return (value) =>
    typeof value === 'string' && SHORT_DATE.test(value)
      ? new UnstorableValue(
          `the date ${excerpt(value)} has no four-digit year: a ${type} column would guess the century (write the year in full)`,
          value,
        )
      : value;
}

const SHORT_YEAR = /^\s*\d{1,2}\s*$/;

/**
 * MariaDB's YEAR: one or two digits are a guessed century, as text ('0' is 2000) or a JS number
 * from 1 to 99 (the number 0 is the year 0000, as written).
 */
export function shortYearCheck(type: string): (value: unknown) => unknown {
  return (value) => {
    const short =
      typeof value === 'string'
        ? SHORT_YEAR.test(value) // '0' and '00' too: 2000
        : typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 99;
    return short
      ? new UnstorableValue(
          `the year ${excerpt(value)} has one or two digits: a ${type} column would guess the century (write the year in full)`,
          value,
        )
      : value;
  };
}

/** Text that every text value shortYearCheck refuses holds: a field of one or two digits. */
export const SHORT_YEAR_SCREEN = /(?:^|\D)\d{1,2}(?!\d)/;
