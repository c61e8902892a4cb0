/**
 * The built CLI against PostgreSQL: exit codes, and the password of the URL nowhere in stdout,
 * stderr, --json or explain. The server trusts local connections, so the password is ignored by
 * the server but travels through every code path that could leak it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sluice, type CliResult } from '../support/cli.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const PASSWORD = 's3cretPW';

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-pg-cli-'));
}

function assertNoPassword(r: CliResult): void {
  assert.ok(!r.stdout.includes(PASSWORD), `password in stdout: ${r.stdout}`);
  assert.ok(!r.stderr.includes(PASSWORD), `password in stderr: ${r.stderr}`);
}

if (DIALECTS.includes('postgres')) {
  describe('sluice CLI on PostgreSQL', () => {
    let target: TestTarget;
    let url: string;
    before(async () => {
      target = await freshTarget('postgres');
      const withPassword = new URL(target.url);
      withPassword.password = PASSWORD;
      url = withPassword.toString();
    });
    after(async () => {
      await target.close();
    });
    async function users(): Promise<void> {
      await target.query('DROP TABLE IF EXISTS users');
      await target.query(
        'CREATE TABLE users (id serial PRIMARY KEY, username text UNIQUE NOT NULL, role_id integer)',
      );
    }
    const count = async (): Promise<number> =>
      (await target.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))[0]!.n;

    it('loads with every method; the summary shows the URL with the password masked', async () => {
      const cwd = workdir();
      writeFileSync(join(cwd, 'users.csv'), 'username,role_id\nann,1\nbo,2\n');
      for (const method of ['auto', 'copy', 'values', 'pipeline', 'row']) {
        await users();
        const r = await sluice(['load', 'users.csv', '--db', url, '--method', method], { cwd });
        assert.equal(r.code, 0, r.stderr);
        assertNoPassword(r);
        const how = method === 'auto' || method === 'copy' ? 'copy, raw CSV' : method;
        assert.match(
          r.stdout,
          new RegExp(
            `^loaded 2 rows into users \\(postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:5432/\\w+\\) in \\d+\\.\\d+ s: \\d+ rows/s, method ${how}\\n$`,
          ),
        );
        assert.equal(await count(), 2);
      }
    });

    it('--json and DATABASE_URL: one object, no password', async () => {
      await users();
      const cwd = workdir();
      writeFileSync(join(cwd, 'users.ndjson'), '{"username":"a","role_id":1}\n{"username":"b"}\n');
      const r = await sluice(['load', 'users.ndjson', '--json'], { cwd, env: { DATABASE_URL: url } });
      assert.equal(r.code, 0, r.stderr);
      assertNoPassword(r);
      const report = JSON.parse(r.stdout);
      assert.deepEqual(
        [report.table, report.dialect, report.method, report.rowsRead, report.rowsLoaded, report.rawCopy],
        ['users', 'postgres', 'copy', 2, 2, false],
      );
    });

    it('explain prints the COPY and why, writes nothing, shows no password', async () => {
      await users();
      const cwd = workdir();
      writeFileSync(join(cwd, 'users.csv'), 'username,role_id\nann,1\n');
      const r = await sluice(['explain', 'users.csv', '--db', url], { cwd });
      assert.equal(r.code, 0, r.stderr);
      assertNoPassword(r);
      assert.match(
        r.stdout,
        /^plan for loading users\.csv into users \(postgres\)\n {2}method: {6}copy \(chosen by auto\)\n/,
      );
      assert.match(
        r.stdout,
        / {2}statement:\n {4}COPY "users" \("username", "role_id"\) FROM STDIN \(FORMAT csv, HEADER true, DELIMITER ','\)\n/,
      );
      assert.match(
        r.stdout,
        /- the CSV needs no transformation: the file's bytes go to COPY untouched \(a guard switches to parsing/,
      );
      assert.match(r.stdout, /nothing was written\.\n$/);
      const json = await sluice(['explain', 'users.csv', '--db', url, '--json'], { cwd });
      assertNoPassword(json);
      assert.equal(
        JSON.parse(json.stdout).statement,
        `COPY "users" ("username", "role_id") FROM STDIN (FORMAT csv, HEADER true, DELIMITER ',')`,
      );
      assert.equal(await count(), 0);
    });

    it('a missing table is exit 2 with a hint; --create creates it and prints the DDL', async () => {
      const cwd = workdir();
      writeFileSync(join(cwd, 'fresh.csv'), 'id,name\n1,ann\n');
      const missing = await sluice(['load', 'fresh.csv', '--db', url], { cwd });
      assert.equal(missing.code, 2);
      assertNoPassword(missing);
      assert.equal(
        missing.stderr,
        'sluice: table "fresh" does not exist\nhint: add --create to create it from the data (create: true in the library), or check --table\n',
      );
      const created = await sluice(['load', 'fresh.csv', '--db', url, '--create', '--quiet'], { cwd });
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stderr, '');
      assert.deepEqual(await target.query('SELECT id, name FROM fresh'), [{ id: '1', name: 'ann' }]);
      const again = await sluice(['load', 'fresh.csv', '--db', url, '--create'], { cwd });
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /created table/);
    });

    it('a refused row is exit 1 naming file:line and the server, nothing committed, no password', async () => {
      await users();
      const cwd = workdir();
      writeFileSync(join(cwd, 'dups.csv'), 'username,role_id\nann,1\nbo,1\nann,2\n');
      for (const method of ['copy', 'values', 'pipeline']) {
        const r = await sluice(['load', 'dups.csv', '--db', url, '--table', 'users', '--method', method], {
          cwd,
        });
        assert.equal(r.code, 1, method);
        assertNoPassword(r);
        assert.equal(
          r.stderr,
          'sluice: dups.csv:4: duplicate key value violates unique constraint "users_username_key": Key (username)=(ann) already exists. (23505)\nnothing was committed: the table is as it was before the load\n',
          method,
        );
      }
      assert.equal(await count(), 0);
    });

    it('an unreachable server or unknown database is exit 2, password masked', async () => {
      const cwd = workdir();
      writeFileSync(join(cwd, 'users.csv'), 'username\nann\n');
      const refused = `postgres://postgres:${PASSWORD}@127.0.0.1:1/db`;
      const r = await sluice(['load', 'users.csv', '--db', refused], { cwd, env: { SLUICE_DEBUG: '1' } });
      assert.equal(r.code, 2);
      assertNoPassword(r);
      assert.match(
        r.stderr,
        /^sluice: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/db: connect ECONNREFUSED 127\.0\.0\.1:1\nhint: /,
      );
      const nodb = new URL(url);
      nodb.pathname = '/sluice_no_such_database';
      const r2 = await sluice(['load', 'users.csv', '--db', nodb.toString()], { cwd });
      assert.equal(r2.code, 2);
      assertNoPassword(r2);
      assert.match(r2.stderr, /database "sluice_no_such_database" does not exist/);
      const broken = `postgres://postgres:${PASSWORD}@[::1`;
      const r3 = await sluice(['load', 'users.csv', '--db', broken], { cwd, env: { SLUICE_DEBUG: '1' } });
      assert.equal(r3.code, 2);
      assertNoPassword(r3);
    });

    it('--batch-size past the bind-parameter limit is exit 2 before anything is written', async () => {
      await users();
      const cwd = workdir();
      writeFileSync(join(cwd, 'users.csv'), 'username,role_id\nann,1\n');
      const r = await sluice(
        ['load', 'users.csv', '--db', url, '--method', 'values', '--batch-size', '40000'],
        { cwd },
      );
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /^sluice: --batch-size 40000 needs 80000 bind parameters per statement; this database takes at most 65535\nhint: use --batch-size 32767 or less\n$/,
      );
      assert.equal(await count(), 0);
    });
  });
}
