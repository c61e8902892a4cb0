/**
 * The built CLI (`node bin/sluice.js`, on dist/) against MySQL/MariaDB: exit codes, the exact
 * messages, and a password in --db that must never be printed.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const ROOT = resolve(import.meta.dirname, '../..');
const skip = !DIALECTS.includes('mysql');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sluice(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile('node', ['bin/sluice.js', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      done({ code, stdout, stderr });
    });
  });
}

describe('sluice CLI on mysql', { skip }, () => {
  let target: TestTarget;
  let dir: string;
  let users: string;

  before(() => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    dir = mkdtempSync(join(tmpdir(), 'sluice-mysql-cli-'));
    users = join(dir, 'users.csv');
    writeFileSync(users, 'username,email\nann,ann@x.org\nbob,\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    target = await freshTarget('mysql');
    await target.query('CREATE TABLE users (username VARCHAR(5) NOT NULL UNIQUE, email TEXT)');
  });
  afterEach(() => target.close());

  it('loads a CSV: exit 0 and one JSON object on stdout', async () => {
    const run = await sluice('load', users, '--db', target.url, '--json');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.table, 'users');
    assert.equal(report.method, 'copy');
    assert.equal(report.rawCopy, true);
    assert.equal(report.rowsLoaded, 2);
    assert.equal(run.stderr, '');
    assert.deepEqual(await target.query('SELECT username, email FROM users ORDER BY username'), [
      { username: 'ann', email: 'ann@x.org' },
      { username: 'bob', email: null },
    ]);
  });

  it('answers to mariadb:// too', async () => {
    const run = await sluice('load', users, '--db', target.url.replace(/^mysql:/, 'mariadb:'), '--quiet');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
  });

  it('a missing table is exit 2 with a hint, unless --create', async () => {
    const missing = await sluice('load', users, '--db', target.url, '--table', 'people');
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      'sluice: table `people` does not exist\nhint: add --create to create it from the data (create: true in the library), or check --table\n',
    );
    const created = await sluice(
      'load',
      users,
      '--db',
      target.url,
      '--table',
      'people',
      '--create',
      '--quiet',
    );
    assert.equal(created.code, 0, created.stderr);
    const [row] = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM people');
    assert.equal(row!.n, 2);
  });

  it('a value the server would change is exit 1, naming the line, with nothing committed', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'username,email\nann,a@x.org\nbernadette,b@x.org\n');
    const run = await sluice('load', bad, '--db', target.url, '--table', 'users');
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `sluice: ${bad}:3: Data truncated for column 'username' (warning 1265)\nnothing was committed: the table is as it was before the load\n`,
    );
    const values = await sluice('load', bad, '--db', target.url, '--table', 'users', '--method', 'values');
    assert.equal(values.code, 1);
    assert.match(
      values.stderr,
      new RegExp(`^sluice: ${bad}:3: Data too long for column 'username' \\(ER_DATA_TOO_LONG`),
    );
    const [row] = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM users');
    assert.equal(row!.n, 0);
  });

  it('a password in --db never appears, even when the login fails', async () => {
    const url = new URL(target.url);
    url.password = 's3cretPW';
    for (const json of [[], ['--json']]) {
      const run = await sluice('load', users, '--db', url.toString(), ...json);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        /^sluice: cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\/\S+: Access denied/,
      );
      assert.doesNotMatch(run.stderr, /s3cretPW/);
    }
  });

  it('explain prints the plan and writes nothing', async () => {
    const run = await sluice('explain', users, '--db', target.url);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /method: {6}copy \(chosen by auto\)/);
    assert.match(run.stdout, /LOAD DATA LOCAL INFILE 'sluice' INTO TABLE `users`/);
    assert.match(run.stdout, /nothing was written\.\n$/);
    const [row] = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM users');
    assert.equal(row!.n, 0);
  });
});
