/**
 * Bad input on every database and every method: abort names the line and keeps nothing; skip
 * rejects exactly the bad rows (with their lines) and loads every good one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import type { MethodName } from '../../src/plan/plan.js';
import type { Reject } from '../../src/rejects/reject.js';
import { BAD_ROWS, badRowsSchema, fileWith } from '../support/bad-rows.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-bad-'));
const METHODS: MethodName[] = ['row', 'values', 'pipeline', 'copy'];

for (const dialect of DIALECTS) {
  describe(`bad input into ${dialect}`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    async function freshItems(): Promise<void> {
      await target.query('DROP TABLE IF EXISTS items');
      await target.query('DROP TABLE IF EXISTS roles');
      for (const sql of badRowsSchema(dialect)) await target.query(sql);
    }

    async function names(): Promise<string[]> {
      const rows = await target.query<{ name: string }>('SELECT name FROM items ORDER BY name');
      return rows.map((r) => r.name);
    }

    for (const method of METHODS) {
      if (method === 'copy' && dialect === 'sqlite') continue; // no bulk path: asserted in load.test.ts

      for (const bad of BAD_ROWS) {
        it(`abort (${method}): ${bad.kind} on line 3 is named and nothing stays`, async () => {
          await freshItems();
          const path = join(dir, `abort-${method}-${bad.kind.replaceAll(' ', '-')}.csv`);
          writeFileSync(path, fileWith([bad.text]));
          await assert.rejects(db.load('items', path, { method }), (e: unknown) => {
            assert.ok(e instanceof SluiceError, String(e));
            assert.match(e.message, new RegExp(`${path.replaceAll('.', '\\.')}:3[:\\s]`), e.message);
            assert.equal(e.code, bad.parser ? 'BAD_INPUT' : 'LOAD_FAILED', e.message);
            // The row before a malformed record is written first (the database might refuse it,
            // and the first bad row in file order is the one to name), then rolled back: exit 2,
            // the database as it was. --method row commits row by row, so the row before stays.
            const keeps = method === 'row';
            assert.equal(e.exitCode, bad.parser && !keeps ? 2 : 1);
            assert.equal(e.rowsCommitted ?? 0, keeps ? 1 : 0);
            return true;
          });
          assert.deepEqual(await names(), method === 'row' ? ['ok1'] : []);
        });
      }

      it(`skip (${method}): every bad row goes to the rejects file with its line, every good row loads`, async () => {
        await freshItems();
        const path = join(dir, `skip-${method}.csv`);
        const goods = Array.from({ length: 40 }, (_, i) => Buffer.from(`good${i},${i},2021-01-01,2`));
        // ok1 on line 2; then bad rows on lines 3, 5, 7 … with good rows between them.
        const rows = BAD_ROWS.flatMap((b, i) => [b.text, goods[i]!]);
        writeFileSync(path, fileWith(rows));
        const rejectsPath = join(dir, `skip-${method}.rejects.csv`);
        const report = await db.load('items', path, {
          method,
          onError: 'skip',
          rejects: rejectsPath,
          batchSize: method === 'row' ? undefined : 4,
        });
        const expectedBadLines = BAD_ROWS.map((_, i) => 3 + 2 * i);
        assert.equal(report.rowsRejected, BAD_ROWS.length);
        assert.equal(report.rowsLoaded, 2 + BAD_ROWS.length);
        assert.equal(report.rowsRead, report.rowsLoaded + report.rowsRejected);
        const loaded = await names();
        assert.deepEqual(loaded, ['ok1', 'okLast', ...BAD_ROWS.map((_, i) => `good${i}`)].sort());
        const lines = readFileSync(rejectsPath, 'utf8').trimEnd().split('\n');
        assert.equal(lines[0], 'line,code,reason,record');
        const rejected = lines.slice(1).map((l) => Number(l.slice(0, l.indexOf(','))));
        assert.deepEqual(
          rejected.sort((a, b) => a - b),
          expectedBadLines,
        );
        for (const [i, bad] of BAD_ROWS.entries()) {
          const line = lines.slice(1).find((l) => l.startsWith(`${3 + 2 * i},`))!;
          if (bad.parser) assert.match(line, /^\d+,BAD_INPUT,/, `${bad.kind}: ${line}`);
          else assert.doesNotMatch(line, /^\d+,BAD_INPUT,/, `${bad.kind}: ${line}`);
        }
      });
    }

    it('skip with a callback: rejects from JS rows carry the row number and the database code', async () => {
      await freshItems();
      const seen: Reject[] = [];
      const report = await db.load(
        'items',
        [
          { name: 'a', qty: 1, role_id: 1 },
          { name: null, qty: 2, role_id: 1 },
          { name: 'b', qty: 3, role_id: 77 },
          { name: 'c', qty: 4, role_id: 2 },
        ],
        { onError: 'skip', rejects: (r) => seen.push(r) },
      );
      assert.deepEqual([report.rowsRead, report.rowsLoaded, report.rowsRejected], [4, 2, 2]);
      assert.deepEqual(
        seen.map((r) => r.line),
        [2, 3],
      );
      assert.ok(seen.every((r) => r.code !== '' && r.reason !== ''));
      assert.match(seen[0]!.record, /"qty":2/);
      assert.deepEqual(await names(), ['a', 'c']);
    });

    it('--max-errors stops the load and keeps nothing', async () => {
      await freshItems();
      const path = join(dir, 'max-errors.csv');
      writeFileSync(path, fileWith(BAD_ROWS.slice(0, 3).map((b) => b.text)));
      await assert.rejects(
        db.load('items', path, { onError: 'skip', maxErrors: 2 }),
        (e: unknown) =>
          e instanceof SluiceError &&
          e.code === 'TOO_MANY_REJECTS' &&
          /:4: stopped after 2 rejected rows/.test(e.message),
      );
      assert.deepEqual(await names(), []);
    });
  });
}
