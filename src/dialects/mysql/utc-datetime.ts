/**
 * A zoned ISO-8601 timestamp as the UTC DATETIME text MySQL reads: `2024-03-05T12:38:09.5+05:30`
 * becomes `2024-03-05 07:08:09.5`. DATETIME has no zone, and MariaDB refuses a `Z` or an offset
 * ("Incorrect datetime value"); the session runs with time_zone '+00:00', so a column sluice
 * created for zoned timestamps holds UTC, as it does for JS Dates (mysql-values.ts).
 *
 * Only the offset is applied, in whole minutes, so the fractional digits pass through as written:
 * nothing is rounded here. A field that is not a zoned timestamp, or whose UTC instant falls
 * outside years 0001-9999, is returned as it is, for the server to store or refuse with its own
 * message.
 */
export function utcDatetime(field: string): string {
  const ts = ZONED.exec(field);
  if (ts === null) return field;
  const [, y, mo, d, h, mi, s, fraction, z, sign, oh, om] = ts;
  if (z === undefined && sign === undefined) return field;
  const offset = z !== undefined ? 0 : (Number(oh) * 60 + Number(om ?? '0')) * (sign === '-' ? -1 : 1);
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999. Whole milliseconds: exact.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  // Date rolls 2024-02-30 over to March 1st and 24:00 to the next day: such a field stays as
  // written, and the server refuses it.
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return field;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? '0') > 59 || Number(om ?? '0') > 59) return field;
  date.setUTCHours(Number(h), Number(mi) - offset, Number(s ?? '0'));
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 1 || year > 9999) return field;
  return (
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
    (fraction === undefined ? '' : `.${fraction}`)
  );
}

const ZONED =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
