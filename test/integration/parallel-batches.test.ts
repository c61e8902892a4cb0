/**
 * Issue 18, `parallel: N` for JS collections: one reader cuts the rows into batches of
 * `commitEvery`, and N connections load them, each batch its own transaction. The rows stored, the
 * records named by errors and rejects, and the counts are those of a serial load of the same rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { open, type SluiceError } from '../../src/index.js';
import { rejectedLinesIn } from '../support/resume-data.js';
import { withSingleClient } from '../support/single-client.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-parallel-batches-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const UNICODE = 'zoë 日本 🙂';

/** Row i of the input: null, empty, unicode and missing notes, and amounts past 32 bits. */
function row(i: number): Record<string, unknown> {
  const record: Record<string, unknown> = { id: i, name: `n${i}`, amount: i * 1_000_003 };
  if (i % 7 === 0) record.note = null;
  else if (i % 11 === 0) record.note = '';
  else if (i % 13 === 0) record.note = `${UNICODE} ${i}`;
  else if (i % 17 !== 0) record.note = `note ${i}`;
  return record;
}

function rows(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => row(i + 1));
}

for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
  describe(`parallel: N by batches (${dialect})`, () => {
    let target: TestTarget;
    before(async () => {
      target = await freshTarget(dialect);
    });
    after(() => target?.close());

    const charset = dialect === 'mysql' ? ' CHARACTER SET utf8mb4' : '';
    const table = (name: string) =>
      target.query(
        `CREATE TABLE ${name} (id INTEGER NOT NULL UNIQUE, name VARCHAR(40), note VARCHAR(100), amount BIGINT)${charset}`,
      );

    async function stored(name: string): Promise<string[]> {
      const found = await target.query<Record<string, unknown>>(
        `SELECT id, name, note, amount FROM ${name} ORDER BY id`,
      );
      return found.map(
        (r) =>
          `${String(r.id)}|${String(r.name)}|${r.note === null ? '<null>' : `[${String(r.note)}]`}|${String(r.amount)}`,
      );
    }

    async function totals(name: string): Promise<{ count: string; ids: string; amount: string }> {
      const [t] = await target.query<Record<string, unknown>>(
        `SELECT COUNT(*) AS count, COUNT(DISTINCT id) AS ids, SUM(amount) AS amount FROM ${name}`,
      );
      return { count: String(t!.count), ids: String(t!.ids), amount: String(t!.amount) };
    }

    test('50k objects with parallel 2 and 3: exactly the rows, the created table and the method of a serial load', async () => {
      const input = rows(50_000);
      const db = await open(target.url);
      try {
        const serial = await db.load('serial_rows', input, { create: true });
        assert.equal(serial.rowsLoaded, 50_000);
        const expected = await stored('serial_rows');
        for (const n of [2, 3]) {
          const name = `parallel_rows_${n}`;
          let progress = 0;
          const report = await db.load(name, input, {
            create: true,
            parallel: n,
            commitEvery: 1000,
            onProgress: (p) => (progress = Math.max(progress, p.rows)),
          });
          assert.equal(report.rowsRead, 50_000);
          assert.equal(report.rowsLoaded, 50_000);
          assert.equal(report.rowsInserted, 50_000);
          assert.equal(report.rowsRejected, 0);
          assert.equal(report.parallel, n);
          assert.equal(report.method, serial.method);
          assert.equal(report.ddl, serial.ddl?.replaceAll('serial_rows', name));
          assert.match(
            report.notes[0] ?? '',
            /in 50 batches of 1000 rows over \d connections .*each batch its own transaction/,
          );
          assert.equal(progress, 50_000);
          assert.deepEqual(await stored(name), expected);
          assert.deepEqual(await totals(name), await totals('serial_rows'));
        }
        const exact = await stored('parallel_rows_3');
        assert.equal(exact[6], `7|n7|<null>|${7 * 1_000_003}`);
        assert.equal(exact[10], `11|n11|[]|${11 * 1_000_003}`);
        assert.equal(exact[12], `13|n13|[${UNICODE} 13]|${13 * 1_000_003}`);
        // A missing field gets the column's default (NULL here), as in the serial load.
        assert.equal(exact[16], `17|n17|<null>|${17 * 1_000_003}`);
      } finally {
        await db.close();
      }
    });

    test('an async iterable: read once, in order, no further ahead than the batches in flight', async () => {
      await table('async_rows');
      const commitEvery = 3000;
      const n = 2;
      let yielded = 0;
      let loaded = 0;
      let ahead = 0;
      async function* source(): AsyncGenerator<Record<string, unknown>> {
        for (let i = 1; i <= 20_000; i++) {
          yielded++;
          ahead = Math.max(ahead, yielded - loaded);
          if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
          yield row(i);
        }
      }
      const db = await open(target.url);
      try {
        const report = await db.load('async_rows', source(), {
          parallel: n,
          commitEvery,
          onProgress: (p) => (loaded = p.rows),
        });
        assert.equal(report.rowsLoaded, 20_000);
        assert.equal(report.rowsRead, 20_000);
        assert.equal(yielded, 20_000);
        // N batches being loaded and one being filled, at most.
        assert.ok(ahead <= (n + 1) * commitEvery, `read ${ahead} rows ahead of the database`);
        const sum = Array.from({ length: 20_000 }, (_, i) => (i + 1) * 1_000_003).reduce((a, b) => a + b, 0);
        assert.deepEqual(await totals('async_rows'), { count: '20000', ids: '20000', amount: String(sum) });
      } finally {
        await db.close();
      }
    });

    test('abort mode: a bad row is named by its number in the whole input, and what is committed is said', async () => {
      await table('abort_serial');
      await table('abort_rows');
      const input = rows(20_000);
      input[12_344] = { ...row(12_345), name: 'x'.repeat(60) };
      const db = await open(target.url);
      try {
        const serial: SluiceError = await db.load('abort_serial', input, { commitEvery: 1000 }).then(
          () => assert.fail('the serial load should fail'),
          (error: SluiceError) => error,
        );
        assert.equal(serial.location?.line, 12_345);
        const error: SluiceError = await db
          .load('abort_rows', input, { parallel: 2, commitEvery: 1000 })
          .then(
            () => assert.fail('the parallel load should fail'),
            (e: SluiceError) => e,
          );
        assert.equal(error.code, serial.code);
        assert.equal(error.location?.line, 12_345);
        assert.equal(error.message, serial.message);
        const { count } = await totals('abort_rows');
        assert.equal(error.rowsCommitted, Number(count));
        assert.ok(error.rowsCommitted! >= 11_000, `committed ${error.rowsCommitted}`);
        assert.match(
          error.hint ?? '',
          /the batch of rows 12001-13000 failed and stopped the others \(parallel: 2\)/,
        );
        assert.match(error.hint ?? '', /cannot be read again, so there is no resume/);
        // The hint names exactly the rows in the table: whole batches, the failed one not among them.
        const named = new RegExp(
          `${count} rows are committed, each batch in its own transaction: the batches of rows ([0-9, -]+)`,
        ).exec(error.hint ?? '');
        assert.ok(named, error.hint);
        const ids = (await target.query<{ id: unknown }>('SELECT id FROM abort_rows ORDER BY id')).map((r) =>
          Number(r.id),
        );
        const inTable: string[] = [];
        for (let k = 0; k < ids.length; k++) {
          let end = k;
          while (end + 1 < ids.length && ids[end + 1] === ids[end]! + 1) end++;
          inTable.push(`${ids[k]}-${ids[end]}`);
          k = end;
        }
        assert.equal(named[1], inTable.join(', '));
        assert.ok(!ids.includes(12_001));
      } finally {
        await db.close();
      }
    });

    test('an async iterable that throws: the error is its own, and what is committed is said', async () => {
      await table('broken_rows');
      async function* source(): AsyncGenerator<Record<string, unknown>> {
        for (let i = 1; i <= 5500; i++) yield row(i);
        throw new Error('the source broke');
      }
      const db = await open(target.url);
      try {
        const error: SluiceError = await db
          .load('broken_rows', source(), { parallel: 2, commitEvery: 1000 })
          .then(
            () => assert.fail('the load should fail'),
            (e: SluiceError) => e,
          );
        assert.match(error.message, /the source broke/);
        assert.match(error.hint ?? '', /reading the input failed and stopped the others/);
        const { count } = await totals('broken_rows');
        assert.equal(error.rowsCommitted, Number(count));
        assert.equal(Number(count) % 1000, 0);
      } finally {
        await db.close();
      }
    });

    test('skip mode: the rejects name the records of the whole input, as a serial load does', async () => {
      await table('skip_serial');
      await table('skip_rows');
      const input: unknown[] = rows(20_000);
      input[776] = null; // row 777: not an object
      input[4_999] = { ...row(5_000), name: 'x'.repeat(60) }; // too long for VARCHAR(40)
      input[15_000] = { ...row(15_001), id: 1 }; // row 15001: id 1 again
      input[19_998] = { ...row(19_999), id: 'abc' }; // not an integer
      const source = input as Record<string, unknown>[];
      const db = await open(target.url);
      try {
        const serialRejects = join(dir, `serial-${dialect}.csv`);
        const parallelRejects = join(dir, `parallel-${dialect}.csv`);
        const serial = await db.load('skip_serial', source, { onError: 'skip', rejects: serialRejects });
        const report = await db.load('skip_rows', source, {
          onError: 'skip',
          rejects: parallelRejects,
          parallel: 3,
          commitEvery: 1000,
        });
        assert.deepEqual(rejectedLinesIn(serialRejects), [777, 5000, 15_001, 19_999]);
        assert.deepEqual(
          rejectedLinesIn(parallelRejects).sort((a, b) => a - b),
          [777, 5000, 15_001, 19_999],
        );
        assert.equal(report.rowsRead, serial.rowsRead);
        assert.equal(report.rowsLoaded, serial.rowsLoaded);
        assert.equal(report.rowsRejected, 4);
        assert.equal(report.rowsRead, report.rowsLoaded + report.rowsRejected);
        assert.deepEqual(await stored('skip_rows'), await stored('skip_serial'));
        // A callback receives the same records.
        await target.query('DELETE FROM skip_rows');
        const lines: number[] = [];
        await db.load('skip_rows', source, {
          onError: 'skip',
          rejects: (reject) => lines.push(reject.line),
          parallel: 2,
          commitEvery: 1000,
        });
        assert.deepEqual(
          lines.sort((a, b) => a - b),
          [777, 5000, 15_001, 19_999],
        );
      } finally {
        await db.close();
      }
    });

    test("a batch's columns are the whole input's: a key seen in the first records only, a batch of no objects", async () => {
      await table('keys_serial');
      await table('keys_rows');
      const input: unknown[] = rows(6000).map((r, i) => {
        const id = i + 1;
        // "NOTE" finds the column note by its case-folded name, learned from the sample (rows 1-5);
        // row 3500 is past the first 1000 rows of its batch (2001-4000), its own sample.
        const { note, ...rest } = r;
        if (id <= 5 || id === 3500) return { ...rest, NOTE: note ?? `upper ${id}` };
        // A whole batch that is not objects: rejected, as a serial load rejects each.
        if (id > 4000) return `not an object ${id}`;
        return rest;
      });
      const source = input as Record<string, unknown>[];
      const db = await open(target.url);
      try {
        const serial = await db.load('keys_serial', source, { onError: 'skip' });
        const report = await db.load('keys_rows', source, {
          onError: 'skip',
          parallel: 2,
          commitEvery: 2000,
        });
        assert.equal(serial.rowsRejected, 2000);
        assert.equal(report.rowsRejected, serial.rowsRejected);
        assert.equal(report.rowsLoaded, serial.rowsLoaded);
        assert.deepEqual(await stored('keys_rows'), await stored('keys_serial'));
        const [r3500] = await target.query<{ note: unknown }>('SELECT note FROM keys_rows WHERE id = 3500');
        assert.equal(r3500?.note, 'upper 3500');
        assert.equal(Number((await totals('keys_rows')).count), 4000);
      } finally {
        await db.close();
      }
    });

    test('refused: a single client, an upsert, a resume, an object stream', async () => {
      const usage = (pattern: RegExp) => (error: SluiceError) => {
        assert.equal(error.code, 'BAD_USAGE');
        assert.match(error.message, pattern);
        return true;
      };
      await withSingleClient(dialect, target.url, (single) =>
        assert.rejects(
          single.load('one_client', rows(10), { parallel: 2 }),
          usage(/--parallel 2 needs 2 connections, and sluice was given one client/),
        ),
      );
      const db = await open(target.url);
      try {
        await assert.rejects(
          db.load('x', rows(10), { parallel: 2, onConflict: { action: 'update', key: ['id'] } }),
          usage(/onConflict cannot be used with parallel: N on a JS collection/),
        );
        await assert.rejects(
          db.load('x', rows(10), { parallel: 2, resume: true }),
          usage(/resume: true needs a file path/),
        );
        await assert.rejects(
          db.load('x', Readable.from(rows(10)), { parallel: 2 }),
          usage(/--parallel 2 cannot cut a stream into parts/),
        );
      } finally {
        await db.close();
      }
    });
  });
}
