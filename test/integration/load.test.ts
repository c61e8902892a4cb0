/**
 * The library's load() on every database under test: files of each format, JS rows, every method,
 * defaults, renames, and the errors that must name a line and leave nothing behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';
import { usersSchema } from '../support/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-load-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const USERS_CSV = 'username,email,role_id\nalice,alice@example.com,1\nbob,,2\n"carol, jr","c@x.org",1\n';
const METHODS: MethodName[] = ['row', 'values', 'pipeline', 'copy'];

for (const dialect of DIALECTS) {
  describe(`load into ${dialect}`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    async function usersTable(): Promise<void> {
      await target.query('DROP TABLE IF EXISTS users');
      await target.query('DROP TABLE IF EXISTS roles');
      for (const sql of usersSchema(dialect)) await target.query(sql);
    }

    async function users(): Promise<Record<string, string | null>[]> {
      const rows = await target.query<Record<string, unknown>>(
        'SELECT username, email, role_id, note FROM users ORDER BY id',
      );
      return rows.map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k.toLowerCase(), v === null ? null : String(v)]),
        ),
      );
    }

    for (const method of METHODS) {
      it(`loads a CSV file with --method ${method}`, async () => {
        await usersTable();
        const load = db.load('users', file('users.csv', USERS_CSV), { method });
        if (method === 'copy' && dialect === 'sqlite') {
          await assert.rejects(
            load,
            (e: unknown) => e instanceof SluiceError && e.code === 'METHOD_UNAVAILABLE',
          );
          return;
        }
        const report = await load;
        assert.equal(report.method, method);
        assert.deepEqual([report.rowsRead, report.rowsLoaded, report.rowsRejected], [3, 3, 0]);
        assert.deepEqual(await users(), [
          { username: 'alice', email: 'alice@example.com', role_id: '1', note: 'none' },
          { username: 'bob', email: null, role_id: '2', note: 'none' },
          { username: 'carol, jr', email: 'c@x.org', role_id: '1', note: 'none' },
        ]);
      });

      it(`loads JS objects with --method ${method}: missing fields get defaults, null stays NULL`, async () => {
        if (method === 'copy' && dialect === 'sqlite') return; // asserted above: no bulk path
        await usersTable();
        const rows = [
          { username: 'a', email: 'a@x', role_id: 1 },
          { username: 'b', email: null, role_id: 2, note: null },
          { username: 'c', role_id: 1, note: 'given' },
          { username: 'd', email: 'd@x', role_id: 2 },
        ];
        const report = await db.load('users', rows, { method });
        assert.equal(report.rowsLoaded, 4);
        assert.deepEqual(await users(), [
          { username: 'a', email: 'a@x', role_id: '1', note: 'none' },
          { username: 'b', email: null, role_id: '2', note: null },
          { username: 'c', email: null, role_id: '1', note: 'given' },
          { username: 'd', email: 'd@x', role_id: '2', note: 'none' },
        ]);
      });
    }

    it('applies client-side defaults to rows that lack the field, not to explicit nulls', async () => {
      await usersTable();
      let n = 0;
      await db.load(
        'users',
        [
          { username: 'a', role_id: 1 },
          { username: 'b', role_id: 1, email: null },
        ],
        { defaults: { email: () => `generated${++n}@x`, note: 'client' } },
      );
      assert.deepEqual(await users(), [
        { username: 'a', email: 'generated1@x', role_id: '1', note: 'client' },
        { username: 'b', email: null, role_id: '1', note: 'client' },
      ]);
    });

    it('reads async iterables, object-mode streams and byte streams', async () => {
      await usersTable();
      async function* gen() {
        yield { username: 'g1', role_id: 1 };
        yield { username: 'g2', role_id: 2 };
      }
      await db.load('users', gen());
      await db.load('users', Readable.from([{ username: 's1', role_id: 1 }]));
      await db.load('users', Readable.from([Buffer.from('username,role_id\nb1,1\n')]), { format: 'csv' });
      assert.deepEqual(
        (await users()).map((u) => u.username),
        ['g1', 'g2', 's1', 'b1'],
      );
    });

    it('reads TSV, NDJSON and JSON array files', async () => {
      await usersTable();
      await db.load('users', file('u.tsv', 'username\trole_id\nt1\t1\n'));
      await db.load(
        'users',
        file('u.ndjson', '{"username":"n1","role_id":1}\n\n{"username":"n2","role_id":2}\n'),
      );
      await db.load(
        'users',
        file('u.json', '[\n {"username":"j1","role_id":1},\n {"username":"j2","role_id":2}\n]\n'),
      );
      assert.deepEqual(
        (await users()).map((u) => u.username),
        ['t1', 'n1', 'n2', 'j1', 'j2'],
      );
    });

    it('renames columns with the columns option and refuses unknown ones', async () => {
      await usersTable();
      await db.load('users', file('r.csv', 'Login,Role\nx,1\n'), { columns: 'Login=username,Role=role_id' });
      assert.deepEqual(
        (await users()).map((u) => u.username),
        ['x'],
      );
      await assert.rejects(
        db.load('users', file('bad-col.csv', 'username,nickname\ny,z\n')),
        (e: unknown) =>
          e instanceof SluiceError &&
          e.code === 'UNKNOWN_COLUMN' &&
          e.exitCode === 2 &&
          /nickname/.test(e.message) &&
          /username/.test(e.hint ?? ''),
      );
    });

    it('creates a missing table from inferred types when asked', async () => {
      const report = await db.load(
        'people',
        file('people.csv', 'id,name,score,born\n1,ann,1.5,2001-02-03\n2,bo,,2002-03-04\n'),
        { create: true },
      );
      assert.match(report.ddl ?? '', /CREATE TABLE/);
      const rows = await target.query<Record<string, unknown>>(
        'SELECT id, name, score FROM people ORDER BY id',
      );
      assert.deepEqual(
        rows.map((r) => [String(r.id), r.name, r.score === null ? null : Number(r.score)]),
        [
          ['1', 'ann', 1.5],
          ['2', 'bo', null],
        ],
      );
    });

    it('names the line of a malformed CSV record and writes nothing', async () => {
      await usersTable();
      await assert.rejects(
        db.load('users', file('bad-quote-line-3.csv', 'username,role_id\nok,1\n"open,1\n')),
        (e: unknown) =>
          e instanceof SluiceError && e.code === 'BAD_INPUT' && /bad-quote-line-3\.csv:3:/.test(e.message),
      );
      assert.deepEqual(await users(), []);
    });

    for (const method of METHODS.filter((m) => m !== 'row')) {
      it(`names the source line of a duplicate key (${method}) and keeps nothing`, async () => {
        if (method === 'copy' && dialect === 'sqlite') return;
        await usersTable();
        const csv =
          'username,role_id\n' +
          Array.from({ length: 50 }, (_, i) => `u${i},1`).join('\n') +
          '\nu7,2\nlast,1\n';
        await assert.rejects(
          db.load('users', file('dup-line-52.csv', csv), { method }),
          (e: unknown) =>
            e instanceof SluiceError &&
            e.code === 'LOAD_FAILED' &&
            e.exitCode === 1 &&
            e.rowsCommitted === 0 &&
            /dup-line-52\.csv:52: /.test(e.message),
        );
        assert.deepEqual(await users(), []);
      });
    }

    it('with --method row, a failure keeps the rows committed before it and says so', async () => {
      await usersTable();
      await assert.rejects(
        db.load('users', file('dup-row.csv', 'username,role_id\na,1\nb,1\na,1\n'), { method: 'row' }),
        (e: unknown) =>
          e instanceof SluiceError && e.rowsCommitted === 2 && /dup-row\.csv:4: /.test(e.message),
      );
      assert.equal((await users()).length, 2);
    });

    it('names the row of a JS input that is not an object', async () => {
      await usersTable();
      await assert.rejects(
        db.load('users', [{ username: 'a', role_id: 1 }, 42 as unknown as Record<string, unknown>]),
        (e: unknown) =>
          e instanceof SluiceError &&
          e.code === 'BAD_INPUT' &&
          /input row 2: expected an object/.test(e.message),
      );
    });

    it('commits every N rows when asked', async () => {
      await usersTable();
      const rows = Array.from({ length: 25 }, (_, i) => ({ username: `c${i}`, role_id: 1 }));
      rows.push({ username: 'c3', role_id: 1 });
      await assert.rejects(
        db.load('users', rows, { method: 'values', batchSize: 5, commitEvery: 10 }),
        (e: unknown) => e instanceof SluiceError && e.rowsCommitted === 20,
      );
      assert.equal((await users()).length, 20);
    });

    it('explain writes nothing', async () => {
      await target.query('DROP TABLE IF EXISTS planned');
      const plan = await db.explain('planned', file('planned.csv', 'a,b\n1,x\n'), { create: true });
      assert.match(plan.ddl ?? '', /CREATE TABLE/);
      assert.ok(plan.plan.reasons.length > 0);
      await assert.rejects(target.query('SELECT * FROM planned'));
    });
  });
}
