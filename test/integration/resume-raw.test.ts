/**
 * --commit-every on the raw CSV paths (PostgreSQL COPY, MariaDB LOAD DATA; SQLite has none): the
 * file's bytes are cut after exactly N records, each part its own statement committed with its
 * checkpoint, and a resume seeks to the checkpoint's byte offset and stays raw. Multi-line quoted
 * records make the database's line count differ from the file's, so every error line is checked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { open, type SluiceError } from '../../src/index.js';
import { sluice } from '../support/cli.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-resume-raw-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * 45 records of id,name; every 7th name is quoted and spans two lines (with a comma in it). `edit`
 * may replace a record's text (after its newline is added back).
 */
function csv(name: string, edit: (id: number) => string | undefined = () => undefined): string {
  const path = join(dir, name);
  let text = 'id,name\n';
  for (let id = 1; id <= 45; id++)
    text += (edit(id) ?? (id % 7 === 0 ? `${id},"two, ${id}\nlines"` : `${id},n${id}`)) + '\n';
  writeFileSync(path, text);
  return path;
}

/** The line record `id` of csv() starts on (the header is line 1; records 7, 14, ... span two). */
function lineOf(id: number): number {
  return 1 + id + Math.floor((id - 1) / 7);
}

const TABLE = 'CREATE TABLE items (id INTEGER NOT NULL UNIQUE, name VARCHAR(16))';

