/**
 * Issue 18, `--parallel N`: N connections each load a share of the file, cut at record ends. A
 * parallel load stores exactly the rows of a serial one, rejects the same lines, and refuses what
 * it cannot do (one client, one writer, an input that cannot be cut, a resume with another N).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2';
import pg from 'pg';
import { open, type LoadReport, type SluiceError } from '../../src/index.js';
import { rejectedLinesIn } from '../support/resume-data.js';
import { withSingleClient } from '../support/single-client.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-parallel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RECORDS = 600;

/**
 * id,name,note with a header; every 5th note is quoted and holds newlines and text that looks
 * like whole records (a cut at a newline inside it would make rows up). Bad rows: every 97th has
 * a field too many (the parser refuses it), every 89th repeats id 0, which the table holds before
 * the load (the unique key refuses it; a key repeated within the file would make which copy is
 * refused depend on which share commits first),
 * every 151st has a name too long for VARCHAR(16) (the database refuses it).
 */
function trickyFile(): { path: string; bad: number[] } {
  const path = join(dir, 'tricky.csv');
  let text = 'id,name,note\n';
  let line = 2;
  const bad: number[] = [];
  for (let id = 1; id <= RECORDS; id++) {
    const note = id % 5 === 0 ? `"looks like\n${id + 10_000},fake,row\nbut, is not"` : `note ${id}`;
    let record = `${id},n${id},${note}`;
    if (id % 97 === 0) record += ',extra';
    else if (id % 89 === 0) record = `0,dup,${note}`;
    else if (id % 151 === 0) record = `${id},${'x'.repeat(40)},${note}`;
    if (id % 97 === 0 || id % 89 === 0 || id % 151 === 0) bad.push(line);
    text += record + '\n';
    line += id % 5 === 0 ? 3 : 1;
  }
  writeFileSync(path, text);
  return { path, bad };
}

const TABLE = (name: string) =>
  `CREATE TABLE ${name} (id INTEGER NOT NULL UNIQUE, name VARCHAR(16), note VARCHAR(100))`;

