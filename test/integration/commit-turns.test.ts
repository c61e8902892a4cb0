/**
 * Commits taking turns (LoadTransaction's `partner`, used on a Galera cluster): at a commit point
 * the COMMIT is sent on one connection and the next chunk's transaction opens on the other. What
 * must hold whatever the timing: chunks commit in order, each commit hook runs after the COMMIT
 * before it is acknowledged and on the connection its transaction is on, nothing counts as durable
 * before its COMMIT is, and a COMMIT that fails takes the chunk after it down too. Shown on the real
 * PostgreSQL server, where a deferred unique constraint makes a COMMIT fail on demand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/dialects/dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { LoadTransaction, type CommitPoint } from '../../src/methods/transaction.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const skip = !DIALECTS.includes('postgres');

describe('commits taking turns on two connections', { skip }, () => {
  let target: TestTarget;
  let a: Session;
  let b: Session;
  before(async () => {
    target = await freshTarget('postgres');
    await target.query(
      'CREATE TABLE t (id integer, CONSTRAINT t_id UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    await target.query('CREATE TABLE progress (through integer)');
    a = await postgresDialect.connect(target.url, {});
    b = await postgresDialect.connect(target.url, {});
  });
  after(async () => {
    await a.close();
    await b.close();
    await target.close();
  });

  /** Writes `ids` in chunks of two through the transaction, on whichever connection is active. */
  async function load(ids: number[], seen: { hook: string[]; durable: number[] }): Promise<LoadTransaction> {
    const which = (s: Session) => (s === a ? 'a' : 'b');
    const tx = new LoadTransaction(
      a,
      { commitEvery: 2 },
      {
        beforeCommit: async (point: CommitPoint, session: Session) => {
          // The COMMIT before this one is acknowledged by now: it counts as durable already.
          seen.hook.push(`${which(session)}:${point.total}:${tx.committed}`);
          await session.execute('INSERT INTO progress VALUES ($1)', [point.total]);
        },
        afterCommit: (point) => seen.durable.push(point.total),
      },
      b,
    );
    tx.takeTurns();
    await tx.begin();
    for (const id of ids) {
      await tx.active.execute('INSERT INTO t VALUES ($1)', [id]);
      await tx.wrote(1);
    }
    return tx;
  }

  it('alternates connections, commits in order, each hook after the COMMIT before it', async () => {
    await target.query('TRUNCATE t, progress');
    const seen = { hook: [] as string[], durable: [] as number[] };
    const tx = await load([1, 2, 3, 4, 5, 6, 7], seen);
    await tx.finish();
    assert.deepEqual(seen.hook, ['a:2:0', 'b:4:2', 'a:6:4', 'b:7:6']);
    assert.deepEqual(seen.durable, [2, 4, 6, 7]);
    assert.equal(tx.committed, 7);
    const rows = await target.query<{ n: string }>('SELECT count(*) AS n FROM t');
    assert.equal(Number(rows[0]!.n), 7);
    const through = await target.query<{ through: number }>('SELECT through FROM progress ORDER BY through');
    assert.deepEqual(
      through.map((r) => r.through),
      [2, 4, 6, 7],
    );
  });

  it('a COMMIT that fails fails the chunk after it: neither is stored, neither counts as durable', async () => {
    await target.query('TRUNCATE t, progress');
    const seen = { hook: [] as string[], durable: [] as number[] };
    // Chunk 1 (1, 2) commits; chunk 2 (3, 3) breaks the deferred key at its COMMIT, on b, while
    // chunk 3 (5, 6) loads on a; chunk 3's commit point finds the failure and goes no further.
    await assert.rejects(
      async () => (await load([1, 2, 3, 3, 5, 6], seen)).finish(),
      (error: Error) => /t_id|duplicate key/.test(error.message),
    );
    // Chunk 3's hook never ran: its commit point waited for chunk 2's COMMIT, which failed.
    assert.deepEqual(seen.hook, ['a:2:0', 'b:4:2']);
    // The failed run's open transaction (chunk 3, on a) is rolled back as load.ts does.
    await a.rollback().catch(() => undefined);
    assert.deepEqual(seen.durable, [2]);
    const rows = await target.query<{ id: number }>('SELECT id FROM t ORDER BY id');
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 2],
    );
    const through = await target.query<{ through: number }>('SELECT through FROM progress');
    assert.deepEqual(
      through.map((r) => r.through),
      [2],
    );
  });
});
