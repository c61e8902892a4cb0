/**
 * Issue 11, defect 4: `explain` writes nothing, ever. A bad record in the sample, in skip mode with
 * --rejects, used to open the rejects file and leave it behind; explain on SQLite created the
 * database file it was asked about. Now: no file, no table, no row, on every dialect.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { open } from '../../src/index.js';
import type { Reject } from '../../src/rejects/reject.js';
import { sluice } from '../support/cli.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

/** A CSV whose third line has a field too many: the parser rejects it while sampling. */
const BAD_IN_SAMPLE = 'id,name\n1,ann\n2,bo,extra\n3,cy\n';

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-explain-'));
  writeFileSync(join(dir, 'people.csv'), BAD_IN_SAMPLE);
  return dir;
}

for (const dialect of DIALECTS) {
  describe(`issue 11 defect 4: explain writes nothing on ${dialect}`, () => {
    let target: TestTarget;
    before(async () => {
      target = await freshTarget(dialect);
    });
    after(async () => {
      await target.close();
    });
    const tables = async (): Promise<string[]> => {
      const sql = {
        sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'",
        postgres: "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
        mysql: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
      }[dialect];
      return (await target.query<{ name: string }>(sql)).map((r) => r.name);
    };

    it('skip mode with --rejects and a bad record in the sample: no rejects file, no table', async () => {
      const cwd = workdir();
      // SQLite: the database file must exist for "no table" to be checked; the case where it
      // does not is the next test.
      if (dialect === 'sqlite') await target.query('CREATE TABLE other (x INTEGER)');
      for (const extra of [[], ['--json']]) {
        const r = await sluice(
          [
            'explain',
            'people.csv',
            '--db',
            target.url,
            '--create',
            '--on-error',
            'skip',
            '--rejects',
            'bad.csv',
            ...extra,
          ],
          { cwd },
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, extra.length === 0 ? /creates the table:/ : /"ddl":"CREATE TABLE/);
        assert.equal(existsSync(join(cwd, 'bad.csv')), false, 'explain created the rejects file');
        assert.deepEqual(readdirSync(cwd), ['people.csv']);
      }
      assert.deepEqual(await tables(), dialect === 'sqlite' ? ['other'] : []);
    });

    it('an existing table gets no row', async () => {
      await target.query('CREATE TABLE people (id integer, name text)');
      const cwd = workdir();
      const r = await sluice(
        ['explain', 'people.csv', '--db', target.url, '--on-error', 'skip', '--rejects', 'bad.csv'],
        { cwd },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /nothing was written\.\n$/);
      const [row] = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM people');
      assert.equal(Number(row!.n), 0);
      assert.equal(existsSync(join(cwd, 'bad.csv')), false);
    });

    it('the library: handle.explain() writes no rejects file and calls no rejects callback', async () => {
      const cwd = workdir();
      const db = await open(target.url);
      const seen: Reject[] = [];
      try {
        const options = { create: true, onError: 'skip' as const };
        const plan = await db.explain('fresh', join(cwd, 'people.csv'), {
          ...options,
          rejects: join(cwd, 'r.csv'),
        });
        assert.match(plan.ddl ?? '', /CREATE TABLE/);
        await db.explain('fresh', join(cwd, 'people.csv'), { ...options, rejects: (r) => seen.push(r) });
      } finally {
        await db.close();
      }
      assert.equal(existsSync(join(cwd, 'r.csv')), false);
      assert.deepEqual(seen, []);
      assert.ok(!(await tables()).includes('fresh'));
    });
  });
}

if (DIALECTS.includes('sqlite')) {
  describe('issue 11 defect 4: explain does not create a missing SQLite database file', () => {
    it('neither ./sluice.db (the default) nor the file --db names', async () => {
      const cwd = workdir();
      for (const db of [[], ['--db', 'sqlite:new.db'], ['--db', 'sqlite:' + join(cwd, 'abs.db')]]) {
        const r = await sluice(
          ['explain', 'people.csv', ...db, '--on-error', 'skip', '--rejects', 'bad.csv'],
          {
            cwd,
          },
        );
        assert.equal(r.code, 0, r.stderr);
        // The table is missing (the database is), so the plan creates it.
        assert.match(r.stdout, /creates the table:\n {4}CREATE TABLE "people"/);
        assert.deepEqual(readdirSync(cwd), ['people.csv']);
      }
    });

    it('an existing SQLite file is only read: same size and time, no journal left', async () => {
      const cwd = workdir();
      const load = await sluice(['load', 'people.csv', '--on-error', 'skip', '--quiet'], { cwd });
      assert.equal(load.code, 0, load.stderr);
      const before = readdirSync(cwd).sort();
      const file = statSync(join(cwd, 'sluice.db'));
      const r = await sluice(['explain', 'people.csv', '--on-error', 'skip', '--rejects', 'bad.csv'], {
        cwd,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /creates the table/);
      assert.deepEqual(readdirSync(cwd).sort(), before);
      const after = statSync(join(cwd, 'sluice.db'));
      assert.deepEqual([after.size, after.mtimeMs], [file.size, file.mtimeMs]);
    });
  });
}
