import { createReadStream } from 'node:fs';

const LF = 10;
const QUOTE = 34;

/**
 * The line of a CSV file on which data record `record` (1-based, the header not counted) starts,
 * counted the way a database's CSV reader counts: a newline inside quotes belongs to the field,
 * and every quote character toggles the quoting. Reads the file from the start, so it is meant
 * for the error path only (a raw CSV copy that the database refused at its record N).
 */
export async function csvRecordLine(path: string, record: number): Promise<number | undefined> {
  if (!Number.isSafeInteger(record) || record < 1) return undefined;
  let line = 1;
  let ended = 0; // records ended so far, the header included
  let quoted = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) {
        quoted = !quoted;
      } else if (byte === LF) {
        line++;
        // Record `record` starts right after the newline that ends the one before it.
        if (!quoted && ++ended === record) return line;
      }
    }
  }
  return undefined;
}
