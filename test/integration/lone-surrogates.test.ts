/**
 * Issue 12 item 4: SQLite stored a lone UTF-16 surrogate ("\uD800") as the bytes ED A0 80, which
 * are not UTF-8. PostgreSQL and MySQL refused it; now every database refuses it with the same
 * words, on every method, naming the row, and skip mode rejects just that row. A surrogate pair
 * (an emoji) is of course stored, as its four UTF-8 bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import { LONE_SURROGATE } from '../../src/dialects/unstorable.js';
import type { DialectName } from '../../src/dialects/dialect.js';
import type { MethodName } from '../../src/plan/plan.js';
import { hexOf, storedHex } from '../support/stored.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

function methodsOf(dialect: DialectName): MethodName[] {
  return dialect === 'sqlite' ? ['row', 'values', 'pipeline'] : ['row', 'values', 'pipeline', 'copy'];
}

const ROWS = [
  { id: 1, t: 'ok' },
  { id: 2, t: 'half \uD800 a pair' },
  { id: 3, t: '😀' },
  { id: 4, t: 'low \uDC00 alone' },
];

for (const dialect of DIALECTS) {
  describe(`issue 12 item 4: a lone surrogate is refused on ${dialect}`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));
    let tables = 0;

    async function fresh(): Promise<string> {
      const table = `s${++tables}`;
      await target.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, t TEXT)`);
      return table;
    }

    for (const method of methodsOf(dialect)) {
      it(`--method ${method}: the load fails at row 2 with the common message`, async () => {
        const table = await fresh();
        await assert.rejects(db.load(table, ROWS, { method }), (e: unknown) => {
          assert.ok(e instanceof SluiceError, String(e));
          // The same words as on every database; the prefix names the bound parameter or field.
          assert.equal(e.message.replace(/(parameter|field) 2: /, ''), `input row 2: ${LONE_SURROGATE}`);
          return true;
        });
        // The row method commits row 1 before it reaches row 2; nothing else is stored.
        assert.deepEqual(await storedHex(target, table, 't'), method === 'row' ? hexOf(['ok']) : []);
      });

      it(`--method ${method}: skip mode rejects the two rows and stores the rest exactly`, async () => {
        const table = await fresh();
        const report = await db.load(table, ROWS, { method, onError: 'skip' });
        assert.equal(report.rowsLoaded, 2);
        assert.equal(report.rowsRejected, 2);
        assert.deepEqual(await storedHex(target, table, 't'), ['6f6b', 'f09f9880']);
      });
    }
  });
}
