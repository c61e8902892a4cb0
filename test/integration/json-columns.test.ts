/**
 * Issue 12 item 3: a value parsed from JSON goes into a JSON column as JSON, whatever its type:
 * the string "1" stays the JSON string "1" (it became the number 1), "abc" and "2020-01-01" stay
 * strings (they failed the load). JS strings from the library follow the same rule. Only text
 * sources (CSV) pass JSON text through. Stored JSON is read back as text, byte for byte.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Handle } from '../../src/index.js';
import type { DialectName } from '../../src/dialects/dialect.js';
import type { MethodName } from '../../src/plan/plan.js';
import { hexOf, storedHex } from '../support/stored.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';
import { tempFiles } from '../support/temp-files.js';

const { file } = tempFiles('json-columns');

function methodsOf(dialect: DialectName): MethodName[] {
  return dialect === 'sqlite' ? ['row', 'values', 'pipeline'] : ['row', 'values', 'pipeline', 'copy'];
}

/** Field values as JSON source text, and the JSON text a compact serializer writes for each. */
const VALUES: readonly [source: string, compact: string, spaced: string][] = [
  ['"1"', '"1"', '"1"'],
  ['"abc"', '"abc"', '"abc"'],
  ['"2020-01-01"', '"2020-01-01"', '"2020-01-01"'],
  ['""', '""', '""'],
  ['"{\\"a\\": 1}"', '"{\\"a\\": 1}"', '"{\\"a\\": 1}"'],
  [
    '"tab\\there \\"q\\" back\\\\slash ü😀"',
    '"tab\\there \\"q\\" back\\\\slash ü😀"',
    '"tab\\there \\"q\\" back\\\\slash ü😀"',
  ],
  ['1', '1', '1'],
  ['true', 'true', 'true'],
  ['{"a": "1", "b": [1, "x", null]}', '{"a":"1","b":[1,"x",null]}', '{"a": "1", "b": [1, "x", null]}'],
  ['[]', '[]', '[]'],
];

/** The JSON column type, and whether the database rewrites the text (jsonb: its own spacing). */
const JSON_COLUMNS: Record<DialectName, readonly { type: string; spaced: boolean }[]> = {
  postgres: [
    { type: 'jsonb', spaced: true },
    { type: 'json', spaced: false },
  ],
  mysql: [{ type: 'JSON', spaced: false }],
  // SQLite has no JSON type; a column declared JSON is treated as one.
  sqlite: [{ type: 'JSON', spaced: false }],
};

for (const dialect of DIALECTS) {
  describe(`issue 12 item 3: JSON columns get JSON on ${dialect}`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    /**
     * A table per column type: a handle keeps its prepared INSERTs by SQL text, and PostgreSQL
     * fixes a prepared statement's parameter types, so a table dropped and made again with another
     * type under the same name would still get the old type's values.
     */
    async function fresh(type: string): Promise<string> {
      const table = `docs_${type.toLowerCase()}`;
      await target.query(`DROP TABLE IF EXISTS ${table}`);
      await target.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, doc ${type})`);
      return table;
    }

    for (const { type, spaced } of JSON_COLUMNS[dialect]) {
      const want = VALUES.map(([, compact, withSpaces]) => (spaced ? withSpaces : compact));
      const records = VALUES.map(([source], i) => `{"id": ${i + 1}, "doc": ${source}}`);
      for (const format of ['ndjson', 'json'] as const) {
        for (const method of methodsOf(dialect)) {
          it(`a ${format} string stays a JSON string in ${type} (--method ${method})`, async () => {
            const table = await fresh(type);
            const text = format === 'ndjson' ? records.join('\n') + '\n' : `[${records.join(',\n')}]\n`;
            await db.load(table, file(format, text), { method });
            assert.deepEqual(await storedHex(target, table, 'doc'), hexOf(want));
          });
        }
      }

      for (const method of methodsOf(dialect)) {
        it(`a JS string is a JSON string in ${type}, null is NULL (--method ${method})`, async () => {
          const table = await fresh(type);
          const rows = [
            { id: 1, doc: '1' },
            { id: 2, doc: 'abc' },
            { id: 3, doc: '2020-01-01' },
            { id: 4, doc: { a: '1', d: new Date(Date.UTC(2020, 0, 1)) } },
            { id: 5, doc: null },
          ];
          await db.load(table, rows, { method });
          const object = spaced
            ? '{"a": "1", "d": "2020-01-01T00:00:00.000Z"}'
            : '{"a":"1","d":"2020-01-01T00:00:00.000Z"}';
          assert.deepEqual(
            await storedHex(target, table, 'doc'),
            hexOf(['"1"', '"abc"', '"2020-01-01"', object, null]),
          );
        });
      }

      it(`a CSV field is JSON text, passed through to ${type}`, async () => {
        const table = await fresh(type);
        const csv = 'id,doc\n1,1\n2,"""abc"""\n3,"{""a"":1}"\n4,\n';
        await db.load(table, file('csv', csv));
        const object = spaced ? '{"a": 1}' : '{"a":1}';
        assert.deepEqual(await storedHex(target, table, 'doc'), hexOf(['1', '"abc"', object, null]));
      });
    }
  });
}
