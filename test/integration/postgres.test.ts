/**
 * PostgreSQL-specific loads on the real server: every method carries every text byte for byte and
 * every JS type exactly, defaults and missing fields, --create. Errors, explain, limits and hostile
 * identifiers are in postgres-errors.test.ts; behaviour common to all databases in load.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { open, SluiceError, type Handle } from '../../src/index.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const METHODS: MethodName[] = ['row', 'values', 'pipeline', 'copy'];
const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Text that must arrive exactly as sent, whatever carries it. */
const TEXTS: readonly string[] = [
  'plain',
  'say "hi", then \'bye\'',
  'a,b,,c',
  'two\nlines',
  'crlf\r\nend',
  'lone\rcr',
  '\uFEFFstarts with a byte order mark',
  'back\\slash\\',
  '\\N',
  'NULL',
  'null',
  '',
  ' ',
  '\\.',
  'tab\there\t',
  '\\t is not a tab',
  'Zoë Ådal 東京 Ωμέγα',
  '4-byte emoji 👍🏽 and 𝄞',
  '"',
  '""',
  'x'.repeat(100_000),
  'y\\\n'.repeat(25_000),
];

/** A CSV with every field quoted (quotes doubled), NULL as an empty unquoted field. */
function textCsv(rows: readonly (readonly [number, string | null])[]): string {
  const quote = (v: string): string => `"${v.replace(/"/g, '""')}"`;
  return (
    'id,body\n' + rows.map(([id, body]) => `${id},${body === null ? '' : quote(body)}`).join('\n') + '\n'
  );
}

