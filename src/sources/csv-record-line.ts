import { createReadStream } from 'node:fs';

const LF = 10;
const QUOTE = 34;

/** A CSV record, as a database names it: by data record number (header not counted) or by file line. */
export type CsvRecordAt = { readonly record: number } | { readonly line: number };

/**
 * The line of a CSV file on which a record starts, counted the way a database's CSV reader counts:
 * a newline inside quotes belongs to the field, and every quote character toggles the quoting.
 * A database may name the record by its number (MySQL: "at row N") or by a line inside it
 * (PostgreSQL counts the newlines in quoted fields, so its "line N" is the record's last line);
 * either way the answer is the line the record starts on, as sluice reports every source line.
 * Reads the file from the start: it is meant for the error path only.
 */
export async function csvRecordStartLine(path: string, at: CsvRecordAt): Promise<number | undefined> {
  const target = 'record' in at ? at.record : at.line;
  if (!Number.isSafeInteger(target) || target < 1) return undefined;
  let line = 1;
  let start = 1; // the line the current record started on
  let ended = 0; // records ended so far, the header included
  let quoted = false;
  let pending = false; // the current record has bytes
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== LF) pending = true;
      if (byte === QUOTE) {
        quoted = !quoted;
      } else if (byte === LF) {
        line++;
        if (quoted) continue;
        ended++;
        // The record that just ended spans lines start .. line - 1.
        if ('line' in at ? line - 1 >= target : ended === target + 1) return start;
        start = line;
        pending = false;
      }
    }
  }
  // A last record without a newline after it.
  if (pending && ('line' in at ? target >= start && target <= line : ended === target)) return start;
  return undefined;
}
