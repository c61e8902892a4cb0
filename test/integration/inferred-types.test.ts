/**
 * Issue 12 item 7: a type sluice infers must take the data it was inferred from. For every type
 * inference knows, on every database and every method (COPY / LOAD DATA raw and encoded, values,
 * pipeline, row), a file of edge values is inferred and loaded, then read back and compared
 * exactly: digits for numbers, the UTC wall clock for timestamps, hex for text and bytes. Values
 * a type would round, truncate or shift must make the column text, which keeps them byte for byte.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Handle, LoadOptions } from '../../src/index.js';
import type { DialectName, LogicalType } from '../../src/dialects/dialect.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-types-'));

interface Run {
  readonly name: string;
  readonly method: MethodName;
  /** Encoded COPY / LOAD DATA: a commit point makes the raw path unavailable. */
  readonly options: LoadOptions;
  readonly raw: boolean;
}

const RUNS: Record<DialectName, Run[]> = {
  postgres: serverRuns(),
  mysql: serverRuns(),
  sqlite: [
    { name: 'row', method: 'row', options: {}, raw: false },
    { name: 'values', method: 'values', options: {}, raw: false },
    { name: 'pipeline', method: 'pipeline', options: {}, raw: false },
  ],
};

function serverRuns(): Run[] {
  return [
    { name: 'row', method: 'row', options: {}, raw: false },
    { name: 'values', method: 'values', options: {}, raw: false },
    { name: 'pipeline', method: 'pipeline', options: {}, raw: false },
    { name: 'copy (raw CSV)', method: 'copy', options: {}, raw: true },
    { name: 'copy (encoded)', method: 'copy', options: { batchSize: 1_000_000 }, raw: false },
  ];
}

/** The column type each database gets for each inferred type, as its catalog spells it. */
const COLUMN_TYPES: Record<DialectName, Record<LogicalType, string>> = {
  postgres: {
    integer: 'bigint',
    real: 'double precision',
    decimal: 'numeric',
    boolean: 'boolean',
    date: 'date',
    timestamp: 'timestamp without time zone',
    timestamptz: 'timestamp with time zone',
    json: 'jsonb',
    text: 'text',
    bytes: 'bytea',
  },
  mysql: {
    integer: 'bigint(20)',
    real: 'double',
    decimal: 'decimal(65,30)',
    boolean: 'tinyint(1)',
    date: 'date',
    timestamp: 'datetime(6)',
    timestamptz: 'datetime(6)',
    json: 'longtext',
    text: 'longtext',
    bytes: 'longblob',
  },
  sqlite: {
    integer: 'INTEGER',
    real: 'REAL',
    decimal: 'TEXT',
    boolean: 'INTEGER',
    date: 'TEXT',
    timestamp: 'TEXT',
    timestamptz: 'TEXT',
    json: 'TEXT',
    text: 'TEXT',
    bytes: 'BLOB',
  },
};

/** A CSV column of edge values, the type it must be inferred as, and each value as read back. */
interface TextCase {
  readonly type: LogicalType;
  /** [as written in the file, as read back in UTC wall-clock form for (zoned) timestamps]. */
  readonly values: readonly (readonly [string, string?])[];
}

const CSV_CASES: Record<string, TextCase> = {
  integer: {
    type: 'integer',
    values: [
      ['0'],
      ['-1'],
      ['42'],
      ['9223372036854775807'],
      ['-9223372036854775808'],
      ['9007199254740993'],
      ['999999999999999999'],
    ],
  },
  real: {
    type: 'real',
    values: [
      ['0.1'],
      ['-2.5'],
      ['3'],
      ['1e5'],
      ['1.5E-7'],
      ['0.30000000000000004'],
      ['1.7976931348623157e308'],
      ['2.2250738585072014e-308'],
      ['5e-324'],
      ['.5'],
      ['-.25e+2'],
      ['123456789012345680000.0'],
    ],
  },
  date: {
    type: 'date',
    values: [['0001-01-01'], ['9999-12-31'], ['2024-02-29'], ['1970-01-01']],
  },
  timestamp: {
    type: 'timestamp',
    values: [
      ['2024-03-05 07:08', '2024-03-05 07:08:00.000000'],
      ['2024-03-05T07:08:09', '2024-03-05 07:08:09.000000'],
      ['2024-03-05T07:08:09.1', '2024-03-05 07:08:09.100000'],
      ['2024-03-05 07:08:09.123456', '2024-03-05 07:08:09.123456'],
      ['0001-01-01 00:00:00', '0001-01-01 00:00:00.000000'],
      ['9999-12-31T23:59:59.999999', '9999-12-31 23:59:59.999999'],
      ['2024-02-29 23:59:59.05', '2024-02-29 23:59:59.050000'],
      // A date among timestamps is its midnight.
      ['2024-01-01', '2024-01-01 00:00:00.000000'],
    ],
  },
  timestamptz: {
    type: 'timestamptz',
    values: [
      ['2024-03-05T07:08:09.000Z', '2024-03-05 07:08:09.000000'],
      ['2024-03-05T12:38:09.123456+05:30', '2024-03-05 07:08:09.123456'],
      ['2024-03-05T07:08:09-00:00', '2024-03-05 07:08:09.000000'],
      ['2024-03-05T07:08:09+14:00', '2024-03-04 17:08:09.000000'],
      ['2024-03-05T07:08:09+0530', '2024-03-05 01:38:09.000000'],
      ['2024-03-05T07:08:09+05', '2024-03-05 02:08:09.000000'],
      ['2024-03-05T07:08:09-12:00', '2024-03-05 19:08:09.000000'],
      ['2024-12-31T20:00-05:00', '2025-01-01 01:00:00.000000'],
      ['2024-03-05 07:08:09.5Z', '2024-03-05 07:08:09.500000'],
      ['0001-01-01T05:30:00+05:30', '0001-01-01 00:00:00.000000'],
      ['9999-12-31T23:59:59.999999Z', '9999-12-31 23:59:59.999999'],
    ],
  },
};