for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
  describe(`--commit-every on the raw CSV copy (${dialect})`, () => {
    let target: TestTarget;
    before(async () => {
      target = await freshTarget(dialect);
      await target.query(TABLE);
    });
    after(() => target?.close());

    async function fresh(): Promise<void> {
      await target.query('DELETE FROM items');
      await target.query('DELETE FROM sluice_checkpoints').catch(() => undefined);
    }

    async function ids(): Promise<{ n: number; distinct: number; names: Map<number, string> }> {
      const rows = await target.query<{ id: unknown; name: unknown }>('SELECT id, name FROM items');
      const names = new Map(rows.map((r) => [Number(r.id), String(r.name)]));
      return { n: rows.length, distinct: names.size, names };
    }

    test("the cut follows the file's dialect: delimiter, quote, preamble lines, no header, NULL strings; --resume too", async () => {
      await fresh();
      // ';' between fields, "'" as the quote, two preamble lines, no header, NA for NULL; every 7th
      // name is quoted and holds a newline, a ';' and a doubled quote.
      const path = join(dir, 'dialect.txt');
      let text = 'exported by a tool\nsecond preamble line\n';
      for (let id = 1; id <= 45; id++)
        text +=
          (id % 7 === 0 ? `${id};'it''s; ${id}\nx'` : id % 5 === 0 ? `${id};NA` : `${id};n${id}`) + '\n';
      writeFileSync(path, text);
      const options = {
        format: 'csv' as const,
        delimiter: ';',
        quote: "'",
        skipLines: 2,
        header: false,
        columns: ['id', 'name'],
        nullStrings: ['NA'],
        commitEvery: 10,
      };
      // Record 33 collides with a row already there: parts 1-3 commit, part 4 fails at its line.
      await target.query("INSERT INTO items (id, name) VALUES (33, 'there before')");
      const db = await open(target.url);
      try {
        await assert.rejects(db.load('items', path, options), (error: SluiceError) => {
          // Preamble 2 lines, records 7, 14, ... span two lines: record 33 starts on line 2 + 33 + 4.
          assert.equal(error.location?.line, 2 + 33 + 4, error.message);
          return true;
        });
        assert.equal((await ids()).n, 31);
        await target.query('DELETE FROM items WHERE id = 33');
        const report = await db.load('items', path, { ...options, resume: true });
        assert.equal(report.rawCopy, true, 'the resumed load cuts the rest raw, in the same dialect');
        assert.equal(report.rowsLoaded, 45);
      } finally {
        await db.close();
      }
      const { n, distinct, names } = await ids();
      assert.equal(n, 45);
      assert.equal(distinct, 45);
      assert.equal(names.get(14), "it's; 14\nx");
      assert.equal(names.get(15), 'null');
      assert.equal(names.get(16), 'n16');
      assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
    });

    test('--escape with --commit-every is parsed (the cutter does not follow escapes), and explain says why', async () => {
      await fresh();
      const path = join(dir, 'escaped.txt');
      let text = 'id,name\n';
      for (let id = 1; id <= 25; id++) text += `${id},a\\,b\\\n${id}\n`;
      writeFileSync(path, text);
      const db = await open(target.url);
      try {
        const report = await db.load('items', path, { format: 'csv', escape: '\\', commitEvery: 10 });
        assert.equal(report.rawCopy, false);
        assert.equal(report.rowsLoaded, 25);
        assert.equal(report.checkpoints, 3);
      } finally {
        await db.close();
      }
      assert.equal((await ids()).names.get(3), 'a,b\n3');
      if (dialect === 'mysql') {
        const plan = await sluice(
          [
            'explain',
            path,
            '--format',
            'csv',
            '--table',
            'items',
            '--db',
            target.url,
            '--escape',
            '\\',
            '--commit-every',
            '10',
          ],
          { cwd: dir },
        );
        assert.match(plan.stdout, /--escape with --commit-every or --resume/);
      }
    });

    test('each part of N records is one raw statement committed with its checkpoint; quoted newlines are kept', async () => {
      await fresh();
      const db = await open(target.url);
      try {
        const report = await db.load('items', csv('plain.csv'), { commitEvery: 10 });
        assert.equal(report.rawCopy, true, 'the raw copy stays on with --commit-every');
        assert.equal(report.rowsLoaded, 45);
        assert.equal(report.checkpoints, 5);
      } finally {
        await db.close();
      }
      const { n, distinct, names } = await ids();
      assert.equal(n, 45);
      assert.equal(distinct, 45);
      assert.equal(names.get(14), 'two, 14\nlines');
      assert.equal(names.get(15), 'n15');
      assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
      const plan = await sluice(
        ['explain', csv('plain.csv'), '--table', 'items', '--db', target.url, '--commit-every', '10'],
        { cwd: dir },
      );
      assert.match(plan.stdout, /cut after every 10 records/);
    });

    test('a bad value in a later part names its line in the file; the checkpoint stands at the part before; --resume seeks there and stays raw', async () => {
      await fresh();
      // Record 33 collides with a row already there: parts 1-3 commit, part 4 fails.
      await target.query("INSERT INTO items (id, name) VALUES (33, 'there before')");
      const path = csv('dup.csv');
      const args = ['load', path, '--table', 'items', '--db', target.url, '--commit-every', '10'];
      const failed = await sluice(args, { cwd: dir });
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, new RegExp(`dup\\.csv:${lineOf(33)}: `), failed.stderr);
      assert.match(failed.stderr, new RegExp(`30 rows are committed, through line ${lineOf(31) - 1} `));
      const [checkpoint] = await target.query<{ byte_offset: unknown; record_ordinal: unknown }>(
        'SELECT byte_offset, record_ordinal FROM sluice_checkpoints',
      );
      const text =
        'id,name\n' +
        Array.from({ length: 30 }, (_, i) => i + 1)
          .map((id) => (id % 7 === 0 ? `${id},"two, ${id}\nlines"` : `${id},n${id}`) + '\n')
          .join('');
      assert.equal(Number(checkpoint!.byte_offset), Buffer.byteLength(text), 'just after record 30');
      assert.equal(Number(checkpoint!.record_ordinal), 30);
      assert.equal((await ids()).n, 31);

      await target.query('DELETE FROM items WHERE id = 33');
      const resumed = await sluice([...args, '--resume', '--json'], { cwd: dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      const report = JSON.parse(resumed.stdout) as Record<string, unknown>;
      assert.equal(report.rawCopy, true, 'a resumed load seeks to the byte offset and stays raw');
      assert.equal(report.rowsLoaded, 45);
      assert.equal(report.rowsRead, 45);
      assert.equal(report.checkpoints, 5);
      const { n, distinct, names } = await ids();
      assert.equal(n, 45);
      assert.equal(distinct, 45);
      assert.equal(names.get(35), 'two, 35\nlines');
    });

    test('a value the database refuses, after multi-line records, is named by its own line', async () => {
      await fresh();
      const path = csv('long.csv', (id) => (id === 38 ? `${id},this-is-far-too-long` : undefined));
      const failed = await sluice(
        ['load', path, '--table', 'items', '--db', target.url, '--commit-every', '10'],
        { cwd: dir },
      );
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, new RegExp(`long\\.csv:${lineOf(38)}: `), failed.stderr);
      assert.match(failed.stderr, /30 rows are committed/);
    });

    test('a record sluice refuses in a later part aborts there, naming its line, with the parts before committed', async () => {
      await fresh();
      const path = csv('fields.csv', (id) => (id === 24 ? `${id},x,extra` : undefined));
      const failed = await sluice(
        ['load', path, '--table', 'items', '--db', target.url, '--commit-every', '10'],
        { cwd: dir },
      );
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, new RegExp(`fields\\.csv:${lineOf(24)}: expected 2 fields, found 3`));
      assert.match(failed.stderr, /20 rows are committed/);
      assert.equal((await ids()).n, 20);

      // A value the database refuses before it in the same part is the first bad row in file order.
      await fresh();
      const both = csv('both.csv', (id) =>
        id === 22 ? `${id},this-is-far-too-long` : id === 24 ? `${id},x,extra` : undefined,
      );
      const first = await sluice(
        ['load', both, '--table', 'items', '--db', target.url, '--commit-every', '10'],
        {
          cwd: dir,
        },
      );
      assert.equal(first.code, 1, first.stderr);
      assert.match(first.stderr, new RegExp(`both\\.csv:${lineOf(22)}: `), first.stderr);
    });

    test('CSV the database would misread in a later part: loaded parsed from that part on, exactly once', async () => {
      await fresh();
      // A blank line in part 3: COPY would read a NULL row (the guard refuses the raw bytes there);
      // LOAD DATA's rewriter drops it, as the parser does.
      const path = csv('blank.csv', (id) => (id === 25 ? `${id},n${id}\n` : undefined));
      const db = await open(target.url);
      try {
        const report = await db.load('items', path, { commitEvery: 10 });
        assert.equal(report.rowsLoaded, 45);
        assert.equal(report.checkpoints, 5);
        assert.equal(report.rawCopy, dialect !== 'postgres');
      } finally {
        await db.close();
      }
      const { n, distinct } = await ids();
      assert.equal(n, 45);
      assert.equal(distinct, 45);
    });
  });
}
