import { SluiceError } from '../errors.js';
import type { Reject, RejectHandler } from './reject.js';
import { RejectsFile } from './rejects-file.js';

export interface RejectOptions {
  /** A path for the rejects CSV, or a callback per rejected row. */
  readonly rejects: string | RejectHandler | undefined;
  /** Stop the load once this many rows have been rejected. */
  readonly maxErrors: number | undefined;
  readonly source: string;
  readonly unit: 'line' | 'row';
  /** A resumed load: the rejects file is appended to, not started again. */
  readonly append?: boolean;
}

/** Where rejected rows go in skip mode; counts them and stops the load at --max-errors. */
export class RejectSink {
  count = 0;
  private readonly file: RejectsFile | undefined;
  private readonly callback: RejectHandler | undefined;

  constructor(private readonly options: RejectOptions) {
    this.file =
      typeof options.rejects === 'string' ? new RejectsFile(options.rejects, options.append) : undefined;
    this.callback = typeof options.rejects === 'function' ? options.rejects : undefined;
  }

  add(reject: Reject): void {
    this.count++;
    this.file?.write(reject);
    this.callback?.(reject);
    const max = this.options.maxErrors;
    if (max !== undefined && this.count >= max) {
      throw new SluiceError(
        'TOO_MANY_REJECTS',
        `stopped after ${this.count} rejected rows (--max-errors ${max}); the last: ${reject.reason}`,
        {
          location: { source: this.options.source, line: reject.line, unit: this.options.unit },
          hint: this.file ? `the rejected rows are in ${this.file.path}` : undefined,
        },
      );
    }
  }

  /** Everything rejected so far handed to the operating system (before a checkpoint commits). */
  flush(): Promise<void> {
    return this.file?.flush() ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.file?.close() ?? Promise.resolve();
  }
}
