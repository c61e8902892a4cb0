import { excerpt } from '../errors.js';
import type { CsvDialect } from '../util/csv-dialect.js';
import { UnstorableValue } from './unstorable.js';

/**
 * A text longer than its `varchar(n)` or `char(n)` column is an error, except when what is past
 * the n-th character is spaces: then PostgreSQL (varchar and char) and MariaDB (CHAR) cut them off
 * without a word, and `'NY   '` into a `char(2)` is stored as `'NY'`. sluice refuses such a text
 * instead. (A longer text with anything else past the limit is the database's own error.)
 */

/** The index just past the `n`-th character (code point) of `text`, or -1 when it has no more than n. */
function pastCharacters(text: string, n: number): number {
  if (text.length <= n) return -1;
  let index = 0;
  for (let seen = 0; seen < n; seen++) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length ? 2 : 1;
    if (index >= text.length) return -1;
  }
  return index;
}

/** A check for text going into a column of `type` that keeps `length` characters. */
export function cutSpacesCheck(type: string, length: number): (value: unknown) => unknown {
  return (value) => {
    if (typeof value !== 'string') return value;
    const past = pastCharacters(value, length);
    if (past === -1) return value;
    for (let i = past; i < value.length; i++) if (value.charCodeAt(i) !== 32) return value;
    return new UnstorableValue(
      `the text ${excerpt(value)} has spaces past the ${length} characters a ${type} column keeps: it would cut them off`,
      value,
    );
  };
}

/**
 * Text that every value cutSpacesCheck refuses holds: a space at the end of a field, that is
 * before the delimiter, the quote or a line end of `csv`; without a dialect, before any character
 * that is no letter, digit or space. (Only the end of a field: a space before a hyphen in a
 * line of free text would have the line judged, and a line inside a quoted field over several
 * lines cannot be judged alone, so the file would be parsed from there.)
 */
export function cutSpacesScreen(csv?: CsvDialect): RegExp {
  // The screen reads bytes as latin1: a delimiter past ASCII is more than one byte there.
  const ascii = (c: string) => c.charCodeAt(0) < 0x80;
  if (csv === undefined || !ascii(csv.delimiter) || (csv.quote !== '' && !ascii(csv.quote)))
    return / (?=[^A-Za-z0-9 ]|$)/;
  const ends = [csv.delimiter, csv.quote].filter((c) => c !== '').map(escapeForRegExp);
  return new RegExp(` (?=${[...ends, '\\r', '\\n', '$'].join('|')})`);
}

function escapeForRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
