import { isSingleByte, type CsvDialect } from '../../util/csv-dialect.js';

/**
 * Why COPY (FORMAT csv) cannot read a file written in `dialect` exactly as sluice's parser does,
 * or undefined when it can: COPY takes one one-byte DELIMITER and QUOTE, one NULL string (which
 * only unquoted fields match, FORCE_NULL adding quoted ones) and HEADER true or false. Its ESCAPE
 * only works before a quote inside quotes. Preamble lines (--skip-lines) COPY never sees: they
 * are cut off the bytes first (`afterPreamble`), and its line numbers shifted back.
 */
export function copyCsvRefusal(dialect: CsvDialect): string | undefined {
  if (dialect.escape !== '')
    return "--escape: COPY's CSV format has no backslash-style escapes (its ESCAPE only precedes a quote inside quotes)";
  if (dialect.quote === '') return "--quote '': COPY's CSV format always has a quote character";
  if (!isSingleByte(dialect.delimiter) || dialect.delimiter === '\\')
    return `COPY takes a one-byte delimiter other than a backslash, not ${JSON.stringify(dialect.delimiter)}`;
  // A backslash quote would hide the \. end-of-data marker from the guard, which looks for it.
  if (!isSingleByte(dialect.quote) || dialect.quote === '\\')
    return `the raw COPY takes a one-byte quote other than a backslash, not ${JSON.stringify(dialect.quote)}`;
  if (dialect.nullStrings.length === 0) return 'COPY always has a NULL string, and none was given';
  if (dialect.nullStrings.length > 1)
    return `COPY takes one NULL string, and ${dialect.nullStrings.length} were given`;
  return undefined;
}

/**
 * The bytes after the first `lines` newline-terminated lines (the preamble sluice's parser skips
 * too, a byte order mark included); all of them when `lines` is 0.
 */
export async function* afterPreamble(
  bytes: AsyncIterable<Uint8Array>,
  lines: number,
): AsyncGenerator<Buffer> {
  let left = lines;
  for await (const piece of bytes) {
    let chunk = Buffer.isBuffer(piece)
      ? piece
      : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (left > 0 && chunk.length > 0) {
      const newline = chunk.indexOf(0x0a);
      if (newline === -1) {
        chunk = chunk.subarray(chunk.length);
        break;
      }
      left--;
      chunk = chunk.subarray(newline + 1);
    }
    if (chunk.length > 0) yield chunk;
  }
}
