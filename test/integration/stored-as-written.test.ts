/**
 * Values the servers change without a word, strict mode or not: PostgreSQL rounds '16777217' into
 * a real to 16777216, '0.1000000000000000000001' into a double to 0.1 and '10:00:00.1234567' into
 * a timestamp to .123457; MariaDB does the same to FLOAT and DOUBLE, cuts '10:00:00.6' into a
 * DATETIME to 10:00:00 and rounds '1.5' into an INT to 2; PostgreSQL drops the zone of
 * '2020-01-01T10:00:00Z' in a timestamp, and the time of day of '2020-01-01 10:30:00' in a date. sluice refuses each such value naming its
 * line, on every method, from CSV (raw or parsed), NDJSON and JS values; a file none of whose
 * fields could be changed still goes to the database as its own bytes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';
import { tempFiles } from '../support/temp-files.js';

const { dir, file: write } = tempFiles('as-written');

interface Case {
  /** The column's declared type. */
  readonly type: string;
  /** Fields the column stores exactly, and the text the database then shows. */
  readonly exact: readonly (readonly [string, string])[];
  /** A field the column would change, and the words of the refusal. */
  readonly changed: string;
  readonly reason: RegExp;
}

const CASES: Record<'postgres' | 'mysql', readonly Case[]> = {
  postgres: [
    {
      type: 'real',
      exact: [
        ['0.1', '0.1'],
        ['16777216', '1.6777216e+07'],
        ['1.50', '1.5'],
      ],
      changed: '16777217',
      reason: /"16777217" is not exactly a 32-bit binary float: a real column would store 16777216/,
    },
    {
      type: 'double precision',
      exact: [
        ['0.1', '0.1'],
        ['0.30000000000000004', '0.30000000000000004'],
      ],
      changed: '0.1000000000000000000001',
      reason: /a double precision column would store 0\.1\b/,
    },
    {
      type: 'timestamp',
      exact: [
        ['2020-01-01 10:00:00.123456', '2020-01-01 10:00:00.123456'],
        ['2020-01-01 10:00:00.1234560', '2020-01-01 10:00:00.123456'],
      ],
      changed: '2020-01-01 10:00:00.1234567',
      reason: /has 7 digits after the second: a timestamp without time zone column keeps 6/,
    },
    {
      type: 'timestamp(0)',
      exact: [['2020-01-01 10:00:00.000', '2020-01-01 10:00:00']],
      changed: '2020-01-01 10:00:00.6',
      reason: /a timestamp\(0\) without time zone column keeps none/,
    },
    {
      type: 'time(2)',
      exact: [['10:00:00.12', '10:00:00.12']],
      changed: '10:00:00.129',
      reason: /keeps 2/,
    },
    // PostgreSQL drops a zone, a time of day or a date its type does not hold.
    {
      type: 'timestamp(3)',
      exact: [
        ['2020-01-01T10:00:00', '2020-01-01 10:00:00'],
        ['2020-01-01 10:00:00.5 BC', '2020-01-01 10:00:00.5 BC'],
      ],
      changed: '2020-01-01T10:00:00Z',
      reason:
        /the time "2020-01-01T10:00:00Z" has a zone \(Z\): a timestamp\(3\) without time zone column would drop it/,
    },
    {
      type: 'date',
      exact: [
        ['2020-01-01', '2020-01-01'],
        ['2020-01-01 00:00:00', '2020-01-01'],
      ],
      changed: '2020-01-01 10:30:00',
      reason: /the date "2020-01-01 10:30:00" has a time of day: a date column would drop it/,
    },
    {
      type: 'time',
      exact: [
        ['10:30:00', '10:30:00'],
        ['10:30 PM', '22:30:00'],
      ],
      changed: '10:30:00+02',
      reason: /has a zone \(\+02\): a time without time zone column would drop it/,
    },
    {
      type: 'time(0)',
      exact: [['10:30:00', '10:30:00']],
      changed: '2020-01-01 10:30:00',
      reason: /has a date: a time\(0\) without time zone column would drop it/,
    },
    // A leap second becomes the next minute.
    {
      type: 'time(6)',
      exact: [['23:59:59.999999', '23:59:59.999999']],
      changed: '23:59:60',
      reason:
        /the time "23:59:60" is a leap second: a time\(6\) without time zone column would store the next minute/,
    },
    // A two-digit year gets a century PostgreSQL picks.
    {
      type: 'timestamp(6)',
      exact: [['2020-01-02 10:00', '2020-01-02 10:00:00']],
      changed: '1/2/20 10:00',
      reason:
        /the date "1\/2\/20 10:00" has no four-digit year: a timestamp\(6\) without time zone column would guess the century/,
    },
    // Spaces past a varchar(n) or char(n) are cut off instead of refused.
    {
      type: 'varchar(3)',
      exact: [
        ['abc', 'abc'],
        ['ab ', 'ab '],
        ['né ', 'né '],
      ],
      changed: 'abc  ',
      reason: /the text "abc {2}" has spaces past the 3 characters a character varying\(3\) column keeps/,
    },
    {
      type: 'char(2)',
      exact: [['NY', 'NY']],
      changed: 'NY   ',
      reason: /past the 2 characters a character\(2\) column keeps/,
    },
  ],
  mysql: [
    {
      type: 'float',
      // MariaDB shows a FLOAT with 6 significant digits (16777216 as 16777200): values it shows whole.
      exact: [
        ['0.1', '0.1'],
        ['1234.5', '1234.5'],
      ],
      changed: '16777217',
      reason: /a FLOAT column would store 16777216/,
    },
    {
      type: 'double',
      exact: [['0.30000000000000004', '0.30000000000000004']],
      changed: '0.1000000000000000000001',
      reason: /a DOUBLE column would store 0\.1\b/,
    },
    {
      type: 'datetime',
      exact: [['2020-01-01 10:00:00.000', '2020-01-01 10:00:00']],
      changed: '2020-01-01 10:00:00.6',
      reason: /has 1 digit after the second: a DATETIME column keeps none/,
    },
    {
      type: 'datetime(3)',
      exact: [['2020-01-01 10:00:00.125', '2020-01-01 10:00:00.125']],
      changed: '2020-01-01 10:00:00.1254',
      reason: /a DATETIME\(3\) column keeps 3/,
    },
    {
      type: 'int',
      exact: [
        ['12', '12'],
        ['1.0', '1'],
      ],
      changed: '1.5',
      reason: /"1\.5" has a fraction: a INT\(11\) column would round it/,
    },
    {
      type: 'char(2)',
      exact: [['NY', 'NY']],
      changed: 'NY   ',
      reason: /past the 2 characters a CHAR\(2\) column keeps: it would cut them off/,
    },
    {
      type: 'date',
      exact: [['2020-01-05', '2020-01-05']],
      changed: '20-01-05',
      reason: /the date "20-01-05" has no four-digit year: a DATE column would guess the century/,
    },
    {
      type: 'year',
      exact: [
        ['2005', '2005'],
        ['1969', '1969'],
      ],
      changed: '5',
      reason: /the year "5" has one or two digits: a YEAR(\(4\))? column would guess the century/,
    },
  ],
};

