import type { ClientBase, Connection } from 'pg';
import { COPY_DONE, copyDataHeader, copyFail } from './frontend-messages.js';
import { ProtocolQuery } from './protocol-query.js';

/** Bytes written without waiting for the socket before the pump lets the event loop run. */
const YIELD_BYTES = 256 * 1024;

/**
 * Runs `COPY … FROM STDIN` on `client` and streams `data` into it, one CopyData message per chunk.
 *
 * - Backpressure: the next chunk is pulled only when the socket has taken the previous one
 *   (pg-copy-streams' flush() and postgres.js' CopyInResponse do the same); nothing queues up.
 * - Acknowledgement: resolves with the row count from the "COPY n" command tag, after
 *   ReadyForQuery, so the rows are in the table (inside the caller's transaction, if any).
 * - Failure: when `data` throws, a CopyFail goes to the server, which rolls the COPY back, and the
 *   promise rejects with the error `data` threw, once the server has confirmed. When the server
 *   refuses (a bad value, a duplicate key), pulling stops at once and the promise rejects with
 *   the server's error; the server drops any CopyData still in flight.
 */
export function copyFromStdin(
  client: ClientBase,
  sql: string,
  data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<number> {
  const query = new CopyInQuery(sql, data);
  client.query(query);
  return query.promise;
}

class CopyInQuery extends ProtocolQuery<number> {
  private rows = 0;
  /** Between CopyInResponse and the CopyDone or CopyFail that ends the data. */
  private copying = false;

  constructor(
    private readonly sql: string,
    private readonly data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ) {
    super();
  }

  submit(connection: Connection): void {
    this.connection = connection;
    // The simple Query protocol: after an error the server leaves copy mode by itself and ignores
    // the CopyData still on the wire, so there is nothing to resynchronise.
    connection.query(this.sql);
  }

  override handleCopyInResponse(): void {
    this.copying = true;
    void this.pump();
  }

  /**
   * The query failed on this side while the server still waits for data (pg's query_timeout
   * fired): CopyFail ends the COPY, so the server answers ReadyForQuery and pg can run the next
   * query (the ROLLBACK) instead of queueing it forever behind this one. After a server error the
   * server has left copy mode already and drops the CopyFail; on a broken socket nothing is sent.
   */
  protected override onFailure(): void {
    if (!this.copying) return;
    this.copying = false;
    this.write(copyFail('sluice: the COPY was abandoned'));
  }

  override handleCommandComplete(message: { text: string }): void {
    const match = /^COPY (\d+)$/.exec(message.text);
    if (match) this.rows = Number(match[1]);
  }

  protected result(): number {
    return this.rows;
  }

  private async pump(): Promise<void> {
    let sinceYield = 0;
    try {
      for await (const chunk of this.data) {
        if (this.failed) return;
        if (chunk.length === 0) continue;
        const payload = Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (!this.write(copyDataHeader(payload.length), payload)) {
          await this.drained();
          sinceYield = 0;
        } else if ((sinceYield += payload.length) >= YIELD_BYTES) {
          // The kernel took everything and the rows come from memory: nothing here waits for I/O,
          // so let the event loop read the socket, or a refusal from the server goes unseen while
          // the rest of the input is sent for nothing.
          await new Promise((resolve) => setImmediate(resolve));
          sinceYield = 0;
        }
        if (this.failed) return;
      }
      this.copying = false;
      this.write(COPY_DONE);
    } catch (error) {
      if (this.failed) return;
      this.copying = false;
      // The server answers "COPY from stdin failed: …"; the promise rejects with the cause.
      this.ownError = { error };
      this.write(copyFail(`sluice: ${(error as Error)?.message ?? String(error)}`));
    }
  }
}
