/**
 * Issue 12 item 5: JS arrays into PostgreSQL array columns are sent as array literals on every
 * method, COPY included (they were sent as JSON and refused: "malformed array literal"). What
 * each column stores is compared, as the server's text of it in hex, with what node-postgres' own
 * parameter serialization stores for the same JS values. Arrays into json/jsonb stay JSON.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { SluiceError, type Handle } from '../../src/index.js';
import type { MethodName } from '../../src/plan/plan.js';
import { storedHex } from '../support/stored.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const METHODS: MethodName[] = ['row', 'values', 'pipeline', 'copy'];
const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-arrays-'));

const COLUMNS = `id int PRIMARY KEY, tags text[], ints int[], nums numeric[], instants timestamptz[],
  docs jsonb[], flags bool[], grid int[][], names varchar(20)[], bytes bytea[], doc jsonb, floats float8[]`;

const instant = new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 123));

/** Rows every method must store as pg stores them. */
const ROWS: Record<string, unknown>[] = [
  {
    id: 1,
    tags: [
      'a',
      'b,c',
      'd"e',
      'back\\slash',
      '',
      'NULL',
      'null',
      ' spaced ',
      '{braces}',
      'tab\tnew\nline',
      'ü😀',
    ],
    ints: [1, -2, 3],
    nums: [1.5, 0.1, 123456789012345],
    instants: [instant, new Date(0)],
    docs: [{ a: 1, s: 'x"y\\z' }, { b: [1, 2] }, null],
    flags: [true, false, null],
    grid: [
      [1, 2],
      [3, 4],
    ],
    names: ['x', null, 'y z'],
    bytes: [Buffer.from([0, 0x5c, 0xff]), null],
    doc: ['json', 'stays', { a: [1] }],
    floats: [0.1, 5e-324, 1e300],
  },
  {
    id: 2,
    tags: [null, 'only NULL elements above'],
    ints: [],
    nums: [null],
    instants: [],
    docs: [],
    flags: [],
    grid: [[[1, null]], [[3, 4]]],
    names: [],
    bytes: [],
    doc: [],
    floats: [],
  },
  { id: 3, tags: null, ints: null },
];
const COLUMN_NAMES = Object.keys(ROWS[0]!).filter((c) => c !== 'id');

for (const dialect of DIALECTS.filter((d) => d === 'postgres')) {
  describe('issue 12 item 5: JS arrays into PostgreSQL array columns', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    /** What pg itself stores: the same rows bound by node-postgres as query parameters. */
    async function reference(): Promise<Record<string, (string | null)[]>> {
      await target.query(`DROP TABLE IF EXISTS reference`);
      await target.query(`CREATE TABLE reference (${COLUMNS})`);
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        for (const row of ROWS) {
          const columns = Object.keys(row);
          const marks = columns.map((_, i) => `$${i + 1}`).join(', ');
          await client.query(
            `INSERT INTO reference (${columns.join(', ')}) VALUES (${marks})`,
            // pg sends a JS array into jsonb as an array literal, which jsonb refuses: JSON text, as pg users write it.
            columns.map((c) => (c === 'doc' ? JSON.stringify(row[c]) : row[c])),
          );
        }
      } finally {
        await client.end();
      }
      const stored: Record<string, (string | null)[]> = {};
      for (const column of COLUMN_NAMES) stored[column] = await storedHex(target, 'reference', column);
      return stored;
    }

    for (const method of METHODS) {
      it(`--method ${method} stores what pg's own serialization stores`, async () => {
        const want = await reference();
        const table = `arrays_${method}`;
        await target.query(`CREATE TABLE ${table} (${COLUMNS})`);
        const report = await db.load(table, ROWS, { method });
        assert.equal(report.rowsLoaded, ROWS.length);
        for (const column of COLUMN_NAMES) {
          assert.deepEqual(await storedHex(target, table, column), want[column], column);
        }
        // Read back as values too, for the eye: pg parses the literals it stored.
        const [first] = await target.query<{ tags: string[]; grid: number[][] }>(
          `SELECT tags, grid FROM ${table} WHERE id = 1`,
        );
        assert.deepEqual(first!.tags, ROWS[0]!.tags);
        assert.deepEqual(first!.grid, ROWS[0]!.grid);
      });

      it(`--method ${method}: -0 keeps its sign in float8[] (pg itself sends 0)`, async () => {
        const table = `zero_${method}`;
        await target.query(`CREATE TABLE ${table} (id int PRIMARY KEY, floats float8[])`);
        await db.load(table, [{ id: 1, floats: [-0, 0] }], { method });
        assert.deepEqual(await storedHex(target, table, 'floats'), [Buffer.from('{-0,0}').toString('hex')]);
      });

      it(`--method ${method}: a JSON array from NDJSON becomes an array literal; jsonb[] elements are JSON`, async () => {
        const table = `ndjson_${method}`;
        await target.query(
          `CREATE TABLE ${table} (id int PRIMARY KEY, tags text[], nums numeric[], docs jsonb[])`,
        );
        const path = join(dir, `${table}.ndjson`);
        writeFileSync(
          path,
          '{"id":1,"tags":["a","b,c","d\\"e",null,"NULL"],"nums":[-123123123123123123123123123123,0.5],"docs":["1",{"a":"x"}]}\n',
        );
        await db.load(table, path, { method });
        const [row] = await target.query<{ tags: string; nums: string; docs: string }>(
          `SELECT tags::text, nums::text, docs::text FROM ${table}`,
        );
        assert.deepEqual(row, {
          tags: '{a,"b,c","d\\"e",NULL,"NULL"}',
          nums: '{-123123123123123123123123123123,0.5}',
          // A string element of a JSON array is the JSON string "1", as in a jsonb column.
          docs: '{"\\"1\\"","{\\"a\\": \\"x\\"}"}',
        });
      });

      it(`--method ${method}: refuses, naming the row, arrays PostgreSQL cannot take`, async () => {
        const table = `bad_${method}`;
        await target.query(
          `CREATE TABLE ${table} (id int PRIMARY KEY, grid int[], floats float8[], tags text[])`,
        );
        const cases: [Record<string, unknown>, RegExp][] = [
          [{ id: 2, grid: [[1], [2, 3]] }, /input row 2: .*(multidimensional|sub-arrays)/i],
          [{ id: 2, grid: [1.5] }, /input row 2: .*invalid input syntax for type integer: "1\.5"/],
          [
            { id: 2, floats: [2n ** 53n + 1n] },
            /input row 2: .*"9007199254740993" has no exact binary floating-point form/,
          ],
          [{ id: 2, tags: ['ok', 'half \uD800'] }, /input row 2: .*lone UTF-16 surrogate/],
        ];
        for (const [bad, message] of cases) {
          await assert.rejects(db.load(table, [{ id: 1, grid: [1] }, bad], { method }), (e: unknown) => {
            assert.ok(e instanceof SluiceError, String(e));
            assert.match(e.message, message);
            return true;
          });
          await target.query(`DELETE FROM ${table}`);
        }
      });
    }
  });
}