/** Values that look typed but that every typed column would change: each alone must infer text. */
const MUST_STAY_TEXT: readonly string[] = [
  '007',
  '+5',
  '-0',
  '-0.0',
  '+1.5',
  '1e400',
  '1e-400',
  '0.1000000000000000055511151231257827',
  '3.14159265358979323846',
  '9223372036854775808',
  '-9223372036854775809',
  'NaN',
  'Infinity',
  '-Infinity',
  '0000-01-01',
  '2023-02-29',
  '2024-03-05T07:08:60',
  '2024-03-05T24:00:00',
  '2024-03-05T07:08:09.1234567',
  '2024-03-05T07:08:09.123456789Z',
  '2024-03-05T07:08:09+15:00',
  '0001-01-01T00:00:00+05:30',
  '9999-12-31T23:59:59-01:00',
  '{"a": [1, 2.50]}',
  '[1,2]',
  'true',
  ' 42 ',
  '\\N',
  'a\\tb',
];

/** Columns whose values together allow no type that holds them all. */
const MIXED_TEXT: Record<string, readonly string[]> = {
  // 2^53 + 1 is a bigint, but not a double.
  int_and_real: ['9007199254740993', '1.5'],
  // A zoned column would read the zoneless one in the session's zone.
  zoneless_and_zoned: ['2024-01-01 10:00', '2024-01-01T10:00:00Z'],
};

