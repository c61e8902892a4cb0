import type { ClientBase, Connection } from 'pg';
import { MessageWriter } from './frontend-messages.js';
import { pgText } from './pg-text.js';
import { ProtocolQuery } from './protocol-query.js';

/** Bytes of Bind/Execute messages gathered before a socket write. */
const WRITE_BYTES = 256 * 1024;

/**
 * Runs one statement once per row of parameters, pipelined: Parse once, then a Bind and an
 * Execute per row, all written before the first reply is read, then one Sync. The whole batch
 * costs one round trip, where awaiting each execution costs one per row (pg's Client waits for
 * ReadyForQuery before it sends the next query).
 *
 * An error stops the batch: the server skips every message up to the Sync and answers
 * ReadyForQuery; rows executed before it stay applied in the current transaction, so callers run
 * this inside a savepoint. Resolves with the rows the executions affected.
 */
export function pipelinedExecute(
  client: ClientBase,
  sql: string,
  rows: readonly (readonly unknown[])[],
): Promise<number> {
  const query = new PipelinedExecute(sql, rows);
  client.query(query);
  return query.promise;
}

class PipelinedExecute extends ProtocolQuery<number> {
  private affected = 0;
  private synced = false;

  constructor(
    private readonly sql: string,
    private readonly rows: readonly (readonly unknown[])[],
  ) {
    super();
  }

  submit(connection: Connection): void {
    this.connection = connection;
    void this.send().catch((error: unknown) => this.abandon(error));
  }

  override handleCommandComplete(message: { text: string }): void {
    // "INSERT 0 1", "UPDATE 3", "DELETE 0": the count is the last word.
    const count = Number(message.text.slice(message.text.lastIndexOf(' ') + 1));
    if (Number.isFinite(count)) this.affected += count;
  }

  protected result(): number {
    return this.affected;
  }

  protected override onFailure(): void {
    // The server skips to the next Sync before it answers ReadyForQuery: make sure it comes.
    this.sendSync();
  }

  private async send(): Promise<void> {
    const writer = new MessageWriter();
    writer.parse(this.sql);
    const params: (string | null)[] = [];
    for (const row of this.rows) {
      params.length = row.length;
      for (let i = 0; i < row.length; i++) params[i] = pgText(row[i]);
      writer.bind(params).execute();
      if (writer.length >= WRITE_BYTES) {
        if (!this.write(writer.take())) await this.drained();
        if (this.failed) return;
      }
    }
    if (writer.length > 0) this.write(writer.take());
    this.sendSync();
  }

  private sendSync(): void {
    if (this.synced) return;
    this.synced = true;
    this.write(new MessageWriter(8).sync().take());
  }

  /**
   * A value that cannot be sent (a lone surrogate, a symbol): no Execute goes out for it or after
   * it. Executions already written (past WRITE_BYTES) have run, and the Sync lets the server settle
   * them before the query rejects with the value's error: callers roll them back (sluice runs the
   * pipeline inside a savepoint).
   */
  private abandon(error: unknown): void {
    this.ownError = { error };
    this.sendSync();
  }
}