if (DIALECTS.includes('postgres')) {
  describe('PostgreSQL: values arrive exactly', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('postgres', (opened) => ({ target, db } = opened));

    async function texts(): Promise<[number, string | null][]> {
      const rows = await target.query<{ id: number; body: string | null }>(
        'SELECT id, body FROM texts ORDER BY id',
      );
      return rows.map((r) => [r.id, r.body]);
    }
    async function textsTable(): Promise<void> {
      await target.query('DROP TABLE IF EXISTS texts');
      await target.query('CREATE TABLE texts (id integer PRIMARY KEY, body text)');
    }
    const expected: [number, string | null][] = [
      ...TEXTS.map((t, i): [number, string] => [i, t]),
      [TEXTS.length, null],
    ];

    describe('text arrives byte for byte', () => {
      for (const method of METHODS) {
        it(`from JS objects, --method ${method}${method === 'copy' ? ' (encoded in-process)' : ''}`, async () => {
          await textsTable();
          const rows = expected.map(([id, body]) => ({ id, body }));
          const report = await db.load('texts', rows, { method });
          assert.equal(report.rowsLoaded, expected.length);
          assert.deepEqual(await texts(), expected);
        });

        it(`from a CSV file, --method ${method}${method === 'copy' ? ' (raw bytes)' : ''}`, async () => {
          await textsTable();
          const report = await db.load('texts', file(`texts-${method}.csv`, textCsv(expected)), { method });
          assert.equal(report.rawCopy, method === 'copy');
          assert.equal(report.rowsLoaded, expected.length);
          assert.deepEqual(await texts(), expected);
        });
      }

      it('from a CSV stream, --method copy (parsed, then encoded in-process)', async () => {
        await textsTable();
        const input = Readable.from([Buffer.from(textCsv(expected))]);
        const report = await db.load('texts', input, { method: 'copy', format: 'csv' });
        assert.equal(report.rawCopy, false);
        assert.deepEqual(await texts(), expected);
      });

      it('from a CSV file with CRLF line ends and a byte order mark, on every method', async () => {
        const csv = '\uFEFF' + textCsv(expected.slice(0, 12)).replace(/\n(?=\d|$)/g, '\r\n');
        for (const method of METHODS) {
          await textsTable();
          await db.load('texts', file('crlf-bom.csv', csv), { method });
          assert.deepEqual(await texts(), expected.slice(0, 12), method);
        }
      });

      it('from a TSV file through the raw path', async () => {
        await textsTable();
        const tsv = 'id\tbody\n1\t"a, b"\n2\t\n3\t"tab\there"\n';
        const report = await db.load('texts', file('t.tsv', tsv), { method: 'copy' });
        assert.equal(report.rawCopy, true);
        assert.deepEqual(await texts(), [
          [1, 'a, b'],
          [2, null],
          [3, 'tab\there'],
        ]);
      });
    });

    describe('JS types map exactly', () => {
      const types = `CREATE TABLE types (id integer PRIMARY KEY, i bigint, f double precision, n numeric, b boolean,
        d date, ts timestamp, tstz timestamptz, j jsonb, js json, by bytea, arr jsonb)`;
      const instant = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
      const rows = [
        {
          id: 1,
          i: 9007199254740993n,
          f: 0.1 + 0.2,
          n: '12345678901234567890.123456789012345',
          b: true,
          d: new Date(Date.UTC(2024, 1, 29)),
          ts: instant,
          tstz: instant,
          j: { a: [1, { b: 'x\ny\t"z"\\' }], u: 'ü😀' },
          js: { keep: 'order', as: 'sent' },
          by: Buffer.from([0, 1, 2, 0x5c, 0x0a, 0x09, 0xff]),
          arr: [1, 'two', null],
        },
        {
          id: 2,
          i: -9223372036854775808n,
          f: -0,
          n: 1e-7,
          b: false,
          d: new Date('0000-06-01T00:00:00Z'),
          ts: new Date('+010000-01-01T00:00:00Z'),
          tstz: new Date(0),
          j: [],
          // A JS string into a JSON column is a JSON string (issue 12 item 3).
          js: 'a "JS" string',
          by: Buffer.alloc(0),
          arr: [],
        },
        { id: 3, f: 5e-324 },
        { id: 4, f: 1.7976931348623157e308, b: null },
      ];
      const want = [
        {
          id: 1,
          i: '9007199254740993',
          f: '0.30000000000000004',
          n: '12345678901234567890.123456789012345',
          b: 'true',
          d: '2024-02-29',
          ts: '2024-01-02 03:04:05.678',
          tstz: '2024-01-02 03:04:05.678+00',
          j: '{"a": [1, {"b": "x\\ny\\t\\"z\\"\\\\"}], "u": "ü😀"}',
          js: '{"keep":"order","as":"sent"}',
          by: '0001025c0a09ff',
          arr: '[1, "two", null]',
        },
        {
          id: 2,
          i: '-9223372036854775808',
          f: '-0',
          n: '1e-7',
          b: 'false',
          d: '0001-06-01 BC',
          ts: '10000-01-01 00:00:00',
          tstz: '1970-01-01 00:00:00+00',
          j: '[]',
          js: '"a \\"JS\\" string"',
          by: '',
          arr: '[]',
        },
        {
          id: 3,
          i: null,
          f: '5e-324',
          n: null,
          b: null,
          d: null,
          ts: null,
          tstz: null,
          j: null,
          js: null,
          by: null,
          arr: null,
        },
        {
          id: 4,
          i: null,
          f: '1.7976931348623157e+308',
          n: null,
          b: null,
          d: null,
          ts: null,
          tstz: null,
          j: null,
          js: null,
          by: null,
          arr: null,
        },
      ];
      // numeric keeps what it is given: 1e-7 as a JS number is sent as String(1e-7).
      want[1]!.n = '0.0000001';

      for (const method of METHODS) {
        it(`--method ${method}, on a server whose TimeZone is not UTC`, async () => {
          // timestamp (without time zone) gets the UTC wall-clock time, whatever the session's zone.
          const handle = await open(
            target.url.replace(/\/([^/?]+)$/, '/$1?options=-c%20TimeZone%3DAmerica%2FNew_York'),
          );
          try {
            await target.query('DROP TABLE IF EXISTS types');
            await target.query(types);
            await handle.load('types', rows, { method });
          } finally {
            await handle.close();
          }
          const got = await target.query(
            `SET TimeZone = 'UTC'; SELECT id, i::text, f::text, n::text, b::text, d::text, ts::text,
            tstz::text, j::text, js::text, encode(by, 'hex') AS by, arr::text FROM types ORDER BY id`.split(
              ';',
            )[1]!,
          );
          assert.deepEqual(got, want);
        });
      }
    });

    describe('defaults, missing fields and explicit nulls', () => {
      const table = `CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL, email text DEFAULT 'none@x',
        note text DEFAULT 'db default', source text, created_at timestamptz DEFAULT now())`;
      for (const method of METHODS) {
        it(`--method ${method}: a missing field gets the DB default, null is NULL, shapes may change row to row`, async () => {
          await target.query('DROP TABLE IF EXISTS people');
          await target.query(table);
          const rows = [
            { name: 'a', email: 'a@x', note: 'n' },
            { name: 'b' },
            { name: 'c', email: null },
            { name: 'd', email: null },
            { name: 'e', note: null, email: 'e@x' },
            { name: 'f', email: 'f@x', note: 'n' },
            { name: 'g' },
            { name: 'h', source: 'explicit' },
          ];
          let n = 0;
          await db.load('people', rows, {
            method,
            batchSize: method === 'row' ? undefined : 3,
            defaults: { source: () => `client${++n}` },
          });
          const got = await target.query(
            'SELECT name, email, note, source, created_at IS NOT NULL AS stamped FROM people ORDER BY id',
          );
          assert.deepEqual(got, [
            { name: 'a', email: 'a@x', note: 'n', source: 'client1', stamped: true },
            { name: 'b', email: 'none@x', note: 'db default', source: 'client2', stamped: true },
            { name: 'c', email: null, note: 'db default', source: 'client3', stamped: true },
            { name: 'd', email: null, note: 'db default', source: 'client4', stamped: true },
            { name: 'e', email: 'e@x', note: null, source: 'client5', stamped: true },
            { name: 'f', email: 'f@x', note: 'n', source: 'client6', stamped: true },
            { name: 'g', email: 'none@x', note: 'db default', source: 'client7', stamped: true },
            { name: 'h', email: 'none@x', note: 'db default', source: 'explicit', stamped: true },
          ]);
        });

        it(`--method ${method}: rows with no field at all get every default`, async () => {
          await target.query('DROP TABLE IF EXISTS defaults_only');
          await target.query("CREATE TABLE defaults_only (id serial PRIMARY KEY, note text DEFAULT 'd')");
          const report = await db.load('defaults_only', [{}, {}, { note: 'given' }, {}], { method });
          assert.equal(report.rowsLoaded, 4);
          assert.deepEqual(await target.query('SELECT note FROM defaults_only ORDER BY id'), [
            { note: 'd' },
            { note: 'd' },
            { note: 'given' },
            { note: 'd' },
          ]);
        });
      }

      it('a CSV load with a client-side default goes through encoded COPY, not raw bytes', async () => {
        await target.query('DROP TABLE IF EXISTS people');
        await target.query(table);
        const report = await db.load('people', file('people.csv', 'name,email\nx,\ny,"y@x"\n'), {
          defaults: { source: 'csv' },
        });
        assert.equal(report.method, 'copy');
        assert.equal(report.rawCopy, false);
        assert.deepEqual(await target.query('SELECT name, email, source FROM people ORDER BY id'), [
          { name: 'x', email: null, source: 'csv' },
          { name: 'y', email: 'y@x', source: 'csv' },
        ]);
      });
    });

    describe('a missing table', () => {
      it('is TABLE_NOT_FOUND (exit 2) with a hint, and nothing is created', async () => {
        await assert.rejects(
          db.load('nosuch', file('nosuch.csv', 'a\n1\n')),
          (e: unknown) =>
            e instanceof SluiceError &&
            e.code === 'TABLE_NOT_FOUND' &&
            e.exitCode === 2 &&
            e.message === 'table "nosuch" does not exist' &&
            /--create/.test(e.hint ?? ''),
        );
        assert.deepEqual(await target.query("SELECT to_regclass('nosuch') AS t"), [{ t: null }]);
      });

      for (const method of METHODS) {
        it(`is created from inferred PostgreSQL types with create: true (--method ${method})`, async () => {
          await target.query('DROP TABLE IF EXISTS inferred_csv; DROP TABLE IF EXISTS inferred_js');
          const csv =
            'id,score,born,seen,at,name\n1,1.5,2001-02-03,2024-01-02 03:04:05,2024-01-02T03:04:05Z,ann\n2,,,,,\n';
          const report = await db.load('inferred_csv', file('inferred.csv', csv), { create: true, method });
          assert.match(report.ddl ?? '', /^CREATE TABLE "inferred_csv" \(/);
          await db.load(
            'inferred_js',
            [{ n: 1n, ok: true, meta: { a: 1 }, raw: Buffer.from('x'), at: new Date(0), r: 0.5 }],
            { create: true, method },
          );
          const columns = await target.query(
            `SELECT table_name, data_type FROM information_schema.columns
              WHERE table_name IN ('inferred_csv', 'inferred_js') ORDER BY table_name, ordinal_position`,
          );
          assert.deepEqual(
            columns.map((c) => `${c.table_name}: ${c.data_type}`),
            [
              'inferred_csv: bigint',
              'inferred_csv: double precision',
              'inferred_csv: date',
              'inferred_csv: timestamp without time zone',
              'inferred_csv: timestamp with time zone',
              'inferred_csv: text',
              'inferred_js: bigint',
              'inferred_js: boolean',
              'inferred_js: jsonb',
              'inferred_js: bytea',
              'inferred_js: timestamp with time zone',
              'inferred_js: double precision',
            ],
          );
          assert.deepEqual(
            await target.query('SELECT id, score, born::text, name FROM inferred_csv ORDER BY id'),
            [
              { id: '1', score: 1.5, born: '2001-02-03', name: 'ann' },
              { id: '2', score: null, born: null, name: null },
            ],
          );
          assert.deepEqual(
            await target.query("SELECT n, ok, meta, encode(raw, 'escape') AS raw, r FROM inferred_js"),
            [{ n: '1', ok: true, meta: { a: 1 }, raw: 'x', r: 0.5 }],
          );
        });
      }

      it('created by a load that fails is gone again (the DDL is in the transaction)', async () => {
        await target.query('DROP TABLE IF EXISTS half');
        await assert.rejects(
          db.load('half', file('half.csv', 'n\n1\n2\nthree\n'), { create: true, sampleSize: 2 }),
          (e: unknown) =>
            e instanceof SluiceError && e.code === 'LOAD_FAILED' && /half\.csv:4: /.test(e.message),
        );
        assert.deepEqual(await target.query("SELECT to_regclass('half') AS t"), [{ t: null }]);
      });
    });
  });
}
