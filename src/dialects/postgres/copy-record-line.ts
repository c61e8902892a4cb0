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
 * the error path only.
 */
export async function copyRecordStartLine(
  bytes: AsyncIterable<Uint8Array>,
  delimiter: string,
  copyLine: number,
): Promise<number | undefined> {
  if (!Number.isSafeInteger(copyLine) || copyLine < 1) return undefined;
  const guard = new CsvGuard(delimiter.charCodeAt(0));
  let line = 1; // sluice's count: 1 + the newlines before
  let start = 1; // where the current record starts, in sluice's count
  let copy = 1; // COPY's count, within the current record
  let open = false; // the current record has bytes
  try {
    for await (const piece of bytes) {
      const chunk = guard.withoutBom(Buffer.isBuffer(piece) ? piece : Buffer.from(piece));
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        const quoted = guard.quoted;
        guard.step(byte);
        if (byte === LF) line++;
        if (quoted) {
          if (byte === (guard.lineEnding === 'lf' ? LF : CR)) copy++;
        } else if (byte === LF) {
          // The record ended; COPY's next line is the next record.
          if (copy >= copyLine) return start;
          copy++;
          start = line;
          open = false;
          continue;
        }
        open = true;
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
