/**
 * Issue 11, defect 2: a password pasted into a URL unencoded, with `@ / ? # : %` in it, connects
 * (on MariaDB and on a PostgreSQL cluster that checks passwords) and never shows, whole or in part,
 * in stdout, stderr, --json, explain, SLUICE_DEBUG=1 stack traces or the library's error causes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { open, SluiceError } from '../../src/index.js';
import { sluice, type CliResult } from '../support/cli.js';
import { startScramCluster, type ScramCluster } from '../support/scram-postgres.js';
import { DIALECTS, MYSQL_URL, PG_URL, freshTarget, type TestTarget } from '../support/targets.js';

/** Every character that ends a URL part, unencoded. */
const PASSWORD = 'S3cr@t/Pw?9#x:y%z';
const WRONG = 'Wr0ng@/?#:%' + PASSWORD;

/** The first 4-character piece of `secret` found in `text`, or undefined. */
function leak(text: string, secret: string): string | undefined {
  for (let i = 0; i + 4 <= secret.length; i++)
    if (text.includes(secret.slice(i, i + 4))) return secret.slice(i, i + 4);
  return undefined;
}

function assertNoLeak(text: string, secret: string, what: string): void {
  const piece = leak(text, secret);
  assert.equal(piece, undefined, `${what} shows ${JSON.stringify(piece)} of the password:\n${text}`);
}

/** An error as deep as a logger could print it: hidden properties, stacks, the cause chain. */
function everything(error: unknown): string {
  return inspect(error, { showHidden: true, depth: 10, breakLength: Infinity });
}

function assertCliClean(r: CliResult, secret: string, what: string): void {
  assertNoLeak(r.stdout, secret, `${what}: stdout`);
  assertNoLeak(r.stderr, secret, `${what}: stderr`);
}

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pw-'));
  writeFileSync(join(dir, 'people.csv'), 'id,name\n1,ann\n2,bo\n');
  writeFileSync(join(dir, 'bad.csv'), 'id,name\n3,cy\nabc,dee\n');
  return dir;
}

function userName(): string {
  return `sluice_pw_${randomBytes(3).toString('hex')}`;
}

/** The CLI checks shared by both servers: load, --json, explain, a refused row under SLUICE_DEBUG. */
async function cliChecks(url: string, shown: RegExp, count: () => Promise<number>): Promise<void> {
  const cwd = workdir();
  const create = ['--create'];
  const loaded = await sluice(['load', 'people.csv', '--db', url, ...create], { cwd });
  assert.equal(loaded.code, 0, loaded.stderr);
  assertCliClean(loaded, PASSWORD, 'load');
  assert.match(loaded.stdout, shown);
  assert.equal(await count(), 2);
  const json = await sluice(['load', 'people.csv', '--db', url, '--json', '--table', 'people2', ...create], {
    cwd,
  });
  assert.equal(json.code, 0, json.stderr);
  assertCliClean(json, PASSWORD, '--json');
  assert.equal(JSON.parse(json.stdout).rowsLoaded, 2);
  for (const extra of [[], ['--json']]) {
    const explained = await sluice(['explain', 'people.csv', '--db', url, ...extra], { cwd });
    assert.equal(explained.code, 0, explained.stderr);
    assertCliClean(explained, PASSWORD, 'explain');
  }
  const refused = await sluice(['load', 'bad.csv', '--db', url, '--table', 'people', '--method', 'values'], {
    cwd,
    env: { SLUICE_DEBUG: '1' },
  });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /caused by: /);
  assertCliClean(refused, PASSWORD, 'a refused row under SLUICE_DEBUG=1');
  assert.equal(await count(), 2);
}

