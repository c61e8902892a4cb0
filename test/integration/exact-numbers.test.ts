/**
 * Issue 12 item 1: a JSON number a double cannot hold (`-123123123123123123123123123123`,
 * `9007199254740993`, `1.5e+9999`, `123e-10000000`) is stored exactly (its literal into numeric,
 * DECIMAL, bigint, text and JSON columns) or refused naming its line, never rounded, made Infinity
 * or 0. Also bigints from JS, and --create choosing a type that holds such numbers. Values are
 * read back as the database's own text and compared byte for byte.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import type { DialectName } from '../../src/dialects/dialect.js';
import type { MethodName } from '../../src/plan/plan.js';
import { hexOf, storedHex } from '../support/stored.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-numbers-'));
let files = 0;
function file(ext: 'ndjson' | 'json', records: readonly string[]): string {
  const path = join(dir, `nums${++files}.${ext}`);
  writeFileSync(path, ext === 'ndjson' ? records.join('\n') + '\n' : `[\n${records.join(',\n')}\n]\n`);
  return path;
}

function methodsOf(dialect: DialectName): MethodName[] {
  return dialect === 'sqlite' ? ['row', 'values', 'pipeline'] : ['row', 'values', 'pipeline', 'copy'];
}

/** The table, the records (one per line) and the text each column must read back as. */
interface ExactCase {
  readonly ddl: string;
  readonly records: readonly string[];
  readonly want: Record<string, readonly (string | null)[]>;
}

const EXACT: Record<DialectName, ExactCase> = {
  postgres: {
    ddl: 'CREATE TABLE nums (id int PRIMARY KEY, n numeric, b bigint, t text, j jsonb, js json)',
    records: [
      '{"id":1,"n":-123123123123123123123123123123,"b":9007199254740993,"t":1.5e+9999,"j":{"x":-123123123123123123123123123123,"y":[0.1000000000000000000001]},"js":{"u":123e-10000000}}',
      '{"id":2,"n":0.1000000000000000000001,"b":-9223372036854775808,"t":123e-10000000,"j":[9007199254740993],"js":1.5e+9999}',
      '{"id":3,"n":1.5,"b":7,"t":0.5,"j":1,"js":[1.0]}',
    ],
    want: {
      n: ['-123123123123123123123123123123', '0.1000000000000000000001', '1.5'],
      b: ['9007199254740993', '-9223372036854775808', '7'],
      t: ['1.5e+9999', '123e-10000000', '0.5'],
      j: [
        '{"x": -123123123123123123123123123123, "y": [0.1000000000000000000001]}',
        '[9007199254740993]',
        '1',
      ],
      // json keeps the text it is given: sluice's compact JSON, every literal as written.
      js: ['{"u":123e-10000000}', '1.5e+9999', '[1]'],
    },
  },
  mysql: {
    ddl: 'CREATE TABLE nums (id INT PRIMARY KEY, n DECIMAL(30,0), f DECIMAL(25,22), b BIGINT, t LONGTEXT, j JSON)',
    records: [
      '{"id":1,"n":-123123123123123123123123123123,"f":0.1000000000000000000001,"b":9007199254740993,"t":1.5e+9999,"j":{"x":-123123123123123123123123123123,"y":[123e-10000000]}}',
      '{"id":2,"n":-9223372036854775809,"f":0.3,"b":-9223372036854775808,"t":123e-10000000,"j":1.5e+9999}',
    ],
    want: {
      n: ['-123123123123123123123123123123', '-9223372036854775809'],
      f: ['0.1000000000000000000001', '0.3000000000000000000000'],
      b: ['9007199254740993', '-9223372036854775808'],
      t: ['1.5e+9999', '123e-10000000'],
      // MariaDB's JSON is text: the literals as written.
      j: ['{"x":-123123123123123123123123123123,"y":[123e-10000000]}', '1.5e+9999'],
    },
  },
  sqlite: {
    ddl: 'CREATE TABLE nums (id INTEGER PRIMARY KEY, n TEXT, b INTEGER, t TEXT, j TEXT)',
    records: [
      '{"id":1,"n":-123123123123123123123123123123,"b":9007199254740993,"t":1.5e+9999,"j":{"x":-123123123123123123123123123123,"y":[123e-10000000]}}',
      '{"id":2,"n":0.1000000000000000000001,"b":-9223372036854775808,"t":123e-10000000,"j":[9007199254740993]}',
    ],
    want: {
      n: ['-123123123123123123123123123123', '0.1000000000000000000001'],
      b: ['9007199254740993', '-9223372036854775808'],
      t: ['1.5e+9999', '123e-10000000'],
      j: ['{"x":-123123123123123123123123123123,"y":[123e-10000000]}', '[9007199254740993]'],
    },
  },
};

