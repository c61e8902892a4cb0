import type { ObjectSource, RecordBatch } from './source.js';

/**
 * The first `limit` records of an object source (--limit), by ordinal: reading stops at the
 * batch that holds the last one. (CSV/TSV stop inside the parser, csv-parser.ts, so that no bad
 * record after the limit is reported either; here a bad record in that last batch may be.)
 */
export function limitRecords(source: ObjectSource, limit: number | undefined): ObjectSource {
  if (limit === undefined) return source;
  return {
    ...source,
    async *batches() {
      for await (const batch of source.batches()) {
        const last = batch.ordinals[batch.ordinals.length - 1] ?? 0;
        if (last <= limit) {
          yield batch;
          if (last === limit) break;
          continue;
        }
        const keep = batch.ordinals.findIndex((o) => o > limit);
        if (keep > 0) yield cut(batch, keep);
        break;
      }
      source.close();
    },
  };
}

function cut<R>(batch: RecordBatch<R>, n: number): RecordBatch<R> {
  return {
    records: batch.records.slice(0, n),
    lines: batch.lines.slice(0, n),
    ordinals: batch.ordinals.slice(0, n),
    ends: batch.ends.slice(0, n),
  };
}
