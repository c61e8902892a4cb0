import type { Session } from './dialects/dialect.js';
import type { LoadOptions } from './options.js';
import { openSource } from './sources/from-input.js';
import type { RecordBatch, RowSource, TextField } from './sources/source.js';

/** Records measured: the plan's sample size. */
const MEASURED = 1000;

/**
 * The average bytes a row of the file takes in the session's bulk encoding (LOAD DATA's text),
 * from its first records, or their bytes in the file where the encoder cannot take them (a JSON
 * value the encoder refuses: the load names it). Undefined when nothing can be read: the load
 * itself then says why. Reads only the first batches, and closes the file.
 */
export async function averageEncodedRowBytes(
  session: Session,
  path: string,
  options: LoadOptions,
): Promise<number | undefined> {
  let source: RowSource | undefined;
  try {
    source = await openSource(path, {
      format: options.format,
      encoding: options.encoding,
      sniff: options.sniff,
      csv: options,
      columns: Array.isArray(options.columns) ? (options.columns as readonly string[]) : undefined,
      // A bad record is the load's to report; here it is only not measured.
      lenient: true,
      onBadRecord: () => () => undefined,
    });
    const records: unknown[][] = [];
    let lastEnd = 0;
    let firstEnd: number | undefined;
    const batches = source.batches() as AsyncIterable<
      RecordBatch<TextField[]> | RecordBatch<Record<string, unknown>>
    >;
    for await (const batch of batches) {
      for (let i = 0; i < batch.records.length && records.length < MEASURED; i++) {
        const record = batch.records[i]!;
        records.push(Array.isArray(record) ? record : Object.values(record));
        firstEnd ??= batch.ends[i];
        lastEnd = batch.ends[i]!;
      }
      if (records.length >= MEASURED) break;
    }
    if (records.length === 0) return undefined;
    const encode = session.bulk?.encodeRows;
    if (encode !== undefined) {
      try {
        return encode(records).length / records.length;
      } catch {
        // Measured by the file's bytes instead, below.
      }
    }
    // The bytes from the end of the first record to the end of the last, over the records between.
    return records.length > 1 ? (lastEnd - firstEnd!) / (records.length - 1) : lastEnd;
  } catch {
    return undefined;
  } finally {
    source?.close();
  }
}
