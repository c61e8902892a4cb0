/**
 * Issue 18: --defer-constraints. On PostgreSQL every definition is the same after a load as before
 * (pg_get_constraintdef, pg_get_indexdef, comments, replica identity, clustering), with a partial
 * index, an expression index, INCLUDE and storage parameters, a DEFERRABLE foreign key, a NOT VALID
 * one (kept), an exclusion constraint, a self-referencing foreign key and an inbound one from
 * another table; a duplicate key or an orphan fails the load and leaves rows and definitions as
 * they were; what cannot be deferred is refused with exit 2. SQLite rebuilds its CREATE INDEX
 * indexes; MySQL/MariaDB refuses.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-defer-'));

async function refused(load: Promise<unknown>, words: RegExp): Promise<void> {
  await assert.rejects(load, (error: unknown) => {
    assert.ok(error instanceof SluiceError, String(error));
    assert.equal(error.exitCode, 2, error.message);
    assert.match(error.message, words);
    return true;
  });
}

if (DIALECTS.includes('postgres')) {
  describe('--defer-constraints on postgres (issue 18)', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('postgres', (opened) => ({ target, db } = opened));

    async function schema(): Promise<void> {
      await target.query('DROP VIEW IF EXISTS user_names');
      await target.query('DROP TABLE IF EXISTS orders, users, teams, roles');
      // One statement at a time: in one implicit transaction the deferred foreign key's pending
      // checks would refuse the ALTER TABLEs after the INSERT.
      const statements = `
        CREATE TABLE roles (id int PRIMARY KEY, name text UNIQUE NOT NULL);
        INSERT INTO roles VALUES (1, 'admin'), (2, 'editor');
        CREATE TABLE teams (id int PRIMARY KEY);
        CREATE TABLE users (
          id serial PRIMARY KEY,
          username varchar(100) NOT NULL,
          email text,
          tenant int NOT NULL DEFAULT 0,
          created_at timestamp,
          period tsrange,
          role_id int REFERENCES roles (id) DEFERRABLE INITIALLY DEFERRED,
          manager_id int REFERENCES users (id),
          team_id int,
          CONSTRAINT users_username_key UNIQUE (username) WITH (fillfactor = 70),
          CONSTRAINT users_tenant_email UNIQUE NULLS NOT DISTINCT (tenant, email) INCLUDE (created_at)
            DEFERRABLE INITIALLY IMMEDIATE,
          CONSTRAINT users_no_overlap EXCLUDE USING gist (period WITH &&)
        );
        INSERT INTO teams VALUES (1);
        INSERT INTO users (username, email, role_id, team_id) VALUES ('old', 'old@x', 1, 99);
        ALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES teams (id) NOT VALID;
        CREATE INDEX users_lower_email ON users (lower(email)) WHERE email IS NOT NULL;
        CREATE INDEX users_role ON users USING hash (role_id);
        CREATE UNIQUE INDEX users_id_tenant ON users (id, tenant);
        ALTER TABLE users REPLICA IDENTITY USING INDEX users_id_tenant;
        CREATE INDEX users_created ON users (created_at DESC NULLS LAST);
        ALTER TABLE users CLUSTER ON users_created;
        COMMENT ON CONSTRAINT users_username_key ON users IS 'one name, one user';
        COMMENT ON INDEX users_lower_email IS 'for the login''s lookup';
        CREATE TABLE orders (id int PRIMARY KEY, user_id int CONSTRAINT orders_user_fk REFERENCES users (id));
        INSERT INTO orders VALUES (1, 1);
      `;
      for (const statement of statements.split(';\n')) if (statement.trim()) await target.query(statement);
    }

    /** Every definition on the tables, as the catalog prints it. */
    async function definitions(): Promise<unknown[]> {
      return target.query(`
        SELECT 'constraint' AS what, conrelid::regclass::text AS tab, conname AS name,
               pg_get_constraintdef(oid) AS def, obj_description(oid, 'pg_constraint') AS comment,
               condeferrable::text || condeferred::text || convalidated::text AS flags
          FROM pg_constraint WHERE conrelid IN ('users'::regclass, 'orders'::regclass)
        UNION ALL
        SELECT 'index', indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid),
               obj_description(indexrelid, 'pg_class'), indisreplident::text || indisclustered::text
          FROM pg_index WHERE indrelid IN ('users'::regclass, 'orders'::regclass)
        UNION ALL
        SELECT 'table', relname, '', relreplident::text, obj_description(oid, 'pg_class'), ''
          FROM pg_class WHERE oid = 'users'::regclass
        ORDER BY 1, 2, 3`);
    }

    const rows = [
      { username: 'ann', email: 'ann@x', role_id: 1, manager_id: 1, period: '[2024-01-01,2024-02-01)' },
      { username: 'ben', email: null, role_id: 2, manager_id: null, period: '[2024-02-01,2024-03-01)' },
      { username: 'cy', email: 'cy@x', role_id: 2, manager_id: 1, period: null },
    ];

    it('rebuilds every definition exactly as it was, inbound foreign key included', async () => {
      await schema();
      const before = await definitions();
      assert.ok(before.length >= 14, `the schema has its definitions: ${before.length}`);
      const report = await db.load('users', rows, { deferConstraints: true });
      assert.equal(report.rowsLoaded, 3);
      assert.deepEqual(await definitions(), before);
      const rebuilt = report.deferredConstraints!.rebuilt;
      for (const name of [
        'primary key users_pkey',
        'unique users_username_key',
        'unique users_tenant_email',
        'exclusion users_no_overlap',
        'index users_lower_email',
        'index users_role',
        'index users_id_tenant',
        'index users_created',
        'foreign key users_role_id_fkey',
        'foreign key users_manager_id_fkey',
        'inbound foreign key orders_user_fk (public.orders)',
      ])
        assert.ok(rebuilt.includes(name), `${name} in ${rebuilt.join(', ')}`);
      assert.ok(!rebuilt.some((r) => r.includes('users_team_fk')));
      assert.match(report.deferredConstraints!.kept.join('\n'), /users_team_fk: NOT VALID/);
      const { drop, load, rebuild } = report.deferredConstraints!.seconds;
      assert.ok(drop >= 0 && load >= 0 && rebuild >= 0);
      const [count] = await target.query<{ n: string }>('SELECT count(*) AS n FROM users');
      assert.equal(Number(count!.n), 4);
      // The NOT VALID key stays NOT VALID, and the old row it never checked is still there.
      const [key] = await target.query<{ validated: boolean }>(
        "SELECT convalidated AS validated FROM pg_constraint WHERE conname = 'users_team_fk'",
      );
      assert.equal(key!.validated, false);
    });

    it('a CSV copied raw gets the same rebuild', async () => {
      await schema();
      const before = await definitions();
      const file = join(dir, 'users.csv');
      writeFileSync(file, 'username,email,role_id\ndee,dee@x,1\neve,eve@x,2\n');
      const report = await db.load('users', file, { deferConstraints: true });
      assert.equal(report.rawCopy, true);
      assert.equal(report.rowsLoaded, 2);
      assert.deepEqual(await definitions(), before);
    });

    for (const [what, row, words] of [
      [
        'a duplicate key',
        { username: 'old', email: 'dup@x', role_id: 1 },
        /users_username_key.*\(username\)=\(old\)/,
      ],
      [
        'an orphan foreign key',
        { username: 'zed', email: 'z@x', role_id: 7 },
        /users_role_id_fkey.*\(role_id\)=\(7\)/,
      ],
      [
        'a self-referencing orphan',
        { username: 'zoe', email: 'zoe@x', manager_id: 42 },
        /users_manager_id_fkey/,
      ],
      [
        'a duplicate in a unique index',
        { username: 'tim', email: 'old@x', role_id: 1 },
        /users_tenant_email/,
      ],
    ] as const) {
      it(`${what} fails the load and leaves rows and definitions as they were`, async () => {
        await schema();
        const before = await definitions();
        const rowsBefore = await target.query('SELECT * FROM users ORDER BY id');
        await assert.rejects(
          db.load('users', [...rows, row], { deferConstraints: true }),
          (error: unknown) => {
            assert.ok(error instanceof SluiceError);
            assert.equal(error.code, 'LOAD_FAILED');
            assert.equal(error.rowsCommitted, 0);
            assert.match(error.message, /^rebuilding .* after the rows failed/);
            assert.match(error.message, words);
            return true;
          },
        );
        assert.deepEqual(await definitions(), before);
        assert.deepEqual(await target.query('SELECT * FROM users ORDER BY id'), rowsBefore);
      });
    }

    it('keeps a key a view depends on, and the inbound foreign key that needs it', async () => {
      await schema();
      // GROUP BY the primary key: the view depends on the constraint itself.
      await target.query('CREATE VIEW user_names AS SELECT id, username FROM users GROUP BY id');
      const before = await definitions();
      const report = await db.load('users', rows, { deferConstraints: true });
      const { rebuilt, kept } = report.deferredConstraints!;
      assert.ok(!rebuilt.includes('primary key users_pkey'));
      assert.ok(!rebuilt.some((r) => r.includes('orders_user_fk')));
      assert.ok(rebuilt.includes('unique users_username_key'));
      assert.match(
        kept.join('\n'),
        /primary key users_pkey: kept, rule _RETURN on view user_names depends on it/,
      );
      assert.deepEqual(await definitions(), before);
    });

    it('explain lists what is rebuilt, what is kept, the lock and when it pays', async () => {
      await schema();
      const report = await db.explain('users', rows, { deferConstraints: true });
      const why = report.plan.reasons.join('\n');
      assert.match(why, /ACCESS EXCLUSIVE/);
      assert.match(why, /pays when the table is empty or small/);
      assert.match(why, /orders_user_fk \(public\.orders\)/);
      assert.match(why, /kept in place: foreign key users_team_fk/);
      assert.match(why, /the table is not empty|holds about/);
      assert.ok(report.deferredConstraints!.rebuilt.some((d) => d.definition === 'PRIMARY KEY (id)'));
    });

    it('refuses what it cannot do, with exit 2, before anything is written', async () => {
      await schema();
      await refused(
        db.load('users', rows, { deferConstraints: true, commitEvery: 2 }),
        /--commit-every splits the load/,
      );
      await refused(
        db.load('users', rows, {
          deferConstraints: true,
          onConflict: { action: 'update', key: ['username'] },
        }),
        /upsert needs the unique index on its key \(username\)/,
      );
      await refused(db.load('users', rows, { deferConstraints: true, method: 'row' }), /--method row/);
      await refused(db.load('users', rows, { deferConstraints: true, onError: 'skip' }), /--on-error skip/);
      await target.query('CREATE TABLE parted (id int PRIMARY KEY) PARTITION BY RANGE (id)');
      await refused(db.load('parted', [{ id: 1 }], { deferConstraints: true }), /partitioned table/);
      await target.query('DROP TABLE parted');
      const [count] = await target.query<{ n: string }>('SELECT count(*) AS n FROM users');
      assert.equal(Number(count!.n), 1);
    });
  });
}

