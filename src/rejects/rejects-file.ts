import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
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

  /**
   * `append`: a resumed load adds to the file its earlier runs wrote (resume/rejects-resume.ts has
   * kept only the lines before the checkpoint), with no second header.
   */
  constructor(
    readonly path: string,
    private readonly append = false,
  ) {}

  write(reject: Reject): void {
    if (this.stream === undefined) {
      const appending = this.append && existsSync(this.path);
      this.stream = createWriteStream(this.path, { flags: appending ? 'a' : 'w' });
      if (!appending) this.stream.write('line,code,reason,record\n');
    }
    const line =
      [String(reject.line), reject.code, reject.reason, reject.record].map(csvField).join(',') + '\n';
    // Rejects are few; when the disk is slow, later writes wait for 'drain' in flush().
    if (!this.stream.write(line)) this.waiting ??= once(this.stream, 'drain');
  }

  /**
   * Resolves once everything written so far is handed to the operating system: a checkpoint
   * commits only rejects that a killed process cannot lose.
   */
  async flush(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) return;
    await new Promise<void>((resolve, reject) =>
      stream.write('', (error?: Error | null) => (error ? reject(error) : resolve())),
    );
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
