/**
 * Issue 11, defect 10: a pooled pg client whose COPY broke went back to the caller's pool as if
 * healthy. Now the session hands it back with the error (client.release(err)) whenever it cannot
 * vouch for the connection, and the pool discards it; a COPY the server refused cleanly, followed
 * by a ROLLBACK that succeeded, leaves a healthy connection that the pool keeps.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { open, SluiceError } from '../../src/index.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const pid = async (pool: pg.Pool): Promise<number> =>
  (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

/** Rows for a COPY; `at(n)` runs before row n is yielded (to break the connection mid-stream). */
async function* rows(
  count: number,
  at?: (n: number) => Promise<void>,
): AsyncGenerator<Record<string, unknown>> {
  for (let n = 1; n <= count; n++) {
    await at?.(n);
    yield { id: n, name: `row ${n}` };
  }
}

if (DIALECTS.includes('postgres')) {
  describe('issue 11 defect 10: a pooled client whose COPY broke is discarded by the pool', () => {
    let target: TestTarget;
    let pool: pg.Pool | undefined;
    before(async () => {
      target = await freshTarget('postgres');
      await target.query('CREATE TABLE people (id integer PRIMARY KEY, name text)');
    });
    after(async () => {
      await target.close();
    });
    beforeEach(async () => {
      await target.query('TRUNCATE people');
    });
    afterEach(async () => {
      await pool?.end();
      pool = undefined;
    });
    const makePool = (config: pg.PoolConfig = {}): pg.Pool => {
      pool = new pg.Pool({ connectionString: target.url, max: 1, ...config });
      pool.on('error', () => undefined);
      return pool;
    };
    const count = async (): Promise<number> =>
      (await target.query<{ n: number }>('SELECT count(*)::int AS n FROM people'))[0]!.n;

    it('the backend terminated mid-COPY (pg_terminate_backend): released with the error', async () => {
      const pool = makePool();
      const before = await pid(pool);
      const db = await open(pool);
      let killed = false;
      const load = db.load(
        'people',
        rows(20_000, async (n) => {
          if (n !== 5_000) return;
          const result = await target.query<{ killed: boolean }>(
            'SELECT pg_terminate_backend($1) AS killed',
            [before],
          );
          killed = result[0]!.killed;
          await sleep(200);
        }),
        { method: 'copy', batchSize: 500 },
      );
      await assert.rejects(
        load,
        (error: unknown) => error instanceof SluiceError && error.code === 'LOAD_FAILED',
      );
      assert.ok(killed, 'the COPY backend was terminated');
      await db.close();
      assert.equal(pool.totalCount, 0, 'the pool still holds the terminated client');
      assert.notEqual(await pid(pool), before);
      assert.equal(await count(), 0);
    });

    it('query_timeout fired mid-COPY (the server still waits for data): released with the error', async () => {
      // The socket is fine, so pg-pool alone would take the client back: the server is still in
      // COPY mode, and the next query on it would be answered out of step.
      const pool = makePool({ query_timeout: 300 });
      const before = await pid(pool);
      const db = await open(pool);
      const load = db.load(
        'people',
        // Past the first 1000 rows, which prepareLoad samples before the COPY starts.
        rows(4_000, async (n) => {
          if (n === 2_000) await sleep(1_000);
        }),
        // One streamed COPY (no --batch-size, which would make each batch a COPY of its own).
        { method: 'copy' },
      );
      await assert.rejects(load, /timeout/i);
      await db.close();
      assert.equal(pool.totalCount, 0, 'the pool took back a client in the middle of a COPY');
      assert.notEqual(await pid(pool), before);
      assert.equal(await count(), 0);
    });

    it('a COPY the server refused, then a ROLLBACK that succeeded: the pool keeps the client', async () => {
      const pool = makePool();
      const before = await pid(pool);
      const db = await open(pool);
      const duplicate = [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
        { id: 1, name: 'again' },
      ];
      await assert.rejects(db.load('people', duplicate, { method: 'copy' }), /duplicate key/);
      // A value COPY cannot carry: sluice cancels the COPY itself (CopyFail), the server confirms.
      await assert.rejects(db.load('people', [{ id: 3, name: 'lone \uD800 surrogate' }], { method: 'copy' }));
      await db.close();
      assert.equal(pool.totalCount, 1);
      assert.equal(pool.idleCount, 1);
      assert.equal(await pid(pool), before);
      // And it works: the next load through the same client commits.
      const again = await open(pool);
      await again.load('people', rows(10), { method: 'copy' });
      await again.close();
      assert.equal(await count(), 10);
      assert.equal(await pid(pool), before);
    });
  });
}
