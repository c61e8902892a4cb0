/** Issue 18 from the built CLI: --defer-constraints, its phases in --json and the summary, exit 2 when refused. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sluice } from '../support/cli.js';

function setup(): { cwd: string; file: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-defer-cli-'));
  const file = join(cwd, 'app.db');
  const db = new Database(file);
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL, email TEXT);
    CREATE UNIQUE INDEX users_username ON users (username);
    CREATE INDEX users_email ON users (email) WHERE email IS NOT NULL`);
  db.close();
  writeFileSync(join(cwd, 'users.csv'), 'username,email\nalice,a@x\nbob,\ncarol,c@x\n');
  return { cwd, file };
}

describe('sluice load --defer-constraints (issue 18)', () => {
  it('reports what was rebuilt and each phase, in --json and in the summary', async () => {
    const { cwd, file } = setup();
    const args = ['load', 'users.csv', '--db', `sqlite:${file}`, '--defer-constraints'];
    const json = await sluice([...args, '--json'], { cwd });
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.rowsLoaded, 3);
    assert.deepEqual(report.deferredConstraints.rebuilt, ['index users_email', 'index users_username']);
    for (const phase of ['drop', 'load', 'rebuild'])
      assert.equal(typeof report.deferredConstraints.seconds[phase], 'number');
    const db = new Database(file);
    db.exec('DELETE FROM users');
    db.close();
    const text = await sluice(args, { cwd });
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /constraints deferred \(2 rebuilt\): dropped in [\d.]+ s, rows in [\d.]+ s, rebuilt in [\d.]+ s/,
    );
  });

  it('a duplicate found by the rebuild is exit 1, nothing committed', async () => {
    const { cwd, file } = setup();
    writeFileSync(join(cwd, 'users.csv'), 'username,email\nalice,a@x\nalice,b@x\n');
    const r = await sluice(['load', 'users.csv', '--db', `sqlite:${file}`, '--defer-constraints'], { cwd });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rebuilding index users_username after the rows failed: UNIQUE constraint failed/);
    assert.match(r.stderr, /nothing was committed/);
    const db = new Database(file, { readonly: true });
    assert.equal((db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n, 0);
    assert.equal(
      (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'index'").get() as { n: number }).n,
      2,
    );
    db.close();
  });

  it('explain says what would be rebuilt; with --commit-every or --on-error skip it is exit 2', async () => {
    const { cwd, file } = setup();
    const base = ['users.csv', '--db', `sqlite:${file}`, '--defer-constraints'];
    const explain = await sluice(['explain', ...base], { cwd });
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(
      explain.stdout,
      /--defer-constraints: rebuilt after the rows: index users_email, index users_username/,
    );
    for (const extra of [
      ['--commit-every', '2'],
      ['--on-error', 'skip'],
    ]) {
      for (const command of ['explain', 'load']) {
        const r = await sluice([command, ...base, ...extra], { cwd });
        assert.equal(r.code, 2, `${command} ${extra.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /--defer-constraints cannot be used here/);
      }
    }
  });
});
