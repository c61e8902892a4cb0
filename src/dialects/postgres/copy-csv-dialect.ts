import { isSingleByte, type CsvDialect } from '../../util/csv-dialect.js';

/**
 * Why COPY (FORMAT csv) cannot read a file written in `dialect` exactly as sluice's parser does,
 * or undefined when it can: COPY takes one one-byte DELIMITER and QUOTE, one NULL string (which
 * only unquoted fields match, FORCE_NULL adding quoted ones) and HEADER true or false. Its ESCAPE
 * only works before a quote inside quotes, and it cannot skip preamble lines.
 */
export function copyCsvRefusal(dialect: CsvDialect): string | undefined {
  if (dialect.escape !== '')
    return "--escape: COPY's CSV format has no backslash-style escapes (its ESCAPE only precedes a quote inside quotes)";
  if (dialect.quote === '') return "--quote '': COPY's CSV format always has a quote character";
  if (!isSingleByte(dialect.delimiter) || dialect.delimiter === '\\')
    return `COPY takes a one-byte delimiter other than a backslash, not ${JSON.stringify(dialect.delimiter)}`;
  if (!isSingleByte(dialect.quote))
    return `COPY takes a one-byte quote, not ${JSON.stringify(dialect.quote)}`;
  if (dialect.skipLines > 0) return 'COPY cannot skip preamble lines (--skip-lines)';
  if (dialect.nullStrings.length === 0) return 'COPY always has a NULL string, and none was given';
  if (dialect.nullStrings.length > 1)
    return `COPY takes one NULL string, and ${dialect.nullStrings.length} were given`;
  return undefined;
}
