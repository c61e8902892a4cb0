import type { RecordBatch, RowSource, TextField } from './source.js';

export type AnyBatch = RecordBatch<TextField[]> | RecordBatch<Record<string, unknown>>;

export interface SampledSource {
  /** The first records, for type inference and column discovery. */
  readonly records: readonly (TextField[] | Record<string, unknown>)[];
  /** Column names: the header, or the sampled objects' keys in order of first appearance. */
  readonly columns: readonly string[];
  /** A record in the sample could not be read: the error comes after the records before it. */
  readonly hasBadRecord: boolean;
  /** Every batch from the start: the sampled ones again, then the rest of the source. */
  batches(): AsyncGenerator<AnyBatch>;
}

/**
 * Reads the first batches until `size` records are seen, and keeps them to replay: the plan needs
 * a look at the data before the first row is written, and the input cannot be read twice (stdin).
 */
export async function sampleSource(source: RowSource, size: number): Promise<SampledSource> {
  const iterator = (source.batches() as AsyncIterable<AnyBatch>)[Symbol.asyncIterator]();
  const kept: AnyBatch[] = [];
  const records: (TextField[] | Record<string, unknown>)[] = [];
  let done = false;
  // A bad record inside the sample is held until the records before it are replayed: the
  // database may refuse one of those, and the first bad row in file order is the one reported.
  let failure: { error: unknown } | undefined;
  while (records.length < size) {
    let next: IteratorResult<AnyBatch>;
    try {
      next = await iterator.next();
    } catch (error) {
      if (records.length === 0) throw error;
      failure = { error };
      done = true;
      break;
    }
    if (next.done) {
      done = true;
      break;
    }
    kept.push(next.value);
    for (const record of next.value.records) {
      if (records.length < size) records.push(record);
    }
  }
  const columns =
    source.kind === 'text'
      ? source.header
      : (source.sampledKeys ?? objectKeys(records as Record<string, unknown>[]));
  return {
    records,
    columns,
    hasBadRecord: failure !== undefined,
    async *batches() {
      while (kept.length > 0) yield kept.shift()!;
      if (failure !== undefined) throw failure.error;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    },
  };
}

/** The keys of sampled objects, in order of first appearance: a JS input's columns. */
export function objectKeys(records: readonly Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const record of records)
    for (const key of Object.keys(record)) if (record[key] !== undefined) keys.add(key);
  return [...keys];
}
