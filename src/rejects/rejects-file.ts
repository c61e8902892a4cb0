import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Reject } from './reject.js';

/**
 * The rejects file: CSV with a header `line,code,reason,record`, one row per rejected record, so
 * it opens in a spreadsheet and the records can be fixed and loaded again. Created on the first
 * reject: a clean load leaves no empty file behind.
 */
export class RejectsFile {
  private stream: WriteStream | undefined;
  private waiting: Promise<unknown> | undefined;

  constructor(readonly path: string) {}

  write(reject: Reject): void {
    if (this.stream === undefined) {
      this.stream = createWriteStream(this.path);
      this.stream.write('line,code,reason,record\n');
    }
    const line =
      [String(reject.line), reject.code, reject.reason, reject.record].map(csvField).join(',') + '\n';
    // Rejects are few; when the disk is slow, later writes wait for 'drain' in flush().
    if (!this.stream.write(line)) this.waiting ??= once(this.stream, 'drain');
  }

  /** Waits until everything written is on disk, then closes the file. */
  async close(): Promise<void> {
    if (this.stream === undefined) return;
    if (this.waiting) await this.waiting;
    const stream = this.stream;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}

/** One CSV field, quoted when it must be (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value;
}
