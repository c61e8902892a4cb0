import type { Progress } from '../options.js';
import type { Checkpoint } from '../resume/checkpoint-table.js';
import type { Share } from './share-bounds.js';

/**
 * The progress of a parallel load, summed over its shares: each share's bytes are counted from its
 * part's start (a resumed share's from where it stood, a finished one's whole), against the file's
 * size; rows are the rows handed to the database in this run.
 */
export class ShareProgress {
  private readonly bytes: number[];
  private readonly rows: number[];

  constructor(
    private readonly shares: readonly Share[],
    saved: readonly (Checkpoint | undefined)[],
    private readonly size: number,
    private readonly onProgress: ((progress: Progress) => void) | undefined,
  ) {
    this.bytes = shares.map((s, i) => Math.max(0, Math.min(s.end, saved[i]?.offset ?? 0) - s.start.offset));
    this.rows = shares.map(() => 0);
  }

  /** A share's own report: `progress.bytes` is an offset in the file. */
  update(index: number, progress: Progress): void {
    const share = this.shares[index]!;
    this.bytes[index] = Math.max(
      this.bytes[index]!,
      Math.min(share.end, progress.bytes) - share.start.offset,
    );
    this.rows[index] = progress.rows;
    this.onProgress?.({
      rows: this.rows.reduce((a, b) => a + b, 0),
      bytes: this.bytes.reduce((a, b) => a + b, 0),
      totalBytes: this.size,
    });
  }
}
