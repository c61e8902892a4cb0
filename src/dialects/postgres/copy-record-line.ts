import type { CsvDialect } from '../../util/csv-dialect.js';
import { afterPreamble } from './copy-csv-dialect.js';
import { CsvGuard, RawCsvUnsafe } from './csv-guard.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * The line (counted by newlines, as sluice counts everywhere) on which the CSV record that COPY
 * blamed as "line `copyLine`" starts. COPY does not count newlines: it counts the lines it reads
 * (a record, whatever it spans, is one) plus, inside quoted fields, each LF when the file's line
 * ends are LF and each CR otherwise, including while the first line (the header) is still being
 * read and the style is unknown. So a CRLF file whose quoted fields hold bare LFs (as Excel writes
 * them) or a header with a quoted newline is numbered differently from its newlines.
 *
 * The bytes are read from the start by the raw copy's guard, which knows where COPY's records
 * end; undefined past the end, or where the guard would not have let the bytes through. Meant for
 * the error path only, but a chunk without quotes or CRs is counted with native scans, and so is
 * the inside of a quoted field.
 */
export async function copyRecordStartLine(
  bytes: AsyncIterable<Uint8Array>,
  dialect: CsvDialect,
  copyLine: number,
): Promise<number | undefined> {
  if (!Number.isSafeInteger(copyLine) || copyLine < 1) return undefined;
  if (dialect.skipLines > 0) {
    // COPY was given the bytes after the preamble (postgres-session.ts): count from there.
    const after = afterPreamble(bytes, dialect.skipLines);
    const found = await copyRecordStartLine(after, { ...dialect, skipLines: 0 }, copyLine);
    return found === undefined ? undefined : found + dialect.skipLines;
  }
  const guard = CsvGuard.for(dialect);
  const quoteByte = dialect.quote.charCodeAt(0);
  let line = 1; // sluice's count: 1 + the newlines before
  let start = 1; // where the current record starts, in sluice's count
  let copy = 1; // COPY's count, within the current record
  let open = false; // the current record has bytes
  try {
    for await (const piece of bytes) {
      const chunk = guard.withoutBom(
        Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength),
      );
      const length = chunk.length;
      if (!guard.quoted && chunk.indexOf(quoteByte) === -1 && chunk.indexOf(CR) === -1) {
        // Every newline ends a record. Unless the one sought ends here, count them and let the
        // guard check the chunk (checked first, a place it refuses after the record sought, which
        // COPY never saw, would hide the record).
        const ends = count(chunk, LF, 0, length);
        if (copy + ends - 1 < copyLine) {
          guard.check(chunk);
          if (ends > 0) {
            copy += ends;
            line += ends;
            start = line;
            open = chunk[length - 1] !== LF;
          } else if (length > 0) {
            open = true;
          }
          continue;
        }
      }
      for (let i = 0; i < length;) {
        if (guard.quoted) {
          // Inside quotes only a quote changes anything: count the line ends up to the next one.
          const quote = chunk.indexOf(quoteByte, i);
          const end = quote === -1 ? length : quote;
          const newlines = count(chunk, LF, i, end);
          line += newlines;
          copy += guard.lineEnding === 'lf' ? newlines : count(chunk, CR, i, end);
          open = true;
          if (quote === -1) break;
          i = quote;
        }
        const byte = chunk[i++]!;
        guard.step(byte);
        if (byte === LF) {
          line++;
          // The record ended (a newline inside quotes was counted above); COPY's next line is the
          // next record.
          if (copy >= copyLine) return start;
          copy++;
          start = line;
          open = false;
        } else {
          open = true;
        }
      }
    }
    guard.end();
  } catch (error) {
    if (error instanceof RawCsvUnsafe) return undefined;
    throw error;
  }
  // A last record without a line end after it.
  return open && copy >= copyLine ? start : undefined;
}

/** How often `byte` occurs in chunk[from, to), searched in that span only (not to the chunk's end). */
function count(chunk: Buffer, byte: number, from: number, to: number): number {
  const span = from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to);
  let n = 0;
  for (let at = span.indexOf(byte); at !== -1; at = span.indexOf(byte, at + 1)) n++;
  return n;
}