/** A wrong password: exit 2, the driver's error under SLUICE_DEBUG, nothing of the password. */
async function wrongPasswordChecks(url: string, refusal: RegExp): Promise<void> {
  const cwd = workdir();
  for (const extra of [[], ['--json']]) {
    const r = await sluice(['load', 'people.csv', '--db', url, ...extra], {
      cwd,
      env: { SLUICE_DEBUG: '1' },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, refusal);
    assert.match(r.stderr, /caused by: /);
    assertCliClean(r, WRONG, 'a refused login');
  }
  const error = await open(url).then(
    () => assert.fail('the login should fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SluiceError);
  assert.equal(error.code, 'CONNECTION_FAILED');
  assert.ok(error.cause instanceof Error, 'the driver error is kept as the cause');
  assert.match(String((error.cause as Error).message), refusal);
  assertNoLeak(everything(error), WRONG, 'the error and its causes');
}

if (DIALECTS.includes('mysql')) {
  describe('issue 11 defect 2: passwords with @ / ? # : % on MariaDB', () => {
    let target: TestTarget;
    let admin: mysql.Connection;
    const user = userName();
    let database: string;
    const urlFor = (password: string): string => `mysql://${user}:${password}@127.0.0.1:3306/${database}`;
    before(async () => {
      target = await freshTarget('mysql');
      database = new URL(target.url).pathname.slice(1);
      admin = await mysql.createConnection(MYSQL_URL);
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', PASSWORD]);
      await admin.query(`GRANT ALL ON \`${database}\`.* TO ?@?`, [user, '%']);
    });
    after(async () => {
      await admin.query('DROP USER IF EXISTS ?@?', [user, '%']);
      await admin.end();
      await target.close();
    });
    const count = async (): Promise<number> =>
      Number((await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM people'))[0]!.n);

    it('connects and loads with the password as pasted, and percent-encoded', async () => {
      for (const password of [PASSWORD, encodeURIComponent(PASSWORD)]) {
        const db = await open(urlFor(password));
        try {
          await db.load('pasted', [{ id: 1 }], { create: true });
        } finally {
          await db.close();
        }
      }
      const rows = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM pasted');
      assert.equal(Number(rows[0]!.n), 2);
    });

    it('the CLI shows none of it: load, --json, explain, a refused row under SLUICE_DEBUG=1', async () => {
      await cliChecks(
        urlFor(PASSWORD),
        new RegExp(
          `^loaded 2 rows into people \\(mysql://${user}:\\*\\*\\*@127\\.0\\.0\\.1:3306/${database}\\)`,
        ),
        count,
      );
    });

    it('a wrong password: nothing of it in stderr, stack traces or the error causes', async () => {
      await wrongPasswordChecks(urlFor(WRONG), /Access denied for user/);
    });
  });
}

if (DIALECTS.includes('postgres')) {
  describe('issue 11 defect 2: passwords with @ / ? # : % on PostgreSQL', () => {
    let cluster: ScramCluster | string;
    let admin: pg.Client | undefined;
    const user = userName();
    const urlFor = (password: string, port: number): string =>
      `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
    before(async () => {
      cluster = await startScramCluster();
      if (typeof cluster === 'string') return;
      admin = new pg.Client({
        host: '127.0.0.1',
        port: cluster.port,
        user: 'postgres',
        password: cluster.adminPassword,
        database: 'postgres',
      });
      await admin.connect();
      await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${PASSWORD.replaceAll("'", "''")}'`);
      await admin.query(`GRANT CREATE ON SCHEMA public TO ${user}`);
    });
    after(async () => {
      if (admin !== undefined) {
        await admin.query(`DROP OWNED BY ${user}`);
        await admin.query(`DROP ROLE ${user}`);
        await admin.end();
      }
      if (typeof cluster !== 'string') cluster?.stop();
    });
    const skip = (t: { skip(reason: string): void }): boolean => {
      if (typeof cluster !== 'string') return false;
      t.skip(`no PostgreSQL cluster that checks passwords: ${cluster}`);
      return true;
    };
    const count = async (): Promise<number> =>
      (await admin!.query<{ n: number }>('SELECT count(*)::int AS n FROM people')).rows[0]!.n;

    it('a cluster that checks passwords (scram-sha-256) accepts it as pasted, and percent-encoded', async (t) => {
      if (skip(t)) return;
      const { port } = cluster as ScramCluster;
      for (const password of [PASSWORD, encodeURIComponent(PASSWORD)]) {
        const db = await open(urlFor(password, port));
        try {
          await db.load('pasted', [{ id: 1 }], { create: true });
        } finally {
          await db.close();
        }
      }
      const rows = await admin!.query<{ n: number }>('SELECT count(*)::int AS n FROM pasted');
      assert.equal(rows.rows[0]!.n, 2);
    });

    it('the CLI shows none of it: load, --json, explain, a refused row under SLUICE_DEBUG=1', async (t) => {
      if (skip(t)) return;
      const { port } = cluster as ScramCluster;
      await admin!.query('DROP TABLE IF EXISTS people, people2');
      await admin!.query(`SET ROLE ${user}`);
      await admin!.query('CREATE TABLE people (id int PRIMARY KEY, name text)');
      await admin!.query('RESET ROLE');
      await cliChecks(
        urlFor(PASSWORD, port),
        new RegExp(
          `^loaded 2 rows into people \\(postgres://${user}:\\*\\*\\*@127\\.0\\.0\\.1:${port}/postgres\\)`,
        ),
        count,
      );
    });

    it('a wrong password: nothing of it in stderr, stack traces or the error causes', async (t) => {
      if (skip(t)) return;
      await wrongPasswordChecks(
        urlFor(WRONG, (cluster as ScramCluster).port),
        /password authentication failed/,
      );
    });

    it('on the shared server too (which trusts local logins): the user, host and database are read right', async () => {
      const target = await freshTarget('postgres');
      const server = new pg.Client({ connectionString: PG_URL });
      await server.connect();
      const role = userName();
      try {
        await server.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD.replaceAll("'", "''")}'`);
        const url = new URL(target.url);
        const database = url.pathname.slice(1);
        await target.query(`GRANT CREATE ON SCHEMA public TO ${role}`);
        const db = await open(`postgres://${role}:${PASSWORD}@${url.host}/${database}`);
        try {
          await db.load('pasted', [{ id: 1 }], { create: true });
        } finally {
          await db.close();
        }
        const rows = await target.query<{ owner: string }>(
          "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'pasted'",
        );
        assert.deepEqual(rows, [{ owner: role }]);
      } finally {
        await target.close();
        await server.query(`DROP ROLE IF EXISTS ${role}`);
        await server.end();
      }
    });
  });
}

describe('issue 11 defect 2: a URL that cannot be read is refused without echoing its userinfo', () => {
  const cases = [
    [
      'a broken host part',
      `postgres://u:${PASSWORD}@[::1`,
      /^sluice: cannot parse the database URL postgres:\/\/\*\*\*@\[::1: its host part is not a valid/,
    ],
    [
      'a port that is not a number',
      `mysql://u:${PASSWORD}@127.0.0.1:port/db`,
      /^sluice: cannot parse the database URL mysql:\/\/\*\*\*@127\.0\.0\.1:port\/db: its host part/,
    ],
    [
      'an @ that may end the password or belong to the query',
      `postgres://u:${PASSWORD.replace('#', '')}@localhost/db?application_name=a@b`,
      /^sluice: cannot parse the database URL postgres:\/\/\*\*\*@b: it is ambiguous/,
    ],
  ] as const;
  for (const [name, url, message] of cases) {
    it(name, async () => {
      const cwd = workdir();
      for (const command of ['load', 'explain']) {
        for (const extra of [[], ['--json']]) {
          const r = await sluice([command, 'people.csv', '--db', url, ...extra], {
            cwd,
            env: { SLUICE_DEBUG: '1' },
          });
          assert.equal(r.code, 2, r.stderr);
          assert.match(r.stderr, message);
          assert.match(r.stderr, /\nhint: .*percent-encode the special characters of the password: @ as %40/);
          assert.equal(r.stdout, '');
          assertCliClean(r, PASSWORD.replace('#', ''), `${command} ${extra.join('')}`);
          const viaEnv = await sluice([command, 'people.csv', ...extra], { cwd, env: { DATABASE_URL: url } });
          assert.equal(viaEnv.code, 2);
          assertCliClean(viaEnv, PASSWORD.replace('#', ''), `${command} with DATABASE_URL`);
        }
      }
      const error = await open(url).then(
        () => assert.fail('open() should refuse the URL'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SluiceError);
      assert.equal(error.code, 'BAD_USAGE');
      assertNoLeak(everything(error), PASSWORD.replace('#', ''), 'the error');
    });
  }
});
