/**
 * Issue 15: generated ids back in input order, and foreign keys filled from natural keys, on
 * every database and method. The returned ids are checked row by row against the table (joined on
 * the natural key, username), with an id generator that starts at 1000 and steps by 7 (PostgreSQL
 * identity; MySQL: AUTO_INCREMENT = 1000 and the other connection inserting with
 * auto_increment_increment = 7; SQLite has no step: its counter starts past 999), rejected rows in
 * the middle (null in their slot), and another connection inserting into the same table while
 * the load runs (SQLite: before the load's first write, since SQLite lets no other connection
 * write while a write transaction is open).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { open, SluiceError, type Handle } from '../../src/index.js';
import type { ReturnedBatch } from '../../src/methods/returning.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-refs-'));

for (const dialect of DIALECTS) {
  const methods: MethodName[] = [...(dialect === 'sqlite' ? [] : ['copy' as const]), 'values', 'pipeline'];
  describe(`returning and refs on ${dialect} (issue 15)`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    const serial =
      dialect === 'postgres'
        ? 'id serial PRIMARY KEY'
        : dialect === 'mysql'
          ? 'id INTEGER AUTO_INCREMENT PRIMARY KEY'
          : 'id INTEGER PRIMARY KEY';

    /** roles (admin, user) and users whose ids start at 1000 (step 7 on PostgreSQL). */
    async function schema(users: string, roles = `${users}_roles`): Promise<void> {
      await target.query(`DROP TABLE IF EXISTS ${users}`);
      await target.query(`DROP TABLE IF EXISTS ${roles}`);
      await target.query(`CREATE TABLE ${roles} (${serial}, name VARCHAR(40) NOT NULL UNIQUE)`);
      await target.query(`INSERT INTO ${roles} (name) VALUES ('admin'), ('user')`);
      const id =
        dialect === 'postgres'
          ? 'id bigint GENERATED ALWAYS AS IDENTITY (START 1000 INCREMENT BY 7) PRIMARY KEY'
          : dialect === 'mysql'
            ? 'id BIGINT AUTO_INCREMENT PRIMARY KEY'
            : 'id INTEGER PRIMARY KEY AUTOINCREMENT';
      await target.query(
        `CREATE TABLE ${users} (${id}, username VARCHAR(40) NOT NULL UNIQUE, role_id INTEGER REFERENCES ${roles} (id), score INTEGER CHECK (score >= 0))${dialect === 'mysql' ? ' AUTO_INCREMENT = 1000' : ''}`,
      );
      if (dialect === 'sqlite') {
        // The AUTOINCREMENT counter past 999: the next id is 1000.
        await target.query(`INSERT INTO ${users} (id, username) VALUES (999, 'seed')`);
        await target.query(`DELETE FROM ${users}`);
      }
    }

    /** Another connection inserting a row (MySQL: with a step of 7). */
    async function otherInsert(users: string, username: string): Promise<void> {
      if (dialect === 'mysql') {
        const other = await freshConnection();
        await other.query('SET SESSION auto_increment_increment = 7');
        await other.query(`INSERT INTO ${users} (username) VALUES (?)`, [username]);
        await other.end();
      } else {
        await target.query(
          `INSERT INTO ${users} (username) VALUES (${dialect === 'postgres' ? '$1' : '?'})`,
          [username],
        );
      }
    }
    async function freshConnection() {
      const mysql = (await import('mysql2/promise')).default;
      return mysql.createConnection(target.url);
    }

    async function idsByName(users: string): Promise<Map<string, number>> {
      const rows = await target.query<{ id: number | string; username: string }>(
        `SELECT id, username FROM ${users}`,
      );
      return new Map(rows.map((r) => [r.username, Number(r.id)]));
    }

    for (const method of methods) {
      it(`${method}: ids in input order, row by row against the table, nulls for rejected rows, another connection inserting meanwhile`, async () => {
        const users = `r_${method}`;
        await schema(users);
        const input = Array.from({ length: 23 }, (_, i) => ({
          username: `${method}_${i}`,
          // Rows 6 and 15 break the CHECK: rejected in the middle of their batches.
          score: i === 6 || i === 15 ? -1 : i,
        }));
        let others = 0;
        async function* rows() {
          for (let i = 0; i < input.length; i++) {
            // SQLite: only before the load's first write; the others while batches are written.
            if (i % 5 === 2 && (dialect !== 'sqlite' || i === 2))
              await otherInsert(users, `other_${others++}`);
            yield input[i]!;
          }
        }
        const batches: ReturnedBatch[] = [];
        const report = await db.load(users, rows(), {
          method,
          batchSize: 4,
          sampleSize: 1,
          onError: 'skip',
          rejects: () => undefined,
          returning: ['id'],
          onReturning: (batch) => batches.push(batch),
        });
        assert.equal(report.rowsRejected, 2);
        assert.equal(report.returning, undefined);
        const returned = batches.flatMap((b) => b.rows);
        assert.deepEqual(
          batches.map((b) => b.first),
          batches.map((_, i) => 1 + batches.slice(0, i).reduce((n, b) => n + b.rows.length, 0)),
        );
        assert.equal(returned.length, input.length);
        const table = await idsByName(users);
        assert.equal(table.size, input.length - 2 + others);
        input.forEach((row, i) => {
          if (i === 6 || i === 15) assert.equal(returned[i], null, `row ${i + 1} was rejected`);
          else assert.deepEqual(returned[i], { id: table.get(row.username) }, `row ${i + 1}`);
        });
        const ids = returned.filter((r) => r !== null).map((r) => r.id as number);
        assert.ok(ids.every((id) => id >= 1000));
        if (dialect === 'postgres') assert.ok(ids.every((id) => (id - 1000) % 7 === 0));
      });
    }

    it('report.returning with other columns, and upsert: an updated row gives its existing id', async () => {
      const users = 'r_upsert';
      await schema(users);
      await target.query(`INSERT INTO ${users} (username, score) VALUES ('alice', 1)`);
      const alice = (await idsByName(users)).get('alice');
      const report = await db.load(
        users,
        [
          { username: 'bob', score: 2 },
          { username: 'alice', score: 5 },
          { username: 'carol', score: 3 },
        ],
        { returning: ['id', 'score'], onConflict: { action: 'update', key: ['username'] } },
      );
      const table = await idsByName(users);
      assert.deepEqual(
        report.returning?.map((r) => [Number(r!.id), Number(r!.score)]),
        [
          [table.get('bob'), 2],
          [alice, 5],
          [table.get('carol'), 3],
        ],
      );
    });

    it('refs: role names become role_id in bulk; NULL stays NULL; rows join back to their role', async () => {
      const users = 'f_users';
      await schema(users);
      const input = Array.from({ length: 40 }, (_, i) => ({
        username: `u${i}`,
        role: i % 9 === 0 ? null : i % 2 === 0 ? 'admin' : 'user',
      }));
      const report = await db.load(users, input, { refs: { role: `${users}_roles.name` }, batchSize: 7 });
      assert.equal(report.rowsLoaded, 40);
      const joined = await target.query<{ username: string; name: string | null }>(
        `SELECT u.username, r.name FROM ${users} u LEFT JOIN ${users}_roles r ON r.id = u.role_id`,
      );
      const byName = new Map(joined.map((r) => [r.username, r.name]));
      for (const row of input) assert.equal(byName.get(row.username), row.role, row.username);
    });

    it('refs: an unknown key fails the load naming the value and the line; nothing is loaded', async () => {
      const users = 'f_unknown';
      await schema(users);
      const file = join(dir, `${dialect}-unknown.csv`);
      writeFileSync(file, 'username,role\nann,admin\nben,boss\ncid,user\n');
      await assert.rejects(
        db.load(users, file, { refs: { role: `${users}_roles.name` } }),
        (error: unknown) => {
          assert.ok(error instanceof SluiceError);
          assert.equal(error.code, 'BAD_INPUT');
          assert.equal(error.location?.line, 3);
          assert.match(error.message, /unknown role "boss"/);
          return true;
        },
      );
      assert.equal((await idsByName(users)).size, 0);
    });

    it('refs in skip mode: a row with an unknown key goes to the rejects with its line', async () => {
      const users = 'f_skip';
      await schema(users);
      const file = join(dir, `${dialect}-skip.csv`);
      const rejects = join(dir, `${dialect}-skip-rejects.csv`);
      writeFileSync(file, 'username,role\nann,admin\nben,boss\ncid,user\n');
      const report = await db.load(users, file, {
        refs: { role: `${users}_roles.name` },
        onError: 'skip',
        rejects,
        returning: ['id'],
      });
      assert.equal(report.rowsLoaded, 2);
      assert.equal(report.rowsRejected, 1);
      assert.equal(report.returning?.[1], null);
      const table = await idsByName(users);
      assert.deepEqual(report.returning?.[0], { id: table.get('ann') });
      assert.deepEqual(report.returning?.[2], { id: table.get('cid') });
      assert.match(readFileSync(rejects, 'utf8'), /^line,code,reason,record\n3,BAD_INPUT,.*boss.*\n$/s);
    });

    it('createMissingRefs: missing parents are inserted once, in bulk, and used', async () => {
      const users = 'f_create';
      await schema(users);
      const input = Array.from({ length: 30 }, (_, i) => ({ username: `c${i}`, role: `role_${i % 4}` }));
      const report = await db.load(users, input, {
        refs: { role: `${users}_roles.name` },
        createMissingRefs: true,
        batchSize: 8,
      });
      assert.equal(report.refsCreated, 4);
      const roles = await target.query<{ name: string }>(`SELECT name FROM ${users}_roles ORDER BY name`);
      assert.deepEqual(
        roles.map((r) => r.name),
        ['admin', 'role_0', 'role_1', 'role_2', 'role_3', 'user'],
      );
      const joined = await target.query<{ username: string; name: string }>(
        `SELECT u.username, r.name FROM ${users} u JOIN ${users}_roles r ON r.id = u.role_id`,
      );
      assert.equal(joined.length, 30);
      for (const r of joined) assert.equal(r.name, `role_${Number(r.username.slice(1)) % 4}`);
    });

    if (dialect !== 'sqlite')
      it('createMissingRefs from two loads at once: each missing parent is created once, both loads use it', async () => {
        const users = 'f_race';
        await schema(users);
        const other = await open(target.url);
        try {
          const rows = (prefix: string) =>
            Array.from({ length: 20 }, (_, i) => ({ username: `${prefix}${i}`, role: `race_${i % 5}` }));
          const options = { refs: { role: `${users}_roles.name` }, createMissingRefs: true };
          const [a, b] = await Promise.all([
            db.load(users, rows('a'), options),
            other.load(users, rows('b'), options),
          ]);
          // Each load needed the 5 parents; the one that found them created by the other counts them too.
          assert.ok(a.refsCreated! + b.refsCreated! >= 5 && a.refsCreated! <= 5 && b.refsCreated! <= 5);
          const roles = await target.query<{ name: string }>(`SELECT name FROM ${users}_roles ORDER BY name`);
          assert.deepEqual(
            roles.map((r) => r.name),
            ['admin', 'race_0', 'race_1', 'race_2', 'race_3', 'race_4', 'user'],
          );
          const joined = await target.query<{ username: string; name: string }>(
            `SELECT u.username, r.name FROM ${users} u JOIN ${users}_roles r ON r.id = u.role_id`,
          );
          assert.equal(joined.length, 40);
          for (const r of joined) assert.equal(r.name, `race_${Number(r.username.slice(1)) % 5}`);
        } finally {
          await other.close();
        }
      });

    it('refs: a composite natural key, a named column, with --commit-every', async () => {
      await target.query('DROP TABLE IF EXISTS f_shops');
      await target.query('DROP TABLE IF EXISTS f_areas');
      await target.query(
        `CREATE TABLE f_areas (${serial}, region VARCHAR(10) NOT NULL, code VARCHAR(10) NOT NULL, UNIQUE (region, code))`,
      );
      await target.query(`INSERT INTO f_areas (region, code) VALUES ('eu', '1'), ('eu', '2'), ('us', '1')`);
      await target.query(`CREATE TABLE f_shops (${serial}, name VARCHAR(20) NOT NULL, area_id INTEGER)`);
      const file = join(dir, `${dialect}-shops.csv`);
      writeFileSync(file, 'name,region,code\na,eu,1\nb,us,1\nc,eu,2\nd,,\n');
      const report = await db.load('f_shops', file, {
        refs: { 'region,code': 'f_areas.region,code:area_id' },
        commitEvery: 2,
      });
      assert.equal(report.rowsLoaded, 4);
      const joined = await target.query<{ name: string; region: string | null; code: string | null }>(
        'SELECT s.name, a.region, a.code FROM f_shops s LEFT JOIN f_areas a ON a.id = s.area_id ORDER BY s.name',
      );
      assert.deepEqual(
        joined.map((r) => [r.name, r.region, r.code]),
        [
          ['a', 'eu', '1'],
          ['b', 'us', '1'],
          ['c', 'eu', '2'],
          ['d', null, null],
        ],
      );
    });

    it('refs with --commit-every and --resume: an unknown key stops the load after its commits; resumed, every row is there once', async () => {
      const users = 'f_resume';
      await schema(users);
      const file = join(dir, `${dialect}-resume.csv`);
      writeFileSync(file, 'username,role\na,admin\nb,user\nc,admin\nd,boss\ne,user\nf,boss\n');
      const options = { refs: { role: `${users}_roles.name` }, commitEvery: 2, returning: ['id'] };
      await assert.rejects(db.load(users, file, options), (error: unknown) => {
        assert.ok(error instanceof SluiceError);
        assert.equal(error.location?.line, 5);
        assert.equal(error.rowsCommitted, 2);
        return true;
      });
      assert.equal((await idsByName(users)).size, 2);
      await target.query(`INSERT INTO ${users}_roles (name) VALUES ('boss')`);
      const report = await db.load(users, file, { ...options, resume: true });
      assert.deepEqual(report.resumedFrom?.ordinal, 2);
      const joined = await target.query<{ username: string; name: string }>(
        `SELECT u.username, r.name FROM ${users} u JOIN ${users}_roles r ON r.id = u.role_id ORDER BY u.username`,
      );
      assert.deepEqual(
        joined.map((r) => [r.username, r.name]),
        [
          ['a', 'admin'],
          ['b', 'user'],
          ['c', 'admin'],
          ['d', 'boss'],
          ['e', 'user'],
          ['f', 'boss'],
        ],
      );
      // The resumed run returns the rows it loaded: records 3 to 6.
      const table = await idsByName(users);
      assert.deepEqual(
        report.returning,
        ['c', 'd', 'e', 'f'].map((u) => ({ id: table.get(u) })),
      );
    });

    it('explain: a CSV with --ref is parsed, not copied raw, and says why', async () => {
      const users = 'f_explain';
      await schema(users);
      const file = join(dir, `${dialect}-explain.csv`);
      writeFileSync(file, 'username,role\nann,admin\n');
      const report = await db.explain(users, file, { refs: { role: `${users}_roles.name` } });
      assert.equal(report.plan.rawCopy, false);
      if (dialect !== 'sqlite')
        assert.ok(
          report.plan.reasons.some((r) => /parsed, not copied raw: --ref/.test(r)),
          report.plan.reasons.join('\n'),
        );
      assert.deepEqual(report.columns, ['username', 'role_id']);
    });
  });
}
