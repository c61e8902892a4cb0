import { excerpt } from '../../errors.js';
import { UnstorableValue } from '../unstorable.js';

/**
 * PostgreSQL's date and time input keeps what its type holds and drops the rest without a word:
 * `2020-01-01T10:00:00Z` and `2020-01-01 10:00:00+05` into a `timestamp` (without time zone) are
 * both stored as 10:00, the zone gone; `2020-01-01 10:30:00` into a `date` is 2020-01-01; into a
 * `time`, 10:30 with the date gone, and `10:30:00+02` loses its offset there. (MariaDB refuses all
 * of these in strict mode.) sluice refuses such a value naming its line. It judges the ISO 8601
 * shapes files hold (a date `YYYY-MM-DD`, a time `hh:mm[:ss[.f]]`, a zone `Z`, `±hh[:mm]` or a
 * name); other spellings PostgreSQL reads (`Jan 8 1999`, `epoch`) go to it as written. A leap
 * second, which PostgreSQL turns into the next minute, is refused too (leapSecondCheck).
 */

const DATE = String.raw`\d{4,}-\d{1,2}-\d{1,2}`;
/** Hour, minute, second and its fraction, each a group. */
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?`;
const ZONE = String.raw`[zZ]|[+-]\d{1,2}(?::?\d{2}){0,2}|[A-Za-z][\w/+-]*`;
const DATE_TIME = new RegExp(String.raw`^\s*${DATE}(?:(?:[Tt]|\s+)${TIME})?\s*(${ZONE})?\s*$`);
const TIME_ONLY = new RegExp(String.raw`^\s*${TIME}\s*(${ZONE})?\s*$`);
/** Words after a time that are no zone. */
const NOT_ZONES = new Set(['am', 'pm', 'bc', 'ad']);

/** The column types whose values lose a part, as format_type writes them. */
export type DroppingType = 'date' | 'timestamp' | 'time' | 'timetz';

/** Which of the types `type` is (format_type's name, a precision allowed), if any. */
export function droppingTypeOf(type: string): DroppingType | undefined {
  if (type === 'date') return 'date';
  const match = /^(timestamp|time)(?:\(\d+\))? with(out)? time zone$/.exec(type);
  if (match === null) return undefined;
  if (match[1] === 'timestamp') return match[2] === 'out' ? 'timestamp' : undefined;
  return match[2] === 'out' ? 'time' : 'timetz';
}

/** What of `text` a column of `kind` would drop, in words, or undefined when it keeps it all. */
export function droppedPart(text: string, kind: DroppingType): string | undefined {
  const dated = DATE_TIME.exec(text);
  if (dated !== null) {
    const [, hour, minute, second, fraction, zone] = dated;
    const timed = hour !== undefined;
    const zoned = zone !== undefined && !NOT_ZONES.has(zone.toLowerCase());
    switch (kind) {
      case 'date':
        return timed && /[1-9]/.test(`${hour}${minute}${second ?? ''}${fraction ?? ''}`)
          ? 'a time of day'
          : undefined;
      case 'timestamp':
        return timed && zoned ? `a zone (${zone})` : undefined;
      case 'time':
        return timed ? (zoned ? `a date and a zone (${zone})` : 'a date') : undefined;
      case 'timetz':
        return timed ? 'a date' : undefined;
    }
  }
  if (kind !== 'time') return undefined;
  const zone = TIME_ONLY.exec(text)?.[5];
  return zone !== undefined && !NOT_ZONES.has(zone.toLowerCase()) ? `a zone (${zone})` : undefined;
}

const INSTEAD: Record<DroppingType, string> = {
  date: 'use timestamp',
  timestamp: 'use timestamp with time zone',
  time: 'use timestamp with time zone',
  timetz: 'use timestamp with time zone',
};

/** A check for text going into a column of `type` (`kind`): a value it would cut is refused. */
export function droppedPartCheck(type: string, kind: DroppingType): (value: unknown) => unknown {
  return (value) => {
    if (typeof value !== 'string') return value;
    const part = droppedPart(value, kind);
    if (part === undefined) return value;
    const what = kind === 'date' ? 'date' : 'time';
    return new UnstorableValue(
      `the ${what} ${excerpt(value)} has ${part}: a ${type} column would drop it (${INSTEAD[kind]})`,
      value,
    );
  };
}

/**
 * Text that every value droppedPartCheck refuses for `kind` holds: a date followed by a time, or
 * a time followed by something that may begin a zone.
 */
export function droppedPartScreen(kind: DroppingType): RegExp {
  const datedTime = String.raw`\d-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d`;
  const zonedTime = String.raw`\d:\d\d(?::\d\d(?:\.\d*)?)?\s*[zZ+\-A-Za-z]`;
  switch (kind) {
    case 'date':
    case 'timetz':
      return new RegExp(datedTime);
    case 'timestamp':
      return new RegExp(zonedTime);
    case 'time':
      return new RegExp(`${datedTime}|${zonedTime}`);
  }
}

/** A time whose second is 60: a leap second. */
const LEAP_SECOND = /(?:^|[^\d:])\d{1,2}:\d{2}:60(?!\d)/;

/**
 * PostgreSQL takes a leap second and stores the next minute instead: `2016-12-31 23:59:60` into a
 * timestamp is 2017-01-01 00:00:00, and `23:59:60` into a time is 24:00:00. A check for text into
 * a time column of `type` that refuses one.
 */
export function leapSecondCheck(type: string): (value: unknown) => unknown {
  return (value) =>
    typeof value === 'string' && LEAP_SECOND.test(value)
      ? new UnstorableValue(
          `the time ${excerpt(value)} is a leap second: a ${type} column would store the next minute instead`,
          value,
        )
      : value;
}

/** Text that every value leapSecondCheck refuses holds. */
export const LEAP_SECOND_SCREEN = /\d:\d{2}:60(?!\d)/;
