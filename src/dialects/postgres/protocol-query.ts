import type { Connection } from 'pg';
import { isStatementError } from './postgres-errors.js';

/** What protocol queries rejected with once the server had answered (see rejectedInStep). */
const inStep = new WeakSet<object>();

/**
 * True when a protocol query rejected with `error` after the server answered it, with
 * ReadyForQuery or a statement error: the connection is still in step and can run the next query.
 * False when it rejected without that answer (the socket broke, pg's query_timeout fired while the
 * server was still busy or waiting for COPY data).
 */
export function rejectedInStep(error: unknown): boolean {
  return typeof error === 'object' && error !== null && inStep.has(error);
}

/**
 * A pg "submittable": an object pg's Client runs as one query, handing it the connection and
 * every backend message until ReadyForQuery. sluice uses it to write protocol messages pg's own
 * Query does not (a pipeline of Bind/Execute, COPY data), while pg keeps the queue, the
 * authentication and the parsing of backend messages.
 *
 * pg calls `handleError` for an ErrorResponse (and then forgets the query: ReadyForQuery is not
 * passed on), and `handleReadyForQuery` when the query succeeded. Either settles the promise once.
 */
export abstract class ProtocolQuery<T> {
  readonly promise: Promise<T>;
  protected connection: Connection | undefined;
  /** The server refused, or the connection broke: write nothing more. */
  protected failed = false;
  /** An error on this side (the data source threw, a value cannot be sent): it wins over the server's. */
  protected ownError: { error: unknown } | undefined;
  private settled = false;
  private resolvePromise!: (value: T) => void;
  private rejectPromise!: (error: unknown) => void;
  private wake: (() => void) | undefined;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
  }

  abstract submit(connection: Connection): void;

  /** The value the promise resolves to once the server is ready again. */
  protected abstract result(): T;

  /** Called by pg with an ErrorResponse, a broken connection or a query timeout. */
  handleError(error: unknown): void {
    this.failed = true;
    this.onFailure();
    this.wakeUp();
    const rejection = this.ownError === undefined ? error : this.ownError.error;
    this.settle(() => {
      if (isStatementError(error)) markInStep(rejection);
      this.rejectPromise(rejection);
    });
  }

  handleReadyForQuery(): void {
    this.wakeUp();
    const own = this.ownError;
    this.settle(() => {
      if (own === undefined) return this.resolvePromise(this.result());
      markInStep(own.error);
      this.rejectPromise(own.error);
    });
  }

  /**
   * With query_timeout set, pg wraps this in a function that clears its timer, and calls it with
   * its error when the timer fires; it is called with no error once the query settles, so the
   * timer never fires late. (An arrow function: pg calls it detached.)
   */
  callback = (error?: Error | null): void => {
    if (error) this.handleError(error);
  };

  // Messages these queries do not expect; pg requires the handlers to exist.
  handleCommandComplete(_message: { text: string }): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(_connection: Connection): void {}
  handleCopyData(): void {}

  /** Hook: what to send when the server refuses (the pipeline owes it a Sync). */
  protected onFailure(): void {}

  /** Writes whole messages to the socket; false when the socket's buffer is full. */
  protected write(...chunks: Buffer[]): boolean {
    const socket = this.connection?.stream;
    if (socket === undefined || !socket.writable) return true;
    if (chunks.length === 1) return socket.write(chunks[0]);
    socket.cork();
    let ok = true;
    for (const chunk of chunks) ok = socket.write(chunk);
    socket.uncork(); // one writev for the lot
    return ok;
  }

  /** Resolves when the socket can take more, or at once when the query has failed. */
  protected drained(): Promise<void> {
    const socket = this.connection?.stream;
    if (this.failed || socket === undefined || !socket.writable) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      socket.once('drain', done);
      socket.once('close', done);
    });
  }

  private wakeUp(): void {
    this.wake?.();
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.callback();
    action();
  }
}

function markInStep(error: unknown): void {
  if (typeof error === 'object' && error !== null) inStep.add(error);
}