for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
  describe(`--parallel (${dialect})`, () => {
    let target: TestTarget;
    before(async () => {
      target = await freshTarget(dialect);
    });
    after(() => target?.close());

    async function rows(table: string): Promise<string[]> {
      const found = await target.query<{ id: unknown; name: unknown; note: unknown }>(
        `SELECT id, name, note FROM ${table} ORDER BY id`,
      );
      return found.map((r) => `${String(r.id)}|${String(r.name)}|${String(r.note)}`);
    }

    test('quoted newlines, a header and bad rows under --on-error skip: exactly the rows and rejects of a serial load', async () => {
      const { path, bad } = trickyFile();
      await target.query(TABLE('serial_items'));
      await target.query(TABLE('parallel_items'));
      const held = "INSERT INTO {} (id, name, note) VALUES (0, 'held', 'before the load')";
      await target.query(held.replace('{}', 'serial_items'));
      const db = await open(target.url);
      try {
        const serialRejects = join(dir, 'serial-rejects.csv');
        const serial = await db.load('serial_items', path, {
          onError: 'skip',
          rejects: serialRejects,
          commitEvery: 50,
        });
        for (const n of [2, 3, 4]) {
          await target.query('DELETE FROM parallel_items');
          await target.query(held.replace('{}', 'parallel_items'));
          const rejects = join(dir, `parallel-rejects-${n}.csv`);
          const progress: number[] = [];
          const report: LoadReport = await db.load('parallel_items', path, {
            onError: 'skip',
            rejects,
            parallel: n,
            commitEvery: 40,
            onProgress: (p) => progress.push(p.bytes),
          });
          assert.equal(report.parallel, n);
          assert.deepEqual(await rows('parallel_items'), await rows('serial_items'), `--parallel ${n}`);
          assert.equal(report.rowsLoaded, serial.rowsLoaded);
          assert.equal(report.rowsRejected, serial.rowsRejected);
          assert.equal(report.rowsRead, RECORDS);
          assert.equal(report.rowsLoaded + report.rowsRejected, report.rowsRead);
          // Each part's rejects follow the part before's; within a part they come as a serial load
          // writes them (a batch's parser refusals before the database's).
          const lines = rejectedLinesIn(rejects);
          assert.deepEqual(
            [...lines].sort((x, y) => x - y),
            bad,
            'the rejects file names the lines',
          );
          assert.deepEqual(lines.sort(), rejectedLinesIn(serialRejects).sort());
          assert.equal(Math.max(...progress), readFileSync(path).length, 'progress reaches the file size');
          assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
        }
      } finally {
        await db.close();
      }
    });

    test('a clean file stays raw in every share, with the rows of a serial load', async () => {
      const path = join(dir, 'clean.csv');
      let text = 'id,name,note\n';
      for (let id = 1; id <= 5000; id++) text += `${id},n${id},${id % 3 === 0 ? `"a\nb, ${id}"` : 'x'}\n`;
      writeFileSync(path, text);
      await target.query(TABLE('clean_serial'));
      await target.query(TABLE('clean_parallel'));
      const db = await open(target.url);
      try {
        await db.load('clean_serial', path);
        const report = await db.load('clean_parallel', path, { parallel: 3, commitEvery: 700 });
        assert.equal(report.rawCopy, true);
        assert.equal(report.rowsLoaded, 5000);
        assert.ok(report.checkpoints >= 8, `checkpoints ${report.checkpoints}`);
        assert.deepEqual(await rows('clean_parallel'), await rows('clean_serial'));
        assert.match(report.notes.join('\n'), /not one transaction/);
        const plan = await db.explain('clean_parallel', path, { parallel: 3 });
        assert.match(plan.notes.join('\n'), /would load over 3 connections \(--parallel 3\)/);
      } finally {
        await db.close();
      }
    });

    test('a bad row in abort mode fails the load at its line, says what is committed, and --resume finishes it', async () => {
      const path = join(dir, 'abort.csv');
      let text = 'id,name,note\n';
      for (let id = 1; id <= 3000; id++) text += `${id},${id === 2500 ? 'x'.repeat(40) : `n${id}`},x\n`;
      writeFileSync(path, text);
      await target.query(TABLE('abort_items'));
      const db = await open(target.url);
      try {
        const error = (await db
          .load('abort_items', path, { parallel: 3, commitEvery: 100 })
          .then(() => assert.fail('the load should fail'))
          .catch((e: unknown) => e)) as SluiceError;
        assert.equal(error.location?.line, 2501, error.message);
        assert.match(error.hint ?? '', /part 3 of 3 failed/);
        assert.match(error.hint ?? '', /--resume/);
        const [count] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM abort_items');
        assert.equal(Number(count!.n), error.rowsCommitted, 'rowsCommitted is what the table holds');
        // Fixed in place (same size) the file is another file: a resume refuses it; loaded again
        // from the start it would duplicate. So fix the table's column instead and resume.
        await target.query(
          dialect === 'mysql'
            ? 'ALTER TABLE abort_items MODIFY name VARCHAR(64)'
            : 'ALTER TABLE abort_items ALTER COLUMN name TYPE VARCHAR(64)',
        );
        const report = await db.load('abort_items', path, { parallel: 3, commitEvery: 100, resume: true });
        assert.equal(report.rowsLoaded, 3000);
        const [c] = await target.query<{ n: unknown; d: unknown; s: unknown }>(
          'SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, SUM(id) AS s FROM abort_items',
        );
        assert.deepEqual([Number(c!.n), Number(c!.d), Number(c!.s)], [3000, 3000, (3000 * 3001) / 2]);
      } finally {
        await db.close();
      }
    });

    test('a single client is refused; a pool gives the connections', async () => {
      const path = join(dir, 'clean.csv');
      await target.query(TABLE('pool_items'));
      await withSingleClient(dialect, target.url, (single) =>
        assert.rejects(single.load('pool_items', path, { parallel: 2 }), (error: SluiceError) => {
          assert.equal(error.code, 'BAD_USAGE');
          assert.match(error.message, /--parallel 2 needs 2 connections, and sluice was given one client/);
          assert.match(error.hint ?? '', /a URL or a pool/);
          return true;
        }),
      );
      const pool =
        dialect === 'postgres'
          ? new pg.Pool({ connectionString: target.url, max: 3 })
          : mysql.createPool({ uri: target.url, connectionLimit: 3 });
      const pooled = await open(pool);
      try {
        const report = await pooled.load('pool_items', path, { parallel: 3, commitEvery: 1000 });
        assert.equal(report.rowsLoaded, 5000);
      } finally {
        await pooled.close();
        if (pool instanceof pg.Pool) await pool.end();
        else await new Promise((resolve) => (pool as mysql.Pool).end(resolve));
      }
    });

    test('what a parallel load cannot do is refused before anything is written', async () => {
      const db = await open(target.url);
      const usage = (pattern: RegExp) => (error: SluiceError) => {
        assert.equal(error.code, 'BAD_USAGE');
        assert.match(error.message, pattern);
        return true;
      };
      try {
        await assert.rejects(
          db.load('x', Readable.from(['a\n1\n']), { parallel: 2, format: 'csv' }),
          usage(/--parallel 2 cannot cut a stream into parts/),
        );
        const json = join(dir, 'rows.json');
        writeFileSync(json, '[{"a":1}]');
        await assert.rejects(db.load('x', json, { parallel: 2 }), usage(/JSON array/));
        await assert.rejects(
          db.load('x', join(dir, 'clean.csv'), { parallel: 2, deferConstraints: true }),
          usage(
            /--defer-constraints cannot be used with --parallel: it drops and rebuilds the keys inside the load's one transaction/,
          ),
        );
        await assert.rejects(
          db.load('x', join(dir, 'clean.csv'), { parallel: 2, escape: '\\' }),
          usage(/--escape/),
        );
      } finally {
        await db.close();
      }
    });
  });
}

describe('--parallel (sqlite)', () => {
  test('SQLite has one writer: refused', async () => {
    const target = await freshTarget('sqlite');
    const db = await open(target.url);
    try {
      const path = join(dir, 'one.csv');
      writeFileSync(path, 'a\n1\n2\n');
      await assert.rejects(db.load('one', path, { parallel: 2 }), (error: SluiceError) => {
        assert.equal(error.code, 'BAD_USAGE');
        assert.match(error.message, /sqlite has one writer at a time/);
        return true;
      });
    } finally {
      await db.close();
      await target.close();
    }
  });
});
