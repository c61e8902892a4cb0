import type { Readable } from 'node:stream';
import { emptyBatch, type BadRecordHandler, type ObjectSource } from './source.js';

/** Anything the library accepts as rows of objects. */
export type ObjectInput =
  | readonly Record<string, unknown>[]
  | Iterable<Record<string, unknown>>
  | AsyncIterable<Record<string, unknown>>;

const BATCH = 1000;

/**
 * Rows cut out of a larger JS collection (a batch of a parallel load, src/parallel/batches.ts):
 * numbered from `first`, their position in the whole input, so errors and rejects name the record
 * as a serial load of the whole input would.
 */
export class RowsFrom implements Iterable<Record<string, unknown>> {
  constructor(
    readonly items: readonly unknown[],
    readonly first: number,
    /** The whole input's sampled keys, which a batch's columns are resolved from. */
    readonly sampledKeys?: readonly string[],
  ) {}

  // Items are checked as objects by openObjects, as the input's own would be.
  [Symbol.iterator](): Iterator<Record<string, unknown>> {
    return (this.items as readonly Record<string, unknown>[])[Symbol.iterator]();
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * Arrays, iterables, async iterables and object-mode streams of plain objects. Rows are numbered
 * from 1 in input order; that number is what errors and rejects report.
 */
export function openObjects(
  input: ObjectInput | Readable | RowsFrom,
  name: string,
  onBadRecord: BadRecordHandler,
): ObjectSource {
  let count = input instanceof RowsFrom ? input.first - 1 : 0;
  return {
    kind: 'objects',
    name,
    sampledKeys: input instanceof RowsFrom ? input.sampledKeys : undefined,
    unit: 'row',
    totalBytes: undefined,
    close: () => undefined,
    bytesRead: () => 0,
    async *batches() {
      let out = emptyBatch<Record<string, unknown>>();
      for await (const item of input as AsyncIterable<unknown>) {
        const row = ++count;
        if (!isRecord(item)) {
          const shown = item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item;
          try {
            onBadRecord({ line: row, reason: `expected an object, got ${shown}`, raw: String(item) });
          } catch (error) {
            // The rows before the bad one go first (see delimited-source.ts).
            if (out.records.length > 0) yield out;
            throw error;
          }
          continue;
        }
        // A JS collection's position is counted in items: the row number serves as all three.
        out.records.push(item);
        out.lines.push(row);
        out.ordinals.push(row);
        out.ends.push(row);
        if (out.records.length === BATCH) {
          yield out;
          out = emptyBatch();
        }
      }
      if (out.records.length > 0) yield out;
    },
  };
}
