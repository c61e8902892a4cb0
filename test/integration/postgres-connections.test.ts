/**
 * PostgreSQL connections and protocol: open() with a pg Client or Pool, search_path, the pipeline
 * really pipelining, and COPY failing cleanly (CopyFail, no hang, the connection still usable).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { open, SluiceError, type Handle } from '../../src/index.js';
import { DIALECTS, freshTarget, useTarget, type TestTarget } from '../support/targets.js';

const USERS = 'CREATE TABLE users (id serial PRIMARY KEY, username text UNIQUE NOT NULL, role_id integer)';

if (DIALECTS.includes('postgres')) {
  describe('PostgreSQL connections', () => {
    let target: TestTarget;
    before(async () => {
      target = await freshTarget('postgres');
    });
    after(async () => {
      await target.close();
    });
    async function usersTable(): Promise<void> {
      await target.query('DROP TABLE IF EXISTS users');
      await target.query(USERS);
    }
    const count = async (): Promise<number> =>
      (await target.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))[0]!.n;

    it('open(client) uses a connected pg Client and never ends it', async () => {
      await usersTable();
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        const db = await open(client);
        assert.equal(db.dialect, 'postgres');
        for (const method of ['copy', 'values', 'pipeline', 'row'] as const) {
          await db.load('users', [{ username: `c-${method}`, role_id: 1 }], { method });
        }
        await db.close();
        assert.deepEqual((await client.query('SELECT count(*)::int AS n FROM users')).rows, [{ n: 4 }]);
      } finally {
        await client.end();
      }
    });

    it('repeated INSERTs run as prepared statements, deallocated on close of a shared client', async () => {
      await usersTable();
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      const parsed = (): string[] =>
        Object.keys(
          (client as unknown as { connection: { parsedStatements: object } }).connection.parsedStatements,
        );
      try {
        for (let round = 0; round < 2; round++) {
          const db = await open(client);
          const rows = Array.from({ length: 3_000 }, (_, i) => ({ username: `r${round}-${i}`, role_id: 1 }));
          await db.load('users', rows, { method: 'values', batchSize: 500 });
          await db.load(
            'users',
            rows.slice(0, 3).map((r) => ({ ...r, username: `${r.username}-row` })),
            {
              method: 'row',
            },
          );
          assert.equal(parsed().filter((n) => n.startsWith('sluice_')).length, 2);
          await db.close();
          assert.deepEqual(parsed(), []);
          assert.deepEqual((await client.query('SELECT name FROM pg_prepared_statements')).rows, []);
        }
      } finally {
        await client.end();
      }
      assert.equal(await count(), 6_006);
    });

    it('open(pool) takes one client and gives it back on close', async () => {
      await usersTable();
      const pool = new pg.Pool({ connectionString: target.url, max: 2 });
      try {
        const db = await open(pool);
        assert.equal(pool.totalCount, 1);
        assert.equal(pool.idleCount, 0);
        await db.load('users', [{ username: 'p1', role_id: 1 }]);
        await db.load('users', [{ username: 'p2', role_id: 1 }], { method: 'pipeline' });
        await db.close();
        assert.equal(pool.idleCount, 1);
        assert.equal(await count(), 2);
      } finally {
        await pool.end();
      }
    });

    it('refuses a client that is not connected, or runs in pg pipeline mode', async () => {
      const idle = new pg.Client({ connectionString: target.url });
      await assert.rejects(
        open(idle),
        (e: unknown) => e instanceof SluiceError && e.code === 'BAD_USAGE' && /not connected/.test(e.message),
      );
      const piped = new pg.Client({ connectionString: target.url, pipeline: true } as pg.ClientConfig);
      await piped.connect();
      try {
        await assert.rejects(
          open(piped),
          (e: unknown) => e instanceof SluiceError && /pipeline mode/.test(e.message),
        );
      } finally {
        await piped.end();
      }
    });

    it('a URL-opened handle reads the catalog for its first load on a second, short connection; a passed client gets none', async () => {
      await usersTable();
      // pg_stat_database.sessions counts every session ever established to the database.
      const sessions = async (): Promise<number> =>
        (
          await target.query<{ n: number }>(
            'SELECT sessions::int AS n FROM pg_stat_database WHERE datname = current_database()',
          )
        )[0]!.n;
      const sluiceBackends = (): Promise<{ query: string }[]> =>
        // This database only: other suites on the server run sluice sessions of their own.
        target.query(
          "SELECT query FROM pg_stat_activity WHERE application_name = 'sluice' AND datname = current_database()",
        );
      let during: { query: string }[] = [];
      async function* rows(): AsyncGenerator<{ username: string; role_id: number }> {
        for (let i = 0; i < 3_000; i++) {
          // Past the sample (the first 1000 rows), the table has been described and the COPY runs.
          if (i === 2_000) during = await sluiceBackends();
          yield { username: `side-${i}`, role_id: 1 };
        }
      }
      const before = await sessions();
      const db = await open(target.url);
      try {
        await db.load('users', rows());
        // Only the first load starts on a fresh session: a second one reads the catalog in place.
        await db.load('users', [{ username: 'second-load', role_id: 1 }]);
      } finally {
        await db.close();
      }
      // The stats collector may lag a little behind the sessions themselves.
      let opened = 0;
      for (let i = 0; i < 50 && opened < 2; i++) {
        opened = (await sessions()) - before;
        if (opened < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Settle: a third session would show up late too.
      await new Promise((resolve) => setTimeout(resolve, 100));
      opened = (await sessions()) - before;
      assert.equal(opened, 2, 'the load session and one catalog session, for the first load only');
      assert.equal(during.length, 1, 'the catalog session is closed before the load starts');
      assert.match(during[0]!.query, /^COPY "users"/);
      assert.equal(await count(), 3_001);

      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        const start = await sessions();
        const shared = await open(client);
        await shared.load('users', [{ username: 'shared-client', role_id: 1 }]);
        await shared.close();
        assert.equal((await sessions()) - start, 0, 'a client passed in is the only connection used');
      } finally {
        await client.end();
      }
    });

    it('finds an unqualified table through search_path, a qualified one in its schema', async () => {
      await target.query('CREATE SCHEMA IF NOT EXISTS other');
      await target.query('DROP TABLE IF EXISTS public.items; DROP TABLE IF EXISTS other.items');
      await target.query('CREATE TABLE public.items (v text)');
      await target.query('CREATE TABLE other.items (v text, extra text)');
      const viaPath = await open(
        `${target.url}?options=${encodeURIComponent('-c search_path=other,public')}`,
      );
      try {
        await viaPath.load('items', [{ v: 'through search_path', extra: 'only other.items has me' }]);
      } finally {
        await viaPath.close();
      }
      const db = await open(target.url);
      try {
        await db.load('items', [{ v: 'default path' }]);
        await db.load('other.items', [{ v: 'qualified' }]);
        await assert.rejects(
          db.load('missing.items', [{ v: 1 }]),
          (e: unknown) => e instanceof SluiceError && e.code === 'TABLE_NOT_FOUND',
        );
      } finally {
        await db.close();
      }
      assert.deepEqual(await target.query('SELECT v FROM public.items'), [{ v: 'default path' }]);
      assert.deepEqual(await target.query('SELECT v FROM other.items ORDER BY v'), [
        { v: 'qualified' },
        { v: 'through search_path' },
      ]);
    });

    it('pipeline sends a whole batch before reading a reply: one ReadyForQuery per batch, not per row', async () => {
      await usersTable();
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      let readyForQuery = 0;
      let writes = 0;
      client.connection.on('readyForQuery', () => readyForQuery++);
      const socket = client.connection.stream as unknown as { write: (...args: unknown[]) => boolean };
      const write = socket.write.bind(socket);
      socket.write = (...args: unknown[]) => {
        writes++;
        return write(...args);
      };
      try {
        const db = await open(client);
        const rows = Array.from({ length: 10_000 }, (_, i) => ({ username: `u${i}`, role_id: i % 5 }));
        readyForQuery = 0;
        writes = 0;
        const report = await db.load('users', rows, { method: 'pipeline', batchSize: 2_500 });
        await db.close();
        assert.equal(report.rowsLoaded, 10_000);
        // 4 batches of 2,500 rows; each also costs a SAVEPOINT and a RELEASE, and the load a BEGIN
        // and a COMMIT (plus the table lookup). Awaiting each INSERT would make it 10,000 or more.
        assert.ok(readyForQuery <= 4 * 3 + 6, `${readyForQuery} ReadyForQuery messages`);
        assert.ok(writes < 100, `${writes} socket writes`);
      } finally {
        await client.end();
      }
      assert.equal(await count(), 10_000);
    });

    it('pipeline: an error mid-batch leaves the connection in sync and the batch undone', async () => {
      await usersTable();
      const db = await open(target.url);
      try {
        const rows = Array.from({ length: 3_000 }, (_, i) => ({ username: `u${i}`, role_id: 1 }));
        rows[2_000] = { username: 'u5', role_id: 1 };
        await assert.rejects(
          db.load('users', rows, { method: 'pipeline' }),
          (e: unknown) => e instanceof SluiceError && /^input row 2001: duplicate key/.test(e.message),
        );
        assert.equal(await count(), 0);
        await db.load('users', [{ username: 'after', role_id: 1 }], { method: 'pipeline' });
        assert.equal(await count(), 1);
      } finally {
        await db.close();
      }
    });
  });

  describe('PostgreSQL COPY failures', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('postgres', (opened) => ({ target, db } = opened));
    async function usersTable(): Promise<void> {
      await target.query('DROP TABLE IF EXISTS users');
      await target.query(USERS);
    }
    const count = async (): Promise<number> =>
      (await target.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))[0]!.n;

    it('a source that throws mid-COPY: CopyFail, nothing kept, its own error reported, connection usable', async () => {
      await usersTable();
      async function* failing() {
        for (let i = 0; i < 30_000; i++) yield { username: `u${i}`, role_id: 1 };
        throw new Error('the upstream feed broke');
      }
      await assert.rejects(
        db.load('users', failing(), { method: 'copy' }),
        (e: unknown) =>
          e instanceof SluiceError && /the upstream feed broke/.test(e.message) && e.rowsCommitted === 0,
      );
      assert.equal(await count(), 0);
      await db.load('users', [{ username: 'after', role_id: 1 }], { method: 'copy' });
      assert.equal(await count(), 1);
    });

    it('the server refusing a row early in a long COPY stops pulling rows; no hang, connection usable', async () => {
      await usersTable();
      let pulled = 0;
      async function* rows() {
        yield { username: 'dup', role_id: 1 };
        yield { username: 'dup', role_id: 1 };
        for (let i = 0; i < 1_000_000; i++) {
          pulled++;
          yield { username: `u${i}`, role_id: 1 };
        }
      }
      await assert.rejects(
        db.load('users', rows(), { method: 'copy' }),
        (e: unknown) => e instanceof SluiceError && /^input row 2: duplicate key/.test(e.message),
      );
      assert.ok(pulled < 1_000_000, `pulled ${pulled} rows after the server had refused`);
      assert.equal(await count(), 0);
      await db.load('users', [{ username: 'after', role_id: 2 }]);
      assert.equal(await count(), 1);
    });

    it('a value that cannot be encoded fails the COPY at its row', async () => {
      await target.query('DROP TABLE IF EXISTS events');
      await target.query('CREATE TABLE events (at timestamptz)');
      const rows = [{ at: new Date(0) }, { at: new Date(1) }, { at: new Date('not a date') }];
      await assert.rejects(
        db.load('events', rows, { method: 'copy' }),
        (e: unknown) => e instanceof SluiceError && /^input row 3: invalid Date/.test(e.message),
      );
      assert.deepEqual(await target.query('SELECT count(*)::int AS n FROM events'), [{ n: 0 }]);
    });

    it('many runs of different shapes are separate COPYs inside one transaction', async () => {
      await target.query('DROP TABLE IF EXISTS shapes');
      await target.query("CREATE TABLE shapes (id serial, a text DEFAULT 'A', b text DEFAULT 'B')");
      const shapes: Record<string, string | null | undefined>[] = [{}, {}, { a: null, b: null }];
      const rows = Array.from({ length: 1_000 }, (_, i) => {
        if (i % 3 === 0) return { a: `a${i}` };
        if (i % 3 === 1) return { b: `b${i}` };
        return shapes[2]!;
      });
      // An undefined field is a missing one.
      rows.push({ a: 'x'.repeat(10), b: undefined });
      const report = await db.load('shapes', rows, { method: 'copy' });
      assert.equal(report.rowsLoaded, 1_001);
      const got = await target.query<{ a: string | null; b: string | null }>(
        'SELECT a, b FROM shapes ORDER BY id',
      );
      assert.deepEqual(got[0], { a: 'a0', b: 'B' });
      assert.deepEqual(got[1], { a: 'A', b: 'b1' });
      assert.deepEqual(got[2], { a: null, b: null });
      assert.deepEqual(got[1_000], { a: 'xxxxxxxxxx', b: 'B' });
    });
  });
}