function csvField(text: string): string {
  return /[",\n\r]/.test(text) || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV file: an id column, then the given columns, padded with empty (NULL) fields. */
function csvFile(name: string, columns: Record<string, readonly string[]>): string {
  const names = Object.keys(columns);
  const rows = Math.max(...names.map((n) => columns[n]!.length));
  const lines = [['id', ...names].join(',')];
  for (let r = 0; r < rows; r++) {
    lines.push(
      [String(r + 1), ...names.map((n) => (r < columns[n]!.length ? csvField(columns[n]![r]!) : ''))].join(
        ',',
      ),
    );
  }
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function ident(dialect: DialectName, name: string): string {
  return dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

async function columnType(target: TestTarget, table: string, column: string): Promise<string> {
  switch (target.dialect) {
    case 'postgres': {
      const [row] = await target.query<{ t: string }>(
        'SELECT data_type AS t FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2',
        [table, column],
      );
      return row!.t;
    }
    case 'mysql': {
      const [row] = await target.query<{ t: string }>(
        'SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
        [table, column],
      );
      return String(row!.t);
    }
    case 'sqlite': {
      const rows = await target.query<{ name: string; type: string }>(`PRAGMA table_info("${table}")`);
      return rows.find((r) => r.name === column)!.type;
    }
  }
}

/** SQL that reads a column back as exact text: digits, UTC wall clock, or the UTF-8 bytes in hex. */
function readBack(dialect: DialectName, type: LogicalType, column: string): string {
  const c = ident(dialect, column);
  const forms: Record<DialectName, Partial<Record<LogicalType, string>>> = {
    postgres: {
      integer: `${c}::text`,
      real: `${c}::text`,
      date: `to_char(${c}, 'YYYY-MM-DD')`,
      timestamp: `to_char(${c}, 'YYYY-MM-DD HH24:MI:SS.US')`,
      timestamptz: `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`,
      text: `encode(convert_to(${c}, 'UTF8'), 'hex')`,
      boolean: `${c}::text`,
      json: `${c}::text`,
      bytes: `encode(${c}, 'hex')`,
    },
    mysql: {
      integer: `CAST(${c} AS CHAR)`,
      real: `CAST(${c} AS CHAR)`,
      date: `DATE_FORMAT(${c}, '%Y-%m-%d')`,
      timestamp: `DATE_FORMAT(${c}, '%Y-%m-%d %H:%i:%s.%f')`,
      timestamptz: `DATE_FORMAT(${c}, '%Y-%m-%d %H:%i:%s.%f')`,
      text: `LOWER(HEX(${c}))`,
      boolean: `CAST(${c} AS CHAR)`,
      json: `CAST(${c} AS CHAR)`,
      bytes: `LOWER(HEX(${c}))`,
    },
    sqlite: {
      // typeof() first: SQLite would keep a value it cannot convert as TEXT in any column.
      integer: `typeof(${c}) || ':' || CAST(${c} AS TEXT)`,
      real: `${c}`,
      date: `typeof(${c}) || ':' || ${c}`,
      timestamp: `typeof(${c}) || ':' || ${c}`,
      timestamptz: `typeof(${c}) || ':' || ${c}`,
      text: `lower(hex(${c}))`,
      boolean: `typeof(${c}) || ':' || ${c}`,
      json: `typeof(${c}) || ':' || ${c}`,
      bytes: `typeof(${c}) || ':' || lower(hex(${c}))`,
    },
  };
  return `CASE WHEN ${c} IS NULL THEN NULL ELSE ${forms[dialect][type]!} END`;
}

async function readColumn(
  target: TestTarget,
  table: string,
  type: LogicalType,
  column: string,
): Promise<unknown[]> {
  const d = target.dialect;
  const rows = await target.query<{ v: unknown }>(
    `SELECT ${readBack(d, type, column)} AS v FROM ${ident(d, table)} ORDER BY ${ident(d, 'id')}`,
  );
  return rows.map((r) => r.v);
}

/** A decimal literal's exact value, as sign, digits without leading/trailing zeros, and exponent. */
function decimalValue(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  assert.ok(m, `not a decimal: ${text}`);
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let exponent = Number(m[4] ?? '0') - (m[3] ?? '').length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent++;
  }
  return `${m[1] === '-' ? '-' : ''}${digits}e${exponent}`;
}

function hexOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/** What each stored value must read back as, for a CSV case on this database. */
function expectedCsv(dialect: DialectName, testCase: TextCase): unknown[] {
  return testCase.values.map(([written, utc]) => {
    switch (testCase.type) {
      case 'integer':
        return dialect === 'sqlite' ? `integer:${written}` : written;
      case 'real':
        return decimalValue(written);
      case 'date':
        return dialect === 'sqlite' ? `text:${written}` : written;
      case 'timestamp':
      case 'timestamptz':
        // SQLite keeps the ISO text as written: nothing to normalise.
        return dialect === 'sqlite' ? `text:${written}` : utc;
      default:
        return hexOf(written);
    }
  });
}

/** Reals as read back, reduced to their exact decimal value (the double's shortest digits). */
function actualReals(dialect: DialectName, values: unknown[]): unknown[] {
  // PostgreSQL and MySQL print the double's shortest round-trip digits; SQLite hands over the
  // double itself, which String() prints the same way.
  return values.map((v) => (v === null ? null : decimalValue(String(dialect === 'sqlite' ? v : Number(v)))));
}

for (const dialect of DIALECTS) {
  describe(`types inferred from a CSV hold its values on ${dialect} (issue 12 item 7)`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    for (const run of RUNS[dialect]) {
      for (const [name, testCase] of Object.entries(CSV_CASES)) {
        it(`issue 12 item 7: ${name} edge values load exactly, --method ${run.name}`, async () => {
          const table = `${name}_${run.name.replace(/\W+/g, '_')}`;
          const path = csvFile(table, { v: testCase.values.map(([written]) => written) });
          const report = await db.load(table, path, { ...run.options, method: run.method, create: true });
          assert.equal(report.rowsLoaded, testCase.values.length);
          // MySQL's zoned timestamps are converted to UTC in this process: never raw.
          const converted = dialect === 'mysql' && testCase.type === 'timestamptz';
          assert.equal(report.rawCopy, run.raw && !converted);
          assert.equal(await columnType(target, table, 'v'), COLUMN_TYPES[dialect][testCase.type]);
          const values = await readColumn(target, table, testCase.type, 'v');
          const actual = testCase.type === 'real' ? actualReals(dialect, values) : values;
          assert.deepEqual(actual, expectedCsv(dialect, testCase));
        });
      }

      it(`issue 12 item 7: values no typed column holds exactly infer text and load byte for byte, --method ${run.name}`, async () => {
        const table = `text_${run.name.replace(/\W+/g, '_')}`;
        const columns: Record<string, readonly string[]> = { ...MIXED_TEXT };
        MUST_STAY_TEXT.forEach((value, i) => (columns[`t${i}`] = [value]));
        const report = await db.load(table, csvFile(table, columns), {
          ...run.options,
          method: run.method,
          create: true,
        });
        assert.equal(report.rawCopy, run.raw);
        for (const [column, values] of Object.entries(columns)) {
          assert.equal(await columnType(target, table, column), COLUMN_TYPES[dialect].text, column);
          const stored = await readColumn(target, table, 'text', column);
          assert.deepEqual(
            stored.slice(0, values.length),
            values.map(hexOf),
            `${column}: ${values.join(' ')}`,
          );
        }
      });
    }
  });

  describe(`types inferred from JS values hold them on ${dialect} (issue 12 item 7)`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const json: unknown[] = [
      { a: 1, b: [true, null, 'x'] },
      [1, 'two', { three: [4] }],
      {},
      [],
      { 'quote " backslash \\ tab \t newline \n': 'Zoë 😀' },
      { nested: { deeper: [[], [{}], 'x'] } },
    ];
    const rows = [
      {
        id: 1,
        b: true,
        j: json[0],
        by: allBytes,
        d: new Date('0001-01-01T00:00:00.000Z'),
        n: 9223372036854775807n,
      },
      {
        id: 2,
        b: false,
        j: json[1],
        by: Buffer.alloc(0),
        d: new Date('9999-12-31T23:59:59.999Z'),
        n: -9223372036854775808n,
      },
      { id: 3, b: null, j: json[2], by: Buffer.from('\\N\t\n,"'), d: new Date(0), n: 0n },
      { id: 4, b: true, j: json[3], by: null, d: new Date('2024-02-29T12:34:56.789Z'), n: null },
      { id: 5, b: false, j: json[4], by: new Uint8Array([0, 255]), d: null, n: 1n },
      { id: 6, b: null, j: json[5], by: null, d: null, n: null },
    ];
    const methods: MethodName[] =
      dialect === 'sqlite' ? ['row', 'values', 'pipeline'] : ['row', 'values', 'pipeline', 'copy'];

    for (const method of methods) {
      it(`issue 12 item 7: booleans, JSON, bytes, Dates and bigints load exactly, --method ${method}`, async () => {
        const table = `js_${method}`;
        const report = await db.load(table, rows, { method, create: true });
        assert.equal(report.rowsLoaded, rows.length);
        const types: Record<string, LogicalType> = {
          b: 'boolean',
          j: 'json',
          by: 'bytes',
          d: 'timestamptz',
          n: 'integer',
        };
        for (const [column, type] of Object.entries(types)) {
          assert.equal(await columnType(target, table, column), COLUMN_TYPES[dialect][type], column);
        }
        const sqliteText = (v: string): string => `text:${v}`;
        const bools = rows.map((r) =>
          r.b === null
            ? null
            : dialect === 'postgres'
              ? String(r.b)
              : dialect === 'mysql'
                ? r.b
                  ? '1'
                  : '0'
                : `integer:${r.b ? 1 : 0}`,
        );
        assert.deepEqual(await readColumn(target, table, 'boolean', 'b'), bools);
        const storedJson = await readColumn(target, table, 'json', 'j');
        if (dialect === 'sqlite') {
          assert.deepEqual(
            storedJson,
            json.map((v) => sqliteText(JSON.stringify(v))),
          );
        } else {
          assert.deepEqual(
            storedJson.map((v) => JSON.parse(String(v)) as unknown),
            json,
          );
        }
        const hex = (b: Uint8Array | null): string | null =>
          b === null ? null : `${dialect === 'sqlite' ? 'blob:' : ''}${Buffer.from(b).toString('hex')}`;
        assert.deepEqual(
          await readColumn(target, table, 'bytes', 'by'),
          rows.map((r) => hex(r.by)),
        );
        const utc = (d: Date | null): string | null =>
          d === null
            ? null
            : dialect === 'sqlite'
              ? sqliteText(d.toISOString())
              : `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 23)}000`;
        assert.deepEqual(
          await readColumn(target, table, 'timestamptz', 'd'),
          rows.map((r) => utc(r.d)),
        );
        assert.deepEqual(
          await readColumn(target, table, 'integer', 'n'),
          rows.map((r) => (r.n === null ? null : dialect === 'sqlite' ? `integer:${r.n}` : String(r.n))),
        );
      });
    }
  });
}