if (DIALECTS.includes('sqlite')) {
  describe('--defer-constraints on sqlite (issue 18)', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('sqlite', (opened) => ({ target, db } = opened));

    async function schema(): Promise<void> {
      await target.query('DROP TABLE IF EXISTS users');
      await target.query(
        'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, email TEXT, role_id INTEGER)',
      );
      await target.query('CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL');
      await target.query('CREATE INDEX users_role ON users (role_id, username)');
      await target.query("INSERT INTO users (username, email) VALUES ('old', 'old@x')");
    }
    const definitions = (): Promise<unknown[]> =>
      target.query(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name = 'users' ORDER BY name",
      );

    it('rebuilds the CREATE INDEX indexes as written, keeps the table-definition ones', async () => {
      await schema();
      const before = await definitions();
      const report = await db.load('users', [{ username: 'ann', email: 'ANN@x', role_id: 1 }], {
        deferConstraints: true,
      });
      assert.deepEqual(report.deferredConstraints!.rebuilt, ['index users_email', 'index users_role']);
      assert.match(report.deferredConstraints!.kept.join('\n'), /part of the table definition/);
      assert.deepEqual(await definitions(), before);
    });

    it('a duplicate found by a rebuilt unique index rolls everything back', async () => {
      await schema();
      const before = await definitions();
      await assert.rejects(
        db.load('users', [{ username: 'ann', email: 'OLD@x' }], { deferConstraints: true }),
        /rebuilding index users_email after the rows failed: UNIQUE constraint failed/,
      );
      assert.deepEqual(await definitions(), before);
      assert.deepEqual(await target.query('SELECT username FROM users'), [{ username: 'old' }]);
    });
  });
}

if (DIALECTS.includes('mysql')) {
  describe('--defer-constraints on mysql (issue 18)', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('mysql', (opened) => ({ target, db } = opened));

    it('is refused with the reason, exit 2, nothing written', async () => {
      await target.query('CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(20) UNIQUE)');
      await refused(
        db.load('users', [{ id: 1, name: 'a' }], { deferConstraints: true }),
        /InnoDB commits every ALTER TABLE at once/,
      );
      await refused(db.explain('users', [{ id: 1, name: 'a' }], { deferConstraints: true }), /unique_checks/);
      assert.deepEqual(await target.query('SELECT * FROM users'), []);
    });
  });
}