/** A float column and a number it cannot hold, on line 2. */
const FLOAT: Record<DialectName, { ddl: string; type: string }> = {
  postgres: { ddl: 'CREATE TABLE f (id int PRIMARY KEY, d double precision)', type: 'double precision' },
  mysql: { ddl: 'CREATE TABLE f (id INT PRIMARY KEY, d DOUBLE)', type: 'DOUBLE' },
  sqlite: { ddl: 'CREATE TABLE f (id INTEGER PRIMARY KEY, d REAL)', type: 'REAL' },
};

for (const dialect of DIALECTS) {
  describe(`issue 12 item 1: exact JSON numbers on ${dialect}`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    async function fresh(ddl: string): Promise<void> {
      const name = /CREATE TABLE (\w+)/.exec(ddl)![1]!;
      await target.query(`DROP TABLE IF EXISTS ${name}`);
      await target.query(ddl);
    }

    /** Rows left after a refused line 2: the row method commits row by row, so line 1 stays. */
    const keptOf = (method: MethodName): number => (method === 'row' ? 1 : 0);

    async function count(table: string): Promise<number> {
      const [row] = await target.query<Record<string, unknown>>(`SELECT COUNT(*) AS n FROM ${table}`);
      return Number(row!.n);
    }

    const exact = EXACT[dialect];
    for (const format of ['ndjson', 'json'] as const) {
      for (const method of methodsOf(dialect)) {
        it(`keeps every literal a double cannot hold (${format}, --method ${method})`, async () => {
          await fresh(exact.ddl);
          const report = await db.load('nums', file(format, exact.records), { method });
          assert.equal(report.rowsLoaded, exact.records.length);
          for (const [column, texts] of Object.entries(exact.want)) {
            assert.deepEqual(await storedHex(target, 'nums', column), hexOf(texts), column);
          }
          if (dialect === 'sqlite') {
            // Stored as INTEGER, not as text or an inexact REAL.
            const types = await target.query<{ t: string }>('SELECT typeof(b) AS t FROM nums ORDER BY id');
            assert.deepEqual(
              types.map((r) => r.t),
              ['integer', 'integer'],
            );
          }
        });
      }
    }

    for (const method of methodsOf(dialect)) {
      it(`refuses, naming the line, a number a ${FLOAT[dialect].type} column would round (--method ${method})`, async () => {
        await fresh(FLOAT[dialect].ddl);
        const path = file('ndjson', ['{"id":1,"d":0.5}', '{"id":2,"d":0.1000000000000000000001}']);
        await assert.rejects(db.load('f', path, { method }), (e: unknown) => {
          assert.ok(e instanceof SluiceError, String(e));
          assert.match(
            e.message,
            /nums\d+\.ndjson:2: .*"0\.1000000000000000000001" has no exact binary floating-point form/,
          );
          return true;
        });
        assert.equal(await count('f'), keptOf(method));
      });

      it(`refuses a bigint a ${FLOAT[dialect].type} column would round, from JS (--method ${method})`, async () => {
        await fresh(FLOAT[dialect].ddl);
        const rows = [
          { id: 1, d: 2n ** 53n },
          { id: 2, d: 2n ** 53n + 1n },
        ];
        await assert.rejects(
          db.load('f', rows, { method }),
          /input row 2: .*"9007199254740993" has no exact/,
        );
        assert.equal(await count('f'), keptOf(method));
      });
    }

    if (dialect === 'mysql') {
      for (const method of methodsOf(dialect)) {
        it(`refuses what DECIMAL and BIGINT cannot hold instead of rounding it (--method ${method})`, async () => {
          await fresh('CREATE TABLE d (id INT PRIMARY KEY, v DECIMAL(65,0), b BIGINT)');
          const tooLong = '1' + '0'.repeat(65); // 66 digits: more than DECIMAL's 65
          const cases: [string, RegExp][] = [
            [`{"id":2,"v":${tooLong}}`, /:2: .*Out of range value for column 'v'/],
            ['{"id":2,"v":0.1000000000000000000001}', /:2: .*(Data truncated|Note|note).*'v'/],
            [
              '{"id":2,"b":0.1000000000000000000001}',
              /:2: .*"0\.1000000000000000000001" has a fraction: a BIGINT\(20\) column would round it/,
            ],
            ['{"id":2,"b":1.5}', /:2: .*"1\.5" has a fraction/],
            ['{"id":2,"b":-123123123123123123123123123123}', /:2: .*Out of range value for column 'b'/],
          ];
          for (const [line, message] of cases) {
            await assert.rejects(
              db.load('d', file('ndjson', ['{"id":1,"v":1,"b":1}', line]), { method }),
              message,
            );
            assert.equal(await count('d'), keptOf(method), line);
            await target.query('DELETE FROM d');
          }
        });
      }
    }

    if (dialect === 'sqlite') {
      for (const method of methodsOf(dialect)) {
        it(`refuses a number an INTEGER column would turn into an inexact REAL (--method ${method})`, async () => {
          await fresh('CREATE TABLE i (id INTEGER PRIMARY KEY, v INTEGER)');
          const path = file('ndjson', ['{"id":1,"v":1}', '{"id":2,"v":-123123123123123123123123123123}']);
          await assert.rejects(
            db.load('i', path, { method }),
            /:2: .*is not a 64-bit integer: SQLite would store it as an inexact REAL/,
          );
          assert.equal(await count('i'), keptOf(method));
        });
      }
    }

    for (const method of methodsOf(dialect)) {
      it(`stores JS bigints exactly, inside JSON too (--method ${method})`, async () => {
        const json = dialect === 'postgres' ? 'jsonb' : dialect === 'mysql' ? 'JSON' : 'TEXT';
        await fresh(`CREATE TABLE bigs (id INT PRIMARY KEY, b BIGINT, j ${json})`);
        await db.load(
          'bigs',
          [
            { id: 1, b: 9007199254740993n, j: { v: 2n ** 70n, w: [-(2n ** 64n)] } },
            { id: 2, b: -(2n ** 63n), j: 2n ** 70n },
          ],
          { method },
        );
        assert.deepEqual(
          await storedHex(target, 'bigs', 'b'),
          hexOf(['9007199254740993', '-9223372036854775808']),
        );
        const spaced = dialect === 'postgres';
        assert.deepEqual(
          await storedHex(target, 'bigs', 'j'),
          hexOf([
            spaced
              ? '{"v": 1180591620717411303424, "w": [-18446744073709551616]}'
              : '{"v":1180591620717411303424,"w":[-18446744073709551616]}',
            '1180591620717411303424',
          ]),
        );
      });
    }

    it('--create infers an exact type for numbers a double cannot hold', async () => {
      await target.query('DROP TABLE IF EXISTS inferred');
      const path = file('ndjson', [
        '{"id":1,"n":-123123123123123123123123123123,"big":9007199254740993,"r":0.5,"huge":1.5e+9999}',
        '{"id":2,"n":0.1000000000000000000001,"big":1,"r":1,"huge":2}',
      ]);
      const report = await db.load('inferred', path, { create: true });
      const types: Record<DialectName, RegExp[]> = {
        postgres: [/"n" numeric/, /"big" bigint/, /"r" double precision/, /"huge" text/],
        mysql: [/`n` DECIMAL\(65,30\)/, /`big` BIGINT/, /`r` DOUBLE/, /`huge` LONGTEXT/],
        sqlite: [/"n" TEXT/, /"big" INTEGER/, /"r" REAL/, /"huge" TEXT/],
      };
      for (const type of types[dialect]) assert.match(report.ddl ?? '', type);
      const n: Record<DialectName, string[]> = {
        postgres: ['-123123123123123123123123123123', '0.1000000000000000000001'],
        mysql: [
          '-123123123123123123123123123123.000000000000000000000000000000',
          '0.100000000000000000000100000000',
        ],
        sqlite: ['-123123123123123123123123123123', '0.1000000000000000000001'],
      };
      assert.deepEqual(await storedHex(target, 'inferred', 'n'), hexOf(n[dialect]));
      assert.deepEqual(await storedHex(target, 'inferred', 'big'), hexOf(['9007199254740993', '1']));
      // A plain number in a text column is the database's text of the double: SQLite writes 2.0.
      const two = dialect === 'sqlite' ? '2.0' : '2';
      assert.deepEqual(await storedHex(target, 'inferred', 'huge'), hexOf(['1.5e+9999', two]));
    });
  });
}
