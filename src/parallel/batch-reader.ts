import { isRecord, RowsFrom, type ObjectInput } from '../sources/object-source.js';
import { objectKeys } from '../sources/sample.js';

/** Where a batch is in the input: kept after its rows are gone, for the report and the error. */
export interface BatchPlace {
  /** 1-based position of the batch in the input. */
  readonly index: number;
  /** The number of its first item in the input, 1-based. */
  readonly first: number;
  readonly count: number;
}

/** A batch of a parallel load by batches: its items and the input's numbering of them. */
export interface Batch extends BatchPlace {
  readonly rows: RowsFrom;
}

/**
 * The one reader of a JS collection loaded by batches: hands out `size` items at a time, in input
 * order, numbered as a serial load numbers them (every item counts, an object or not, as in
 * openObjects). One `next()` at a time: calls queue behind each other, so the items are read once
 * and in order, and only the batch being filled is held besides those handed out.
 */
export class BatchReader {
  private readonly iterator: Iterator<unknown> | AsyncIterator<unknown>;
  private readonly head: unknown[] = [];
  private read = 0;
  private batches = 0;
  private done = false;
  private queue: Promise<unknown> = Promise.resolve();
  private keys: readonly string[] | undefined;

  constructor(
    input: ObjectInput,
    private readonly size: number,
  ) {
    this.iterator =
      Symbol.asyncIterator in input
        ? (input as AsyncIterable<unknown>)[Symbol.asyncIterator]()
        : (input as Iterable<unknown>)[Symbol.iterator]();
  }

  /**
   * The input's sample as a serial load takes it (sources/sample.ts): the first `size` objects, or
   * in abort mode those before the first item that is not one. The items up to there are kept, to
   * be handed out again; every batch's columns are resolved from the sample's keys, as a serial
   * load resolves the whole input's, and a created table is typed from its records.
   */
  async sample(size: number, skipping: boolean): Promise<{ readonly items: readonly unknown[] }> {
    return this.serial(async () => {
      let objects = 0;
      let end = 0;
      for (;;) {
        if (end === this.head.length) {
          if (this.done) break;
          await this.pull();
          continue;
        }
        const item = this.head[end]!;
        if (!isRecord(item) && !skipping) break;
        end++;
        if (isRecord(item) && ++objects === size) break;
      }
      const items = this.head.slice(0, end);
      this.keys = objectKeys(items.filter(isRecord));
      return { items };
    });
  }

  /** The next batch, or undefined when the input is exhausted. */
  next(): Promise<Batch | undefined> {
    return this.serial(async () => {
      while (this.head.length < this.size && !this.done) await this.pull();
      if (this.head.length === 0) return undefined;
      const items = this.head.splice(0, this.size);
      const first = this.read + 1;
      this.read += items.length;
      return {
        index: ++this.batches,
        first,
        count: items.length,
        rows: new RowsFrom(items, first, this.keys),
      };
    });
  }

  /** Stops reading: the input's iterator is told it will not be read further. */
  async close(): Promise<void> {
    await this.serial(async () => {
      if (this.done) return;
      this.done = true;
      await this.iterator.return?.();
    });
  }

  private async pull(): Promise<void> {
    const next = await this.iterator.next();
    if (next.done === true) this.done = true;
    else this.head.push(next.value);
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
