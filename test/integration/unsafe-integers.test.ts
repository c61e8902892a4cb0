/**
 * JS numbers that cannot be written exactly. `2 ** 60` prints as 1152921504606847000 but holds
 * 1152921504606846976: String(n) into a bigint column stored a different integer than the value,
 * and neither is what a caller who had 1152921504606847000 meant. Into integer and
 * numeric/DECIMAL columns (SQLite: INTEGER and NUMERIC affinity) such a number, NaN and Infinity
 * are refused as a bad value of their row, on every method and database, naming the row; skip
 * mode rejects just those rows. BigInts and strings keep every digit, and JSON/NDJSON files keep
 * the literal of every integer past 2^53, so a file's digits are stored as written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import type { Reject } from '../../src/rejects/reject.js';
import type { DialectName } from '../../src/dialects/dialect.js';
import type { MethodName } from '../../src/plan/plan.js';
import { hexOf, storedHex } from '../support/stored.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

function methodsOf(dialect: DialectName): MethodName[] {
  return dialect === 'sqlite' ? ['row', 'values', 'pipeline'] : ['row', 'values', 'pipeline', 'copy'];
}

/** b: an integer column, n: an exact numeric one, f: a double. */
const DDL: Record<DialectName, string> = {
  postgres: 'CREATE TABLE t (id int PRIMARY KEY, b bigint, n numeric, f double precision)',
  mysql: 'CREATE TABLE t (id INT PRIMARY KEY, b BIGINT, n DECIMAL(25,1), f DOUBLE)',
  sqlite: 'CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER, n NUMERIC, f REAL)',
};

/** How each database writes back the numeric column's values 0.1, 2^62 and 2.5. */
const N_TEXT: Record<DialectName, string[]> = {
  postgres: ['0.1', '4611686018427387904', '2.5'],
  mysql: ['0.1', '4611686018427387904.0', '2.5'],
  sqlite: ['0.1', '4611686018427387904', '2.5'],
};

const ROWS = [
  { id: 1, b: 1, n: 0.1, f: 2 ** 60 },
  { id: 2, b: 2 ** 60, n: 1, f: 1 },
  { id: 3, b: 3, n: NaN, f: 1 },
  { id: 4, b: '1152921504606846977', n: 2n ** 62n, f: 1 },
  { id: 5, b: Number.MAX_SAFE_INTEGER, n: 2.5, f: 1 },
  { id: 6, b: 2n ** 60n, n: Infinity, f: 1 },
  // A double that is exactly -2^63, in BIGINT's range: refused all the same, since a JS number
  // this large cannot say which integer it was meant to be.
  { id: 7, b: -(2 ** 63), n: 1, f: 1 },
];

const dir = mkdtempSync(join(tmpdir(), 'sluice-unsafe-'));
let files = 0;
function file(ext: 'ndjson' | 'json', records: readonly string[]): string {
  const path = join(dir, `big${++files}.${ext}`);
  writeFileSync(path, ext === 'ndjson' ? records.join('\n') + '\n' : `[\n${records.join(',\n')}\n]\n`);
  return path;
}

for (const dialect of DIALECTS) {
  describe(`JS numbers an integer or numeric column cannot store exactly, on ${dialect}`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    async function fresh(): Promise<void> {
      await target.query('DROP TABLE IF EXISTS t');
      await target.query(DDL[dialect]);
    }

    async function ids(): Promise<number[]> {
      const rows = await target.query<{ id: unknown }>('SELECT id FROM t ORDER BY id');
      return rows.map((r) => Number(r.id));
    }

    for (const method of methodsOf(dialect)) {
      it(`--method ${method}: 2 ** 60 into a bigint column stops the load at its row, saying to pass a BigInt or a string`, async () => {
        await fresh();
        await assert.rejects(db.load('t', ROWS, { method }), (e: unknown) => {
          assert.ok(e instanceof SluiceError, String(e));
          assert.match(
            e.message,
            /^input row 2: .*the number 1152921504606847000 is past Number\.MAX_SAFE_INTEGER: as a JS number it has lost digits \(it holds 1152921504606846976\), so a (?:bigint(?:\(20\))?|integer) column would not get the value meant; pass it as a BigInt or a string/i,
          );
          return true;
        });
        // The row method commits row 1 before it reaches row 2; nothing else is stored.
        assert.deepEqual(await ids(), method === 'row' ? [1] : []);
      });

      it(`--method ${method}: skip mode rejects the rows with NaN, Infinity or an unsafe integer and stores the rest exactly`, async () => {
        await fresh();
        const seen: Reject[] = [];
        const report = await db.load('t', ROWS, { method, onError: 'skip', rejects: (r) => seen.push(r) });
        assert.deepEqual([report.rowsRead, report.rowsLoaded, report.rowsRejected], [7, 3, 4]);
        assert.deepEqual(
          seen.map((r) => r.line),
          [2, 3, 6, 7],
        );
        assert.match(seen[0]!.reason, /1152921504606847000 is past Number\.MAX_SAFE_INTEGER/);
        assert.match(seen[1]!.reason, /the number NaN is not a value a .+ column can store/i);
        assert.match(seen[2]!.reason, /the number Infinity is not a value/);
        assert.match(seen[3]!.reason, /-9223372036854776000 is past .*holds -9223372036854775808/);
        assert.deepEqual(await ids(), [1, 4, 5]);
        assert.deepEqual(
          await storedHex(target, 't', 'b'),
          hexOf(['1', '1152921504606846977', '9007199254740991']),
        );
        assert.deepEqual(await storedHex(target, 't', 'n'), hexOf(N_TEXT[dialect]));
        // A double column takes any double as it is.
        const [first] = await target.query<{ f: unknown }>('SELECT f FROM t WHERE id = 1');
        assert.equal(Number(first!.f), 2 ** 60);
      });
    }

    for (const format of ['ndjson', 'json'] as const) {
      for (const method of methodsOf(dialect)) {
        it(`${format}, --method ${method}: integers past 2^53 in the file keep their digits`, async () => {
          await fresh();
          // 1152921504606847000 is what String(2 ** 60) prints: as a JS number it would be refused.
          const path = file(format, [
            '{"id":1,"b":1152921504606847000,"n":1152921504606846977,"f":1152921504606847000}',
            '{"id":2,"b":-9007199254740992,"n":1E18,"f":1E22}',
          ]);
          const report = await db.load('t', path, { method });
          assert.equal(report.rowsLoaded, 2);
          assert.deepEqual(
            await storedHex(target, 't', 'b'),
            hexOf(['1152921504606847000', '-9007199254740992']),
          );
          const n =
            dialect === 'mysql'
              ? ['1152921504606846977.0', '1000000000000000000.0']
              : ['1152921504606846977', '1000000000000000000'];
          assert.deepEqual(await storedHex(target, 't', 'n'), hexOf(n));
          // A float column still takes the double whose shortest text is the literal.
          const floats = await target.query<{ f: unknown }>('SELECT f FROM t ORDER BY id');
          assert.deepEqual(
            floats.map((r) => Number(r.f)),
            [2 ** 60, 1e22],
          );
        });
      }
    }
  });
}
