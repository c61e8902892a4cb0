import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';

/** Statements kept prepared per session; a load uses a handful (full batch, tail, shapes). */
const MAX_PREPARED = 16;
/** SQL texts counted while waiting for their second use. */
const MAX_COUNTED = 256;

/**
 * Server-side prepared statements for the INSERTs a load repeats (a full values batch, the row
 * method's single-row INSERT): parsed and planned once instead of at every execution. A statement
 * is prepared at its second use, so one-off statements cost nothing.
 *
 * Names are derived from the SQL text, so on a connection sluice shares (a client or pool passed
 * to open()) a name always means the same statement; on close they are deallocated there, and
 * forgotten by pg, which otherwise would skip their Parse next time.
 */
export class PreparedStatements {
  private readonly uses = new Map<string, number>();
  private readonly names = new Map<string, string>();

  /** The statement name to run `sql` under, or undefined to run it unnamed. */
  nameFor(sql: string): string | undefined {
    const name = this.names.get(sql);
    if (name !== undefined) return name;
    const used = this.uses.get(sql) ?? 0;
    if (used === 0 || this.names.size >= MAX_PREPARED) {
      if (this.uses.size >= MAX_COUNTED) this.uses.clear();
      this.uses.set(sql, used + 1);
      return undefined;
    }
    this.uses.delete(sql);
    const created = `sluice_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    this.names.set(sql, created);
    return created;
  }

  /** DEALLOCATE every statement on `client`, for a connection that outlives the session. */
  async deallocate(client: ClientBase, quote: (name: string) => string): Promise<void> {
    const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } })
      .connection?.parsedStatements;
    for (const name of this.names.values()) {
      if (parsed !== undefined && !(name in parsed)) continue;
      await client.query(`DEALLOCATE ${quote(name)}`);
      if (parsed !== undefined) delete parsed[name];
    }
    this.names.clear();
  }
}
