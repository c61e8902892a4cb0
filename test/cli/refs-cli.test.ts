/**
 * Issue 15 through the built CLI on SQLite: --ref fills the foreign key from role names,
 * --create-missing-refs creates the missing role, and an unknown key exits 2 naming the value and
 * the line with nothing loaded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sluice } from '../support/cli.js';

function fresh(): { dir: string; file: string; db: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-refs-cli-'));
  const file = join(dir, 'app.db');
  const db = new Database(file);
  db.exec(`CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    INSERT INTO roles (id, name) VALUES (1, 'admin'), (2, 'user');
    CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL, role_id INTEGER REFERENCES roles (id));`);
  writeFileSync(join(dir, 'users.csv'), 'username,role\nann,admin\nben,boss\ncid,\n');
  return { dir, file, db };
}

describe('sluice load --ref (issue 15)', () => {
  it('an unknown key: exit 2, the value and the line, nothing loaded', async () => {
    const { dir, file, db } = fresh();
    const result = await sluice(['load', 'users.csv', '--db', `sqlite:${file}`, '--ref', 'role=roles.name'], {
      cwd: dir,
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /users\.csv:3: unknown role "boss": "roles" has no row with name = "boss"/);
    assert.equal(db.prepare('SELECT count(*) FROM users').pluck().get(), 0);
    db.close();
  });

  it('--create-missing-refs: the missing role is created; an empty key stays NULL', async () => {
    const { dir, file, db } = fresh();
    const result = await sluice(
      [
        'load',
        'users.csv',
        '--db',
        `sqlite:${file}`,
        '--ref',
        'role=roles.name',
        '--create-missing-refs',
        '--json',
      ],
      { cwd: dir },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { rowsLoaded: number; refsCreated: number };
    assert.equal(report.rowsLoaded, 3);
    assert.equal(report.refsCreated, 1);
    assert.deepEqual(
      db
        .prepare(
          'SELECT u.username, r.name FROM users u LEFT JOIN roles r ON r.id = u.role_id ORDER BY u.username',
        )
        .raw()
        .all(),
      [
        ['ann', 'admin'],
        ['ben', 'boss'],
        ['cid', null],
      ],
    );
    db.close();
  });
});
