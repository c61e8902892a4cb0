/**
 * Issue 11's defects in the core, on every database and method: the first bad row in file order is
 * the one named (defect 3), commits fall after exactly N rows (defect 6), and --batch-size means
 * what explain says (defect 7).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-core-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** `rows` records of (id, name, n); line L holds the record of id L - 1 (the header is line 1). */
function numbered(rows: number, edit: (line: number, record: string) => string = (_l, r) => r): string {
  const lines = ['id,name,n'];
  for (let id = 1; id <= rows; id++) lines.push(edit(id + 1, `${id},name${id},${id % 97}`));
  return lines.join('\n') + '\n';
}

for (const dialect of DIALECTS) {
  const methods: MethodName[] = [
    'row',
    'values',
    'pipeline',
    ...(dialect === 'sqlite' ? [] : ['copy' as const]),
  ];
  describe(`core shape on ${dialect} (issue 11)`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    async function table(name: string): Promise<void> {
      await target.query(`DROP TABLE IF EXISTS ${name}`);
      // STRICT: SQLite's affinity would otherwise store 'abc' in an INTEGER column as given.
      await target.query(
        `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, name ${dialect === 'sqlite' ? 'TEXT' : 'VARCHAR(40)'} NOT NULL, n INTEGER NOT NULL)${dialect === 'sqlite' ? ' STRICT' : ''}`,
      );
    }
    async function count(name: string): Promise<number> {
      const [row] = await target.query<{ c: number | string }>(`SELECT COUNT(*) AS c FROM ${name}`);
      return Number(row!.c);
    }

    // Defect 3: 'abc' into an integer column at line 102, a record with too many fields at 5612.
    const twoBad = numbered(10_000, (line, record) =>
      line === 102 ? '101,name101,abc' : line === 5612 ? `${record},extra` : record,
    );
    for (const method of methods) {
      const rows = method === 'row' ? 400 : 10_000;
      const text =
        method === 'row'
          ? numbered(rows, (line, r) => (line === 102 ? '101,name101,abc' : line === 302 ? `${r},extra` : r))
          : twoBad;
      it(`abort names the first bad row in file order, not a later bad record (defect 3, --method ${method})`, async () => {
        await table('firstbad');
        const path = file(`firstbad-${dialect}-${method}.csv`, text);
        await assert.rejects(db.load('firstbad', path, { method }), (e: unknown) => {
          assert.ok(e instanceof SluiceError, String(e));
          assert.equal(e.location?.line, 102, e.message);
          return true;
        });
        // row commits each row on its own: the 100 rows before the bad one stay; the others leave nothing.
        assert.equal(await count('firstbad'), method === 'row' ? 100 : 0);
      });
    }
    if (dialect !== 'sqlite') {
      it('abort names the first bad row in file order on the raw CSV path too (defect 3, default method)', async () => {
        await table('firstbadraw');
        const path = file(`firstbadraw-${dialect}.csv`, twoBad);
        const plan = await db.explain('firstbadraw', path);
        assert.equal(plan.plan.rawCopy, true);
        await assert.rejects(db.load('firstbadraw', path), (e: unknown) => {
          assert.ok(e instanceof SluiceError, String(e));
          assert.equal(e.location?.line, 102, e.message);
          return true;
        });
        assert.equal(await count('firstbadraw'), 0);
      });
    }

    // Defect 6: with 2000-row batches, N = 3000 must commit at 3000 and 6000, not 4000 and 8000.
    for (const method of methods.filter((m) => m !== 'row')) {
      it(`--commit-every commits after exactly N rows (defect 6, --method ${method})`, async () => {
        await table('every');
        // The row of id 7501 (line 7502) duplicates id 1: the load fails after two commit points.
        const text = numbered(9_000, (line, r) => (line === 7502 ? '1,dup,1' : r));
        const path = file(`every-${dialect}-${method}.csv`, text);
        const batchSize = method === 'values' ? undefined : 2000;
        await assert.rejects(
          db.load('every', path, { method, commitEvery: 3000, batchSize }),
          (e: unknown) => {
            assert.ok(e instanceof SluiceError, String(e));
            assert.equal(e.location?.line, 7502, e.message);
            assert.equal(e.rowsCommitted, 6000);
            return true;
          },
        );
        assert.equal(await count('every'), 6000);
        const [max] = await target.query<{ m: number | string }>('SELECT MAX(id) AS m FROM every');
        assert.equal(Number(max!.m), 6000);
      });

      it(`--commit-every with a last chunk shorter than N commits it at the end (defect 6, --method ${method})`, async () => {
        await table('every2');
        const path = file(`every2-${dialect}-${method}.csv`, numbered(7_001));
        const report = await db.load('every2', path, { method, commitEvery: 3000 });
        assert.equal(report.rowsLoaded, 7001);
        assert.equal(await count('every2'), 7001);
      });
    }

    it('--commit-every and --batch-size with --method row are refused, not ignored (defects 6 and 7)', async () => {
      await table('rowopts');
      const path = file(`rowopts-${dialect}.csv`, numbered(10));
      for (const options of [{ commitEvery: 5 }, { batchSize: 5 }]) {
        await assert.rejects(
          db.load('rowopts', path, { method: 'row', ...options }),
          (e: unknown) => e instanceof SluiceError && e.code === 'BAD_USAGE' && e.exitCode === 2,
        );
      }
      assert.equal(await count('rowopts'), 0);
    });

    if (dialect === 'postgres') {
      it('--batch-size N makes each COPY a statement of N rows (defect 7)', async () => {
        await table('batched');
        // Rows of one statement share its statement_timestamp(): a trigger records it.
        await target.query('ALTER TABLE batched ADD COLUMN at timestamptz');
        await target.query(
          `CREATE FUNCTION batched_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := statement_timestamp(); RETURN NEW; END $$`,
        );
        await target.query(
          'CREATE TRIGGER batched_at BEFORE INSERT ON batched FOR EACH ROW EXECUTE FUNCTION batched_at()',
        );
        const path = file('batched.csv', numbered(3_500));
        const plan = await db.explain('batched', path, { batchSize: 1000 });
        assert.equal(plan.plan.copyPerBatch, true);
        assert.equal(plan.plan.batchSize, 1000);
        await db.load('batched', path, { batchSize: 1000 });
        const groups = await target.query<{ c: string }>(
          'SELECT COUNT(*) AS c FROM batched GROUP BY at ORDER BY MIN(id)',
        );
        assert.deepEqual(
          groups.map((g) => Number(g.c)),
          [1000, 1000, 1000, 500],
        );
        // Without it, the file goes as one raw COPY.
        await target.query('TRUNCATE batched');
        await db.load('batched', path);
        assert.equal((await target.query('SELECT DISTINCT at FROM batched')).length, 1);
      });
    }
  });
}
