import { createReadStream } from 'node:fs';

const LF = 10;
const QUOTE = 34;

/**
 * The line on which the CSV record holding line `line` starts, counted the way a database's CSV
 * reader counts: a newline inside quotes belongs to the field, and every quote character toggles
 * the quoting. (PostgreSQL's COPY names the last line of a record that spans several; sluice
 * reports the line a record starts on, everywhere.) Reads the file from the start: it is meant for
 * the error path only. Undefined past the end of the file.
 */
export async function csvRecordStartLine(path: string, line: number): Promise<number | undefined> {
  if (!Number.isSafeInteger(line) || line < 1) return undefined;
  let current = 1;
  let start = 1; // the line the current record started on
  let quoted = false;
  let pending = false; // the current line has bytes
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== LF) pending = true;
      if (byte === QUOTE) {
        quoted = !quoted;
      } else if (byte === LF) {
        current++;
        if (quoted) continue;
        // The record that just ended spans lines start .. current - 1.
        if (current - 1 >= line) return start;
        start = current;
        pending = false;
      }
    }
  }
  // A last record without a newline after it.
  return pending && line >= start && line <= current ? start : undefined;
}