const METHODS: readonly (MethodName | undefined)[] = [undefined, 'copy', 'values', 'row'];

for (const dialect of ['postgres', 'mysql'] as const) {
  if (!DIALECTS.includes(dialect)) continue;
  describe(`values the column would change are refused, not stored (${dialect})`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));
    let tables = 0;

    async function fresh(type: string): Promise<string> {
      const table = `w${++tables}`;
      await target.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v ${type})`);
      return table;
    }
    async function stored(table: string): Promise<string[]> {
      const text = dialect === 'postgres' ? 'v::text' : 'CAST(v AS CHAR)';
      const rows = await target.query<{ v: string }>(`SELECT ${text} AS v FROM ${table} ORDER BY id`);
      return rows.map((r) => r.v);
    }
    const csv = (fields: readonly string[]) =>
      write('csv', 'id,v\n' + fields.map((f, i) => `${i + 1},${f}\n`).join(''));

    for (const c of CASES[dialect]) {
      it(`${c.type}: exact fields are stored; the changed one fails the load at its line, on every method`, async () => {
        const exact = await fresh(c.type);
        const report = await db.load(exact, csv(c.exact.map(([f]) => f)), {});
        assert.deepEqual(
          await stored(exact),
          c.exact.map(([, shown]) => shown),
        );
        assert.equal(report.rowsLoaded, c.exact.length);
        for (const method of METHODS) {
          const table = await fresh(c.type);
          const file = csv([c.exact[0]![0], c.changed, c.exact[0]![0]]);
          await assert.rejects(db.load(table, file, { method }), (e: unknown) => {
            assert.ok(e instanceof SluiceError, String(e));
            assert.match(e.message, /:3:/, `${method}: ${e.message}`);
            assert.match(e.message, c.reason, `${method}: ${e.message}`);
            return true;
          });
          // The row method commits each row before the next: never the changed one.
          assert.deepEqual(await stored(table), method === 'row' ? [c.exact[0]![1]] : [], String(method));
        }
      });
    }

    it('a clean file keeps the raw copy; one changed field late in the file is found by parsing from its part', async () => {
      const c = CASES[dialect].find((x) =>
        x.type.startsWith(dialect === 'postgres' ? 'timestamp' : 'datetime'),
      )!;
      const good = c.exact[0]![0];
      const clean = await fresh(c.type);
      const copied = await db.load(clean, csv(Array.from({ length: 2000 }, () => good)), {});
      assert.equal(copied.rawCopy, true);
      assert.equal(copied.rowsLoaded, 2000);
      const table = await fresh(c.type);
      const fields = Array.from({ length: 120_000 }, () => good);
      fields[110_000] = c.changed;
      const file = csv(fields);
      await assert.rejects(db.load(table, file, { commitEvery: 50_000 }), (e: unknown) => {
        assert.ok(e instanceof SluiceError, String(e));
        assert.match(e.message, /:110002:/);
        assert.match(e.message, c.reason);
        return true;
      });
      // The two chunks before the changed field were copied raw and committed.
      assert.equal((await stored(table)).length, 100_000);
    });

    it('skip mode rejects just the changed rows, with the field as written', async () => {
      const c = CASES[dialect][0]!;
      const table = await fresh(c.type);
      const rejects = join(dir, `rejects-${dialect}.csv`);
      const report = await db.load(table, csv([c.exact[0]![0], c.changed, c.exact[0]![0]]), {
        onError: 'skip',
        rejects,
      });
      assert.equal(report.rowsLoaded, 2);
      assert.equal(report.rowsRejected, 1);
      const lines = readFileSync(rejects, 'utf8').trim().split('\n');
      assert.equal(lines.length, 2);
      assert.ok(lines[1]!.startsWith('3,'), lines[1]);
      assert.ok(lines[1]!.includes(`2,${c.changed}`), lines[1]);
    });

    it('NDJSON fields and JS values are checked the same way, Dates included', async () => {
      const float = dialect === 'postgres' ? 'real' : 'float';
      const table = await fresh(float);
      const ndjson = write('ndjson', '{"id":1,"v":0.5}\n{"id":2,"v":16777217}\n');
      await assert.rejects(db.load(table, ndjson, {}), /:2:.*16777217/);
      await assert.rejects(db.load(table, [{ id: 1, v: 16777217 }]), /16777217/);
      await assert.rejects(db.load(table, [{ id: 1, v: '16777217' }]), /16777217/);
      assert.deepEqual(await stored(table), []);
      const seconds = await fresh(dialect === 'postgres' ? 'timestamp(0)' : 'datetime');
      await assert.rejects(
        db.load(seconds, [{ id: 1, v: new Date('2020-01-01T10:00:00.250Z') }]),
        /after the second/,
      );
      const report = await db.load(seconds, [{ id: 1, v: new Date('2020-01-01T10:00:00.000Z') }]);
      assert.equal(report.rowsLoaded, 1);
    });
  });
}

if (DIALECTS.includes('sqlite')) {
  describe('numbers SQLite would store as another double are refused (sqlite)', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('sqlite', (opened) => ({ target, db } = opened));
    let tables = 0;

    const cases: readonly (readonly [string, string, RegExp | string])[] = [
      ['REAL', '0.1', '0.1'],
      ['REAL', '16777217', '16777217.0'],
      ['REAL', '0.1000000000000000000001', /a REAL column would store 0\.1\b/],
      ['REAL', '9007199254740993', /would store 9007199254740992/],
      ['DOUBLE PRECISION', '1e400', /would store Inf\b/],
      ['NUMERIC', '12345678901234567890', /a NUMERIC column would store 12345678901234567000/],
      ['NUMERIC', '1.50', '1.5'],
      ['INTEGER', '9223372036854775807', '9223372036854775807'],
      ['INTEGER', ' 42 ', '42'],
      ['INTEGER', 'n/a', 'n/a'],
      ['TIMESTAMP', '2020-01-01 10:00:00.1234567', '2020-01-01 10:00:00.1234567'],
    ];
    for (const [type, field, expected] of cases) {
      it(`${type} ${JSON.stringify(field)}: ${typeof expected === 'string' ? 'stored' : 'refused'}`, async () => {
        const table = `s${++tables}`;
        await target.query(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, v ${type})`);
        const file = write('csv', `id,v\n1,"${field}"\n`);
        if (typeof expected === 'string') {
          await db.load(table, file, {});
          const [row] = await target.query<{ v: string }>(`SELECT CAST(v AS TEXT) AS v FROM ${table}`);
          assert.equal(row!.v, expected);
          return;
        }
        for (const method of ['values', 'row'] as const) {
          await assert.rejects(db.load(table, file, { method }), (e: unknown) => {
            assert.ok(e instanceof SluiceError, String(e));
            assert.match(e.message, /:2:/);
            assert.match(e.message, expected);
            return true;
          });
        }
        assert.deepEqual(await target.query(`SELECT * FROM ${table}`), []);
      });
    }
  });
}
