import type { ReturnedBatch } from '../methods/returning.js';

type Returned = Readonly<Record<string, unknown>> | null;

/**
 * `report.returning` of a load that reconnected and went on from its checkpoint: each run hands
 * its returned values over batch by batch, and the values of the records after the checkpoint a
 * failed run got to (rolled back with its open transaction, written again with new ids by the next
 * run) are dropped before the next run hands them again. So every record has one entry, from the
 * run that committed it, in input order.
 */
export class ReturnedAcrossRuns {
  private readonly all: Returned[] = [];
  /** Ordinal of the record all[0] belongs to: the first this load read. */
  private first: number | undefined;

  readonly add = (batch: ReturnedBatch): void => {
    this.first ??= batch.first;
    const at = batch.first - this.first;
    if (at !== this.all.length)
      throw new Error(
        `returned values for record ${batch.first} out of order (expected ${this.first + this.all.length})`,
      );
    for (const row of batch.rows) this.all.push(row);
  };

  /** A new run goes on after record `ordinal` (the checkpoint): later values are the failed run's. */
  keepThrough(ordinal: number): void {
    if (this.first === undefined) return;
    this.all.length = Math.max(0, Math.min(this.all.length, ordinal - this.first + 1));
  }

  get rows(): readonly Returned[] {
    return this.all;
  }
}
