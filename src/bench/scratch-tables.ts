import { randomBytes } from 'node:crypto';
import type { Session, TableRef } from '../dialects/dialect.js';
import type { ScratchSql } from './scratch-sql.js';

/** PostgreSQL's identifier limit (MySQL's is 64): names are cut to fit both. */
const MAX_NAME = 63;

/**
 * The tables `sluice bench` creates, under names no user table has (`sluice_bench_<random>_…`),
 * tracked from the moment their CREATE is sent, so that every exit (the end, a failure, Ctrl-C)
 * drops exactly these and can say which are left.
 */
export class ScratchTables {
  readonly tag = randomBytes(4).toString('hex');
  private readonly live: TableRef[] = [];
  private inFlight: TableRef | undefined;

  constructor(
    private readonly session: Session,
    private readonly ddl: ScratchSql,
    private readonly schema: string | undefined,
  ) {}

  /** A scratch name for `base` (a user table's name, or the guide's users/roles). */
  name(base: string): TableRef {
    const name = `sluice_bench_${this.tag}_${base}`.slice(0, MAX_NAME);
    return this.schema === undefined ? { name } : { schema: this.schema, name };
  }

  /** Runs `create` for `table`, which counts as live (to be dropped) even if `create` fails halfway. */
  async create<T>(table: TableRef, create: () => Promise<T>): Promise<T> {
    this.live.push(table);
    return create();
  }

  async drop(table: TableRef): Promise<void> {
    this.inFlight = table;
    try {
      await this.session.execute(this.ddl.dropTable(this.session, table));
    } finally {
      this.inFlight = undefined;
    }
    const i = this.live.indexOf(table);
    if (i !== -1) this.live.splice(i, 1);
  }

  /** Cancels other sessions' statements on the scratch tables (a killed rung's, still running). */
  async cancelOthers(): Promise<void> {
    await this.ddl.cancelOthers?.(this.session, this.tag).catch(() => undefined);
  }

  /** Drops every live table, children before parents; resolves to the ones that could not be dropped. */
  async dropAll(): Promise<{ table: TableRef; error: unknown }[]> {
    const failed: { table: TableRef; error: unknown }[] = [];
    for (const table of [...this.live].reverse()) {
      try {
        await this.drop(table);
      } catch (error) {
        failed.push({ table, error });
      }
    }
    return failed;
  }

  /** The table whose DROP was sent and not yet acknowledged, if any (it may be gone already). */
  dropping(): string | undefined {
    return this.inFlight === undefined ? undefined : this.session.sql.table(this.inFlight);
  }

  /** The tables not dropped yet (the one being dropped included), as the database names them. */
  remaining(): string[] {
    return this.live.map((t) => this.session.sql.table(t));
  }
}
