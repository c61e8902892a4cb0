/**
 * PostgreSQL rounds a value into numeric(p,s) to the column's scale without a word ('1.005' into
 * numeric(5,2) is stored as 1.01, by COPY and INSERT alike). sluice refuses such a value, naming
 * its line, on every method and from CSV and NDJSON alike; values the scale holds exactly (trailing
 * zeros, exponents) are stored, and skip mode rejects just those rows, with the field as written.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';
import { tempFiles } from '../support/temp-files.js';

const { dir, file: write } = tempFiles('scale');

/** Fields numeric(5,2) holds exactly, with the text PostgreSQL then shows. */
const EXACT: readonly (readonly [string, string])[] = [
  ['1.25', '1.25'],
  ['1.2500', '1.25'],
  ['-0.50', '-0.50'],
  ['125e-2', '1.25'],
  ['1.2e2', '120.00'],
  ['0.000', '0.00'],
  ['7', '7.00'],
];
const ROUNDED = '1.005';

const METHODS: readonly (MethodName | undefined)[] = [undefined, 'copy', 'pipeline', 'values', 'row'];

if (DIALECTS.includes('postgres')) {
  describe('numeric(p,s): digits past the scale are refused, not rounded (postgres)', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('postgres', (opened) => ({ target, db } = opened));
    let tables = 0;

    async function fresh(type = 'numeric(5,2)'): Promise<string> {
      const table = `n${++tables}`;
      await target.query(`CREATE TABLE ${table} (id int PRIMARY KEY, n ${type})`);
      return table;
    }
    async function stored(table: string): Promise<string[]> {
      const rows = await target.query<{ n: string }>(`SELECT n::text AS n FROM ${table} ORDER BY id`);
      return rows.map((r) => r.n);
    }
    const csv = (fields: readonly string[]) =>
      write('csv', 'id,n\n' + fields.map((f, i) => `${i + 1},${f}\n`).join(''));

    for (const method of METHODS) {
      const label = method === undefined ? 'the default (raw CSV otherwise)' : `--method ${method}`;
      it(`${label}: every exact field stored as it is meant`, async () => {
        const table = await fresh();
        const report = await db.load(table, csv(EXACT.map(([f]) => f)), { method });
        assert.equal(report.rowsLoaded, EXACT.length);
        assert.deepEqual(
          await stored(table),
          EXACT.map(([, shown]) => shown),
        );
      });

      it(`${label}: a field with more digits than the scale fails the load at its line`, async () => {
        const table = await fresh();
        const file = csv(['1.25', '2.5', ROUNDED, '3']);
        await assert.rejects(db.load(table, file, { method }), (e: unknown) => {
          assert.ok(e instanceof SluiceError, String(e));
          assert.match(e.message, /line 4\b|:4:/);
          assert.match(e.message, /"1\.005" has more digits than a numeric\(5,2\) column keeps/);
          return true;
        });
        // The row method commits each row before the next; nothing rounded is ever stored.
        assert.deepEqual(await stored(table), method === 'row' ? ['1.25', '2.50'] : []);
      });
    }

    it('the default load copies such a CSV raw while no field would be rounded', async () => {
      const table = await fresh();
      const report = await db.load(table, csv(['1.25', '2.5', '125e-2', '3.10']), {});
      assert.equal(report.rawCopy, true);
      assert.deepEqual(await stored(table), ['1.25', '2.50', '1.25', '3.10']);
      const plain = await target.query('CREATE TABLE plain (id int PRIMARY KEY, n numeric)');
      assert.deepEqual(plain, []);
      const unscaled = await db.load('plain', csv(['1.00500']), {});
      assert.equal(unscaled.rawCopy, true);
      assert.deepEqual(
        (await target.query<{ n: string }>('SELECT n::text AS n FROM plain')).map((r) => r.n),
        ['1.00500'],
      );
    });

    it('skip mode rejects just the rounded rows, with the field as written', async () => {
      const table = await fresh();
      const rejects = join(dir, 'rejects.csv');
      const report = await db.load(table, csv(['1.25', ROUNDED, '2', '9.999']), {
        onError: 'skip',
        rejects,
      });
      assert.equal(report.rowsLoaded, 2);
      assert.equal(report.rowsRejected, 2);
      assert.equal(report.rowsRead, report.rowsLoaded + report.rowsRejected);
      assert.deepEqual(await stored(table), ['1.25', '2.00']);
      const lines = readFileSync(rejects, 'utf8').trim().split('\n');
      assert.equal(lines.length, 3);
      assert.match(lines[1]!, /^3,.*,"2,1\.005"$/);
      assert.match(lines[2]!, /^5,.*,"4,9\.999"$/);
    });

    it('NDJSON numbers and strings, and JS values, are checked the same way', async () => {
      const table = await fresh();
      const file = write('ndjson', '{"id":1,"n":1.5}\n{"id":2,"n":"2.25"}\n{"id":3,"n":0.125}\n');
      await assert.rejects(db.load(table, file, {}), /line 3\b|:3:|row 3/);
      assert.deepEqual(await stored(table), []);
      const objects = await fresh();
      await assert.rejects(
        db.load(objects, [
          { id: 1, n: 1.5 },
          { id: 2, n: 0.1 + 0.2 },
        ]),
        /0\.30000000000000004/,
      );
      const report = await db.load(objects, [
        { id: 1, n: 1.5 },
        { id: 2, n: '2.25' },
        { id: 3, n: 10n },
      ]);
      assert.equal(report.rowsLoaded, 3);
      assert.deepEqual(await stored(objects), ['1.50', '2.25', '10.00']);
    });

    it('a negative scale (numeric(5,-2)) takes hundreds and refuses 1250', async () => {
      const table = await fresh('numeric(5,-2)');
      await db.load(table, csv(['1200', '12e2', '-300']), {});
      assert.deepEqual(await stored(table), ['1200', '1200', '-300']);
      const other = await fresh('numeric(5,-2)');
      await assert.rejects(db.load(other, csv(['1250']), {}), /"1250" has more digits/);
    });
  });
}
