/**
 * Issue 12 item 2: JSON that RFC 8259 rejects is an error naming its line, and nothing is
 * written, on every database: the four malformed arrays of the issue (they loaded with exit 0),
 * more of the same kind, and NDJSON lines just as strict. The full conformance corpus
 * (JSONTestSuite) runs against the readers in test/unit/json-conformance.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import { sluice } from '../support/cli.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';
import { tempFiles } from '../support/temp-files.js';

const { dir, file } = tempFiles('strict-json');

/** Malformed input, the line and column the error must name, and what it must say. */
const MALFORMED: readonly { text: string; ext: string; at: string; says: RegExp }[] = [
  // The four.
  { ext: 'json', text: '[{"v":1},]', at: '1:10', says: /expected an element after ","/ },
  { ext: 'json', text: '[,{"v":1}]', at: '1:2', says: /expected an element or "\]" after "\["/ },
  { ext: 'json', text: '[{"v":1},,{"v":2}]', at: '1:10', says: /expected an element after ","/ },
  { ext: 'json', text: '[{"v": {}}}]', at: '1:11', says: /expected "," or "\]" after an element/ },
  // The same, over several lines: the line is the one the problem is on.
  { ext: 'json', text: '[\n  {"v": 1},\n  {"v": 2},\n]\n', at: '4:1', says: /expected an element after ","/ },
  {
    ext: 'json',
    text: '[\n  {"v": 1}\n  {"v": 2}\n]\n',
    at: '3:3',
    says: /expected "," or "\]" after an element/,
  },
  {
    ext: 'json',
    text: '[\n  {"v": 1,\n   "w": 01}\n]\n',
    at: '3:10',
    says: /unexpected text|expected ',' or '}'/,
  },
  { ext: 'json', text: '[{"v": 1}] []', at: '1:12', says: /unexpected text after the end of the array/ },
  { ext: 'json', text: '[{"v": 1}, {"v": NaN}]', at: '1:18', says: /expected a value/ },
  { ext: 'json', text: "[{'v': 1}]", at: '1:3', says: /expected a string key/ },
  { ext: 'json', text: '[{"v": "a\tb"}]', at: '1:10', says: /control character in a string/ },
  { ext: 'json', text: '[{"v": 1}', at: '1:10', says: /the array is not closed/ },
  { ext: 'json', text: '[{"v": 1},\n{"v": "open', at: '2:12', says: /not closed/ },
  { ext: 'ndjson', text: '{"v": 1}\n{"v": 2,}\n', at: '2:9', says: /expected a string key/ },
  { ext: 'ndjson', text: '{"v": 1}\n{"v": [1,,2]}\n', at: '2:10', says: /expected a value/ },
  { ext: 'ndjson', text: '{"v": 1}\n{"v": 1} x\n', at: '2:10', says: /unexpected text after the JSON value/ },
  { ext: 'ndjson', text: '{"v": 1}\n\u00a0\n', at: '2:1', says: /expected a value/ },
  { ext: 'ndjson', text: '{"v": "\\uD800"}\n', at: '1:8', says: /lone UTF-16 surrogate/ },
];

for (const dialect of DIALECTS) {
  describe(`issue 12 item 2: malformed JSON is refused on ${dialect}`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    async function tableExists(name: string): Promise<boolean> {
      const sql = {
        postgres: `SELECT 1 FROM pg_catalog.pg_tables WHERE tablename = '${name}'`,
        mysql: `SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${name}'`,
        sqlite: `SELECT 1 FROM sqlite_master WHERE name = '${name}'`,
      }[dialect];
      return (await target.query(sql)).length > 0;
    }

    for (const { text, ext, at, says } of MALFORMED) {
      it(`${JSON.stringify(text)} fails at ${at}, nothing written`, async () => {
        const path = file(ext, text);
        // Into a new table (nothing created) and into an existing one (no row added).
        await assert.rejects(db.load('fresh', path, { create: true }), (e: unknown) => {
          assert.ok(e instanceof SluiceError, String(e));
          assert.equal(e.code, 'BAD_INPUT');
          assert.equal(e.message.startsWith(`${path}:${at}: `), true, e.message);
          assert.match(e.message, says);
          return true;
        });
        assert.equal(await tableExists('fresh'), false);
        await target.query('DROP TABLE IF EXISTS kept');
        await target.query('CREATE TABLE kept (v INT, w INT)');
        await assert.rejects(db.load('kept', path), SluiceError);
        assert.deepEqual(await target.query('SELECT v FROM kept'), []);
      });
    }

    it("the CLI exits 2 and names the line for the issue's arrays", async () => {
      for (const text of ['[{"v":1},]', '[,{"v":1}]', '[{"v":1},,{"v":2}]', '[{"v": {}}}]']) {
        const path = file('json', text);
        const result = await sluice(['load', path, '--db', target.url, '--table', 'cli_t', '--create'], {
          cwd: dir,
        });
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+: `));
        assert.equal(await tableExists('cli_t'), false);
      }
    });
  });
}
