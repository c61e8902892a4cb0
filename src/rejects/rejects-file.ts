import { accessSync, constants, createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { SluiceError } from '../errors.js';
import type { Reject } from './reject.js';

/**
 * The rejects file: CSV with a header `line,code,reason,record`, one row per rejected record, so
 * it opens in a spreadsheet and the records can be fixed and loaded again. Created on the first
 * reject: a clean load leaves no empty file behind.
 */
export class RejectsFile {
  private stream: WriteStream | undefined;
  private waiting: Promise<unknown> | undefined;
  /** A write that failed after the path was checked (disk full, the folder removed). */
  private failure: Error | undefined;

  /**
   * `append`: a resumed load adds to the file its earlier runs wrote (resume/rejects-resume.ts has
   * kept only the lines before the checkpoint), with no second header.
   */
  constructor(
    readonly path: string,
    private readonly append = false,
  ) {}

  write(reject: Reject): void {
    if (this.failure) throw this.failed();
    if (this.stream === undefined) {
      const appending = this.append && existsSync(this.path);
      this.stream = createWriteStream(this.path, { flags: appending ? 'a' : 'w' });
      // Without a listener a failed open or write would be an unhandled 'error' event that ends
      // the process; it fails the load at the next write or at close instead.
      this.stream.on('error', (error) => (this.failure ??= error));
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
    const stream = this.stream;
    this.stream = undefined;
    try {
      if (this.waiting) await this.waiting;
      if (!this.failure) {
        await new Promise<void>((resolve, reject) =>
          stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
      }
    } catch (error) {
      this.failure ??= error as Error;
    }
    if (this.failure) {
      stream.destroy();
      throw this.failed();
    }
  }

  private failed(): SluiceError {
    const why = (this.failure as NodeJS.ErrnoException).code ?? this.failure!.message;
    return new SluiceError('LOAD_FAILED', `cannot write the rejects file ${this.path}: ${why}`, {
      cause: this.failure,
    });
  }
}

/**
 * BAD_USAGE unless `path` can be written as a rejects file: its folder exists and may be written
 * to (or the file exists and may be). Checked with access(2) only, so nothing is created: explain
 * checks too. (As root, access() allows what root may do; a read-only file system still refuses.)
 */
export function checkRejectsPath(path: string): void {
  const target = resolve(path);
  const refuse = (why: string): never => {
    throw new SluiceError('BAD_USAGE', `cannot write the rejects file ${path}: ${why}`, {
      hint: 'give --rejects a path in a folder that exists and that you may write to',
    });
  };
  const problem = (error: unknown, where: string): string => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return `no permission to write ${where}`;
    if (code === 'EROFS') return 'the file system is read-only';
    if (code === 'ENOTDIR') return 'a part of its folder path is a file, not a folder';
    return code ?? (error as Error).message;
  };
  let file: ReturnType<typeof statSync>;
  try {
    file = statSync(target, { throwIfNoEntry: false });
  } catch (error) {
    return refuse(problem(error, 'it'));
  }
  if (file !== undefined) {
    if (file.isDirectory()) refuse('it is a folder');
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      refuse(problem(error, 'the file'));
    }
    return;
  }
  const folder = dirname(target);
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(folder, { throwIfNoEntry: false });
  } catch (error) {
    return refuse(problem(error, `in the folder ${dirname(path)}`));
  }
  if (info === undefined) refuse(`the folder ${dirname(path)} does not exist`);
  if (!info!.isDirectory()) refuse(`${dirname(path)} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    refuse(problem(error, `in the folder ${dirname(path)}`));
  }
}

/** One CSV field, quoted when it must be (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value;
}
