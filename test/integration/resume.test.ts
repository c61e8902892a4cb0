import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { open, SluiceError } from '../../src/index.js';
import { sluice } from '../support/cli.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-resume-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `n` rows of id,name, with a record of three fields at line `badLine` when given. */
function csv(name: string, n: number, badLine?: number): string {
  const path = join(dir, name);
  let text = 'id,name\n';
  for (let i = 1; i <= n; i++) text += i + 1 === badLine ? `${i},x,extra\n` : `${i},name${i}\n`;
  writeFileSync(path, text);
  return path;
}

const TABLE = 'CREATE TABLE items (id INTEGER NOT NULL UNIQUE, name VARCHAR(50))';

for (const dialect of DIALECTS) {
  describe(`--commit-every checkpoints and --resume (${dialect})`, () => {
    let target: TestTarget;
    before(async () => {
      target = await freshTarget(dialect);
    });
    after(() => target?.close());

    test('stdin cannot be resumed: exit 2 before anything is read or written', async () => {
      const run = await sluice(
        ['load', '-', '--format', 'csv', '--table', 'items', '--db', target.url, '--resume'],
        { cwd: dir, input: 'id,name\n1,a\n' },
      );
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--resume cannot read stdin again/);
    });

    test('a failed load names what is committed and the resume command; a changed file or option is refused naming it', async () => {
      await target.query(TABLE);
      const path = csv('items.csv', 50, 35);
      const args = ['load', path, '--table', 'items', '--db', target.url, '--commit-every', '10'];
      const failed = await sluice(args, { cwd: dir });
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /30 rows are committed, through line 31 of .*items\.csv/);
      assert.match(failed.stderr, /resume with: sluice load .*items\.csv .*--commit-every 10 --resume/);

      const other = await sluice([...args, '--resume', '--on-error', 'skip'], { cwd: dir });
      assert.equal(other.code, 2, other.stderr);
      assert.match(other.stderr, /--on-error was "abort", now "skip"/);

      appendFileSync(path, '51,name51\n');
      const changed = await sluice([...args, '--resume'], { cwd: dir });
      assert.equal(changed.code, 2, changed.stderr);
      assert.match(changed.stderr, /its size is \d+ bytes, was \d+/);

      // Fixed (the bad line rewritten): the checkpoint's file is another file now, so start over.
      const fixed = csv('items.csv', 50);
      await target.query('DELETE FROM items');
      const again = await sluice(
        ['load', fixed, '--table', 'items', '--db', target.url, '--commit-every', '10', '--json'],
        { cwd: dir },
      );
      assert.equal(again.code, 0, again.stderr);
      const [row] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM items');
      assert.equal(Number(row!.n), 50);
      assert.equal(
        (await target.query('SELECT * FROM sluice_checkpoints')).length,
        0,
        'a finished load leaves no checkpoint',
      );
    });

    test('--resume goes on after the last committed chunk and counts the whole load', async () => {
      await target.query('DELETE FROM items');
      await target.query('DELETE FROM sluice_checkpoints');
      // Row 25 collides with a row already there: the load stops after two chunks of ten.
      await target.query("INSERT INTO items (id, name) VALUES (25, 'there before')");
      const path = csv('resumed.csv', 40);
      const args = ['load', path, '--table', 'items', '--db', target.url, '--commit-every', '10'];
      const failed = await sluice(args, { cwd: dir });
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /20 rows are committed, through line 21/);
      await target.query('DELETE FROM items WHERE id = 25');
      const resumed = await sluice([...args, '--resume', '--json'], { cwd: dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /resuming items at line 22 of .*: 20 rows were loaded before/);
      const report = JSON.parse(resumed.stdout) as Record<string, unknown>;
      assert.equal(report.rowsLoaded, 40);
      assert.equal(report.rowsRead, 40);
      assert.equal(report.checkpoints, 4);
      assert.deepEqual(report.resumedFrom, {
        offset: 'id,name\n'.length + 9 * 'x,namex\n'.length + 11 * 'xx,namexx\n'.length,
        ordinal: 20,
        line: 22,
      });
      const [row] = await target.query<{ n: unknown; d: unknown }>(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM items',
      );
      assert.equal(Number(row!.n), 40);
      assert.equal(Number(row!.d), 40);
    });

    test('--resume without --commit-every goes on in one transaction, from the offset, still as a raw copy (regression: the raw CSV copy sent the file from its first byte)', async () => {
      await target.query('DELETE FROM items');
      await target.query('DELETE FROM sluice_checkpoints');
      await target.query("INSERT INTO items (id, name) VALUES (25, 'there before')");
      const path = csv('raw-resume.csv', 40);
      const base = ['load', path, '--table', 'items', '--db', target.url];
      assert.equal((await sluice([...base, '--commit-every', '10'], { cwd: dir })).code, 1);
      await target.query('DELETE FROM items WHERE id = 25');
      const resumed = await sluice([...base, '--resume', '--json'], { cwd: dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      const report = JSON.parse(resumed.stdout) as Record<string, unknown>;
      // The raw copy seeks to the checkpoint's byte offset (SQLite has no raw path).
      assert.equal(report.rawCopy, dialect !== 'sqlite');
      assert.equal(report.rowsLoaded, 40);
      const [row] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM items');
      assert.equal(Number(row!.n), 40);
      assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
    });

    test('--resume with nothing to resume starts from the beginning and says so', async () => {
      await target.query('DELETE FROM items');
      const db = await open(target.url);
      try {
        const notices: string[] = [];
        const report = await db.load('items', csv('fresh.csv', 40), {
          commitEvery: 10,
          resume: true,
          onNotice: (m) => notices.push(m),
        });
        assert.match(notices.join('\n'), /nothing to resume for items: starting from the beginning/);
        assert.equal(report.rowsLoaded, 40);
        assert.equal(report.checkpoints, 4);
        assert.equal(report.resumedFrom, undefined);
      } finally {
        await db.close();
      }
    });

    test('two loads into two tables at the same time each keep their own checkpoint', async () => {
      if (dialect === 'sqlite') return; // one writer at a time in one file
      await target.query('CREATE TABLE left_items (id INTEGER NOT NULL UNIQUE, name VARCHAR(50))');
      await target.query('CREATE TABLE right_items (id INTEGER NOT NULL UNIQUE, name VARCHAR(50))');
      const path = csv('both.csv', 20_000);
      const [a, b] = [await open(target.url), await open(target.url)];
      try {
        const [ra, rb] = await Promise.all([
          a.load('left_items', path, { commitEvery: 500 }),
          b.load('right_items', path, { commitEvery: 700 }),
        ]);
        assert.equal(ra.rowsLoaded, 20_000);
        assert.equal(rb.rowsLoaded, 20_000);
        assert.equal(ra.checkpoints, 40);
        assert.equal(rb.checkpoints, 29);
      } finally {
        await a.close();
        await b.close();
      }
      assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
    });

    test('two files loaded into one table at the same time each keep their own checkpoint', async () => {
      if (dialect === 'sqlite') return; // one writer at a time in one file
      await target.query('CREATE TABLE shared_items (id INTEGER NOT NULL UNIQUE, name VARCHAR(50))');
      const low = csv('low.csv', 10_000);
      const high = join(dir, 'high.csv');
      let text = 'id,name\n';
      for (let i = 10_001; i <= 20_000; i++) text += `${i},name${i}\n`;
      writeFileSync(high, text);
      const [a, b] = [await open(target.url), await open(target.url)];
      try {
        const [ra, rb] = await Promise.all([
          a.load('shared_items', low, { commitEvery: 500 }),
          b.load('shared_items', high, { commitEvery: 700 }),
        ]);
        assert.equal(ra.checkpoints, 20);
        assert.equal(rb.checkpoints, 15);
      } finally {
        await a.close();
        await b.close();
      }
      const [row] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM shared_items');
      assert.equal(Number(row!.n), 20_000);
      assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
    });

    test('--resume naming another file than the interrupted load read is refused, naming that file', async () => {
      await target.query('DELETE FROM items');
      const first = csv('first.csv', 30, 22);
      const db = await open(target.url);
      try {
        await assert.rejects(db.load('items', first, { commitEvery: 10 }));
        const other = csv('renamed.csv', 30);
        await assert.rejects(db.load('items', other, { commitEvery: 10, resume: true }), (error: unknown) => {
          assert.ok(error instanceof SluiceError);
          assert.equal(error.code, 'BAD_USAGE');
          assert.match(
            error.message,
            /cannot resume the load into items from .*renamed\.csv: the interrupted load into items read .*first\.csv/,
          );
          return true;
        });
        const [row] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM items');
        assert.equal(Number(row!.n), 20, 'the refused resume wrote nothing');
      } finally {
        await db.close();
      }
    });

    test('a checkpoint table made by an earlier sluice gets the count columns; its checkpoint counts its rows as inserted', async () => {
      await target.query('DELETE FROM items');
      await target.query('DROP TABLE sluice_checkpoints');
      // The columns as the sluice before the inserted / updated / unchanged split made them.
      const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      await target.query(
        `CREATE TABLE sluice_checkpoints (target_key CHAR(64) NOT NULL PRIMARY KEY, target_table TEXT NOT NULL, source_path TEXT NOT NULL, source_size ${int} NOT NULL, source_mtime_ns TEXT NOT NULL, source_head_sha256 CHAR(64) NOT NULL, load_options TEXT NOT NULL, byte_offset ${int} NOT NULL, record_ordinal ${int} NOT NULL, rows_loaded ${int} NOT NULL, rows_rejected ${int} NOT NULL, checkpoints ${int} NOT NULL, updated_at TEXT NOT NULL)`,
      );
      await target.query("INSERT INTO items (id, name) VALUES (25, 'there before')");
      const path = csv('old-table.csv', 40);
      const args = ['load', path, '--table', 'items', '--db', target.url, '--commit-every', '10'];
      assert.equal((await sluice(args, { cwd: dir })).code, 1);
      const [row] = await target.query<Record<string, unknown>>(
        'SELECT rows_loaded, rows_inserted, rows_updated, rows_unchanged FROM sluice_checkpoints',
      );
      assert.deepEqual(
        Object.fromEntries(Object.entries(row!).map(([k, v]) => [k.toLowerCase(), Number(v)])),
        { rows_loaded: 20, rows_inserted: 20, rows_updated: 0, rows_unchanged: 0 },
      );
      // As the earlier sluice's checkpoint would read after the columns were added.
      await target.query('UPDATE sluice_checkpoints SET rows_inserted = 0');
      await target.query('DELETE FROM items WHERE id = 25');
      const resumed = await sluice([...args, '--resume', '--json'], { cwd: dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      const report = JSON.parse(resumed.stdout) as Record<string, unknown>;
      assert.equal(report.rowsLoaded, 40);
      assert.equal(report.rowsInserted, 40);
    });
  });
}

if (DIALECTS.includes('postgres')) {
  describe('checkpoint table without the CREATE right (postgres)', () => {
    let target: TestTarget;
    const role = `sluice_nocreate_${process.pid}`;
    before(async () => {
      target = await freshTarget('postgres');
      await target.query(TABLE);
      await target.query(`CREATE ROLE ${role} LOGIN`);
      await target.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      await target.query(`GRANT INSERT, SELECT ON items TO ${role}`);
    });
    after(async () => {
      await target?.close();
      const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await admin.end();
    });

    test('names the right needed and writes nothing', async () => {
      const url = new URL(target.url);
      url.username = role;
      const db = await open(url.toString());
      try {
        await assert.rejects(db.load('items', csv('perm.csv', 5), { commitEvery: 2 }), (error: unknown) => {
          assert.ok(error instanceof SluiceError);
          assert.match(
            error.message,
            /cannot create the checkpoint table sluice_checkpoints: permission denied/,
          );
          assert.match(error.hint ?? '', /CREATE on the schema/);
          return true;
        });
      } finally {
        await db.close();
      }
      const [row] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM items');
      assert.equal(Number(row!.n), 0);
    });
  });
}

if (DIALECTS.includes('mysql')) {
  describe('checkpoints need a transactional engine (mysql)', () => {
    let target: TestTarget;
    before(async () => {
      target = await freshTarget('mysql');
      await target.query('CREATE TABLE items (id INTEGER NOT NULL UNIQUE, name VARCHAR(50)) ENGINE=MyISAM');
    });
    after(() => target?.close());

    test('a MyISAM target is refused before a row is written: LOAD DATA would keep its rows without their checkpoint', async () => {
      const db = await open(target.url);
      try {
        await assert.rejects(
          db.load('items', csv('myisam.csv', 5), { commitEvery: 2 }),
          /cannot checkpoint into `items`: its MyISAM engine has no transactions/,
        );
      } finally {
        await db.close();
      }
      const [row] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM items');
      assert.equal(Number(row!.n), 0);
    });
  });
}
