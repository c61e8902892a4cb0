/** Issue 13 from the built CLI: --on-conflict, --key, --update, the counts, exit 2 for a bad key. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sluice } from '../support/cli.js';

function setup(): { cwd: string; file: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-upsert-cli-'));
  const file = join(cwd, 'app.db');
  const db = new Database(file);
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT, role TEXT);
    INSERT INTO users (username, email, role) VALUES ('alice', 'a@x', 'admin'), ('bob', 'b@x', 'user')`);
  db.close();
  writeFileSync(
    join(cwd, 'users.csv'),
    'username,email,role\nalice,a@x,admin\nbob,b2@x,staff\ncarol,c@x,user\n',
  );
  return { cwd, file };
}

function rows(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT username, email, role FROM users ORDER BY username').raw().all();
  } finally {
    db.close();
  }
}

describe('sluice load --on-conflict (issue 13)', () => {
  it('--on-conflict update --key username --update email: counts in --json and the summary', async () => {
    const { cwd, file } = setup();
    const args = [
      'load',
      'users.csv',
      '--db',
      `sqlite:${file}`,
      '--on-conflict',
      'update',
      '--key',
      'username',
    ];
    const r = await sluice([...args, '--update', 'email', '--json'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      [report.rowsRead, report.rowsInserted, report.rowsUpdated, report.rowsUnchanged, report.rowsRejected],
      [3, 1, 1, 1, 0],
    );
    assert.deepEqual(rows(file), [
      ['alice', 'a@x', 'admin'],
      ['bob', 'b2@x', 'user'],
      ['carol', 'c@x', 'user'],
    ]);
    const again = await sluice(args, { cwd });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^loaded 3 rows \(0 inserted, 1 updated, 2 unchanged\) into users /);
  });

  it('a --key without a unique index is exit 2 listing the unique keys, nothing written', async () => {
    const { cwd, file } = setup();
    const r = await sluice(
      ['load', 'users.csv', '--db', `sqlite:${file}`, '--on-conflict', 'update', '--key', 'email'],
      { cwd },
    );
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'sluice: --key email: table "users" has no unique index or constraint on exactly these columns; its unique keys: (id), (username)\nhint: use one of its unique keys as --key, or add a unique index on these columns\n',
    );
    assert.equal(rows(file).length, 2);
  });

  it('--key without --on-conflict is bad usage', async () => {
    const { cwd, file } = setup();
    const r = await sluice(['load', 'users.csv', '--db', `sqlite:${file}`, '--key', 'username'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--key and --update only apply to an upsert/);
  });
});
