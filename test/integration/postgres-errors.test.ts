/**
 * PostgreSQL on the real server: errors name the source line on every method (COPY's CONTEXT,
 * foreign keys checked at the end of a COPY, values JS cannot send), CSV that COPY would misread,
 * explain, the bind-parameter limit, hostile identifiers.
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

const METHODS: MethodName[] = ['row', 'values', 'pipeline', 'copy'];
const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-errors-'));
function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

if (DIALECTS.includes('postgres')) {
  describe('PostgreSQL: errors, explain, limits, identifiers', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('postgres', (opened) => ({ target, db } = opened));

    describe('a CSV that COPY would misread is loaded parsed instead of raw', () => {
      const cases: [string, string, (string | null)[]][] = [
        ['\\. alone on a line (COPY would stop there)', 'v\nx\n\\.\ny\n', ['x', '\\.', 'y']],
        ['a quote inside an unquoted field', 'v\n5"x"7\nplain\n', ['5"x"7', 'plain']],
        ['a blank line (a NULL row for COPY)', 'v\na\n\nb\n', ['a', 'b']],
        ['line ends that change from LF to CRLF', 'v\na\r\nb\n', ['a', 'b']],
      ];
      for (const [name, csv, want] of cases) {
        it(name, async () => {
          await target.query('DROP TABLE IF EXISTS misread');
          await target.query('CREATE TABLE misread (id serial, v text)');
          const report = await db.load('misread', file('misread.csv', csv));
          assert.equal(report.method, 'copy');
          assert.equal(report.rawCopy, false);
          assert.equal(report.rowsLoaded, want.length);
          const got = await target.query<{ v: string | null }>('SELECT v FROM misread ORDER BY id');
          assert.deepEqual(
            got.map((r) => r.v),
            want,
          );
        });
      }

      it('after falling back, an error still names its line and keeps nothing', async () => {
        await target.query('DROP TABLE IF EXISTS misread');
        await target.query('CREATE TABLE misread (id serial, v text UNIQUE)');
        await assert.rejects(
          db.load('misread', file('misread-dup.csv', 'v\n\\.\nb\n"multi\nline"\nb\n')),
          (e: unknown) => e instanceof SluiceError && /misread-dup\.csv:6: duplicate key/.test(e.message),
        );
        assert.deepEqual(await target.query('SELECT count(*)::int AS n FROM misread'), [{ n: 0 }]);
      });
    });

    describe('errors name the source line', () => {
      async function users(): Promise<void> {
        await target.query('DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS roles');
        await target.query('CREATE TABLE roles (id integer PRIMARY KEY)');
        await target.query('INSERT INTO roles VALUES (1), (2)');
        await target.query(
          'CREATE TABLE users (id serial PRIMARY KEY, username text UNIQUE NOT NULL, role_id integer REFERENCES roles(id))',
        );
      }
      const count = async (): Promise<number> =>
        Number((await target.query<{ n: string }>('SELECT count(*) AS n FROM users'))[0]!.n);

      for (const method of METHODS) {
        it(`a bad value, with its column (--method ${method})`, async () => {
          await users();
          await assert.rejects(
            db.load('users', file('bad-int-line-4.csv', 'username,role_id\na,1\nb,2\nc,two\nd,1\n'), {
              method,
            }),
            (e: unknown) =>
              e instanceof SluiceError &&
              e.code === 'LOAD_FAILED' &&
              /^bad-int-line-4\.csv:4: .*invalid input syntax for type integer: "two" \(22P02\)$/.test(
                e.message.replace(dir + '/', ''),
              ) &&
              (method !== 'copy' || /column "role_id"/.test(e.message)),
          );
          assert.equal(await count(), method === 'row' ? 2 : 0);
        });

        it(`a duplicate key in JS objects names the row (--method ${method})`, async () => {
          await users();
          const rows = Array.from({ length: 30 }, (_, i) => ({ username: `u${i}`, role_id: 1 }));
          rows.splice(20, 0, { username: 'u3', role_id: 2 });
          await assert.rejects(
            db.load('users', rows, { method, batchSize: method === 'row' ? undefined : 8 }),
            (e: unknown) =>
              e instanceof SluiceError &&
              /^input row 21: duplicate key value violates unique constraint "users_username_key": Key \(username\)=\(u3\) already exists\. \(23505\)$/.test(
                e.message,
              ),
          );
          assert.equal(await count(), method === 'row' ? 20 : 0);
        });

        it(`a foreign key violation carries the server's detail (--method ${method})`, async () => {
          await users();
          await assert.rejects(
            db.load(
              'users',
              [
                { username: 'a', role_id: 1 },
                { username: 'b', role_id: 9 },
              ],
              { method },
            ),
            (e: unknown) =>
              e instanceof SluiceError &&
              /Key \(role_id\)=\(9\) is not present in table "roles"\. \(23503\)$/.test(e.message),
          );
          assert.equal(await count(), method === 'row' ? 1 : 0);
        });
      }

      it('raw CSV copy: the line of a record after fields that span lines', async () => {
        await users();
        const csv = 'username,role_id\n"multi\nline\nname",1\n"x\r\ny",2\nbad,nope\nz,1\n';
        await assert.rejects(
          db.load('users', file('spans.csv', csv), { method: 'copy' }),
          (e: unknown) =>
            e instanceof SluiceError &&
            /spans\.csv:7: column "role_id": invalid input syntax/.test(e.message),
        );
        assert.equal(await count(), 0);
      });

      it('raw CSV copy: a foreign key, checked only when the COPY ends, is still traced to its line', async () => {
        await users();
        const good = Array.from({ length: 25_000 }, (_, i) => `u${i},${(i % 2) + 1}`);
        const csv = `username,role_id\n"two\nlines",1\n${good.join('\n')}\norphan,7\nlast,1\n`;
        await assert.rejects(
          db.load('users', file('fk-line-25004.csv', csv), { method: 'copy' }),
          (e: unknown) =>
            e instanceof SluiceError &&
            /fk-line-25004\.csv:25004: insert or update on table "users" violates foreign key constraint "users_role_id_fkey": Key \(role_id\)=\(7\) is not present in table "roles"\. \(23503\)$/.test(
              e.message,
            ) &&
            e.rowsCommitted === 0,
        );
        assert.equal(await count(), 0);
      });

      it('encoded copy of a CSV stream: the line of the bad record', async () => {
        await users();
        const csv = 'username,role_id\n"multi\nline",1\nok,2\nok,1\n';
        await assert.rejects(
          db.load('users', Readable.from([Buffer.from(csv)]), { method: 'copy', format: 'csv' }),
          (e: unknown) =>
            e instanceof SluiceError &&
            /^input:5: duplicate key value violates unique constraint/.test(e.message) &&
            e.rowsCommitted === 0,
        );
      });

      it('a value JS cannot send names its row and leaves nothing (every method)', async () => {
        for (const method of METHODS) {
          await users();
          await assert.rejects(
            db.load(
              'users',
              [
                { username: 'a', role_id: 1 },
                { username: 'bad \uD800', role_id: 1 },
              ],
              { method },
            ),
            (e: unknown) =>
              e instanceof SluiceError && /^input row 2: .*lone UTF-16 surrogate/.test(e.message),
            method,
          );
          assert.equal(await count(), method === 'row' ? 1 : 0, method);
        }
      });
    });

    describe('explain', () => {
      it('prints the COPY statement and writes nothing', async () => {
        await target.query('DROP TABLE IF EXISTS planned');
        await target.query('CREATE TABLE planned (a integer, b text)');
        const csvPlan = await db.explain('planned', file('planned.csv', 'a,b\n1,x\n'));
        assert.equal(csvPlan.plan.method, 'copy');
        assert.equal(
          csvPlan.statement,
          `COPY "planned" ("a", "b") FROM STDIN (FORMAT csv, HEADER true, DELIMITER ',')`,
        );
        const tsvPlan = await db.explain('planned', file('planned.tsv', 'a\tb\n1\tx\n'));
        assert.equal(
          tsvPlan.statement,
          `COPY "planned" ("a", "b") FROM STDIN (FORMAT csv, HEADER true, DELIMITER E'\\t')`,
        );
        const objectPlan = await db.explain('planned', [{ a: 1, b: 'x' }]);
        assert.equal(objectPlan.statement, 'COPY "planned" ("a", "b") FROM STDIN (FORMAT text)');
        const valuesPlan = await db.explain('planned', [{ a: 1, b: 'x' }], { method: 'values' });
        assert.equal(
          valuesPlan.statement,
          'INSERT INTO "planned" ("a", "b") VALUES ($1, $2) -- x 1000 rows per statement',
        );
        assert.deepEqual(await target.query('SELECT * FROM planned'), []);
        await db.explain('never_created', file('nc.csv', 'a\n1\n'), { create: true });
        assert.deepEqual(await target.query("SELECT to_regclass('never_created') AS t"), [{ t: null }]);
      });
    });

    describe('the 65,535 bind-parameter limit', () => {
      it('values fills a statement up to the limit and refuses a batch size past it', async () => {
        await target.query('DROP TABLE IF EXISTS wide5');
        await target.query('CREATE TABLE wide5 (a int, b int, c int, d int, e int)');
        const rows = Array.from({ length: 13_108 }, (_, i) => ({ a: i, b: i, c: i, d: i, e: i }));
        const report = await db.load('wide5', rows, { method: 'values', batchSize: 13_107 });
        assert.equal(report.rowsPerStatement, 13_107);
        assert.equal(report.rowsLoaded, 13_108);
        await assert.rejects(
          db.load('wide5', rows, { method: 'values', batchSize: 13_108 }),
          (e: unknown) =>
            e instanceof SluiceError &&
            e.code === 'BAD_USAGE' &&
            e.exitCode === 2 &&
            /65540 bind parameters .* at most 65535/.test(e.message),
        );
        assert.deepEqual(await target.query('SELECT count(*)::int AS n FROM wide5'), [{ n: 13_108 }]);
      });

      it('a 300-column table gets 218 rows per INSERT', async () => {
        const names = Array.from({ length: 300 }, (_, i) => `c${i}`);
        await target.query('DROP TABLE IF EXISTS wide300');
        await target.query(`CREATE TABLE wide300 (${names.map((n) => `${n} int`).join(', ')})`);
        const rows = Array.from({ length: 500 }, (_, r) =>
          Object.fromEntries(names.map((n, c) => [n, r + c])),
        );
        const report = await db.load('wide300', rows, { method: 'values' });
        assert.equal(report.rowsPerStatement, 218);
        assert.deepEqual(await target.query('SELECT count(*)::int AS n, sum(c299)::int AS s FROM wide300'), [
          { n: 500, s: 500 * 299 + (499 * 500) / 2 },
        ]);
      });
    });

    describe('hostile identifiers are quoted, never executed', () => {
      const table = `Robert'); DROP TABLE canary; --"x`;
      const columns = [
        '"; DROP TABLE canary; --',
        'a"b',
        "it's",
        'with space',
        'SELECT',
        'ünï',
        'col\twith\ttabs',
      ];
      for (const method of METHODS) {
        it(`--method ${method}, table and columns from the input`, async () => {
          await target.query('DROP TABLE IF EXISTS canary');
          await target.query('CREATE TABLE canary (alive boolean)');
          await target.query(`DROP TABLE IF EXISTS "${table.replace(/"/g, '""')}"`);
          const header = columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(',');
          const path = file(`hostile-${method}.csv`, `${header}\n1,2,3,4,5,6,7\n`);
          await db.load(table, path, { method, create: true });
          const got = await target.query<{ attname: string }>(
            'SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 ORDER BY attnum',
            [`"${table.replace(/"/g, '""')}"`],
          );
          assert.deepEqual(
            got.map((r) => r.attname),
            columns,
          );
          assert.equal(
            (await target.query(`SELECT count(*)::int AS n FROM "${table.replace(/"/g, '""')}"`))[0]!.n,
            1,
          );
          assert.deepEqual(await target.query('SELECT count(*)::int AS n FROM canary'), [{ n: 0 }]);
        });
      }

      it('a schema-qualified hostile name', async () => {
        await target.query('CREATE SCHEMA IF NOT EXISTS "odd schema"');
        const ref = { schema: 'odd schema', name: 'a.b"c' };
        await db.load(ref, [{ v: 1 }], { create: true });
        assert.deepEqual(await target.query('SELECT v FROM "odd schema"."a.b""c"'), [{ v: '1' }]);
      });
    });
  });
}
