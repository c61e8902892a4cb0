/**
 * Issue 11, defect 8: the statement `explain` shows is the one the load sends. explain for a TSV
 * into MySQL printed `FIELDS TERMINATED BY X'2C'` (a comma) while the load used a tab. The SQL
 * the load really sends is recorded on the mysql2 connection and compared with explain's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2';
import { open } from '../../src/index.js';
import { sluice } from '../support/cli.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

if (DIALECTS.includes('mysql')) {
  describe('issue 11 defect 8: explain shows the LOAD DATA statement the load sends', () => {
    let target: TestTarget;
    let dir: string;
    before(async () => {
      target = await freshTarget('mysql');
      dir = mkdtempSync(join(tmpdir(), 'sluice-explain-sql-'));
      writeFileSync(join(dir, 'people.tsv'), 'id\tname\n1\tann, bo\n2\tcy\n');
      writeFileSync(join(dir, 'people.csv'), 'id,name\n1,"ann, bo"\n2,cy\n');
      writeFileSync(join(dir, 'people.ndjson'), '{"id":1,"name":"ann, bo"}\n{"id":2,"name":"cy"}\n');
    });
    after(async () => {
      await target.close();
    });

    for (const [file, separator] of [
      ['people.tsv', "X'09'"],
      ['people.csv', "X'2C'"],
      ['people.ndjson', "X'09'"],
    ] as const) {
      it(`${file}: FIELDS TERMINATED BY ${separator}, in explain and on the wire`, async () => {
        await target.query('DROP TABLE IF EXISTS people');
        await target.query('CREATE TABLE people (id INT, name TEXT)');
        const connection = mysql.createConnection(target.url);
        const sent: string[] = [];
        const query = connection.query.bind(connection) as (...args: unknown[]) => unknown;
        (connection as unknown as { query: (...args: unknown[]) => unknown }).query = (options, ...rest) => {
          sent.push(typeof options === 'string' ? options : (options as { sql: string }).sql);
          return query(options, ...rest);
        };
        try {
          const db = await open(connection);
          const plan = await db.explain('people', join(dir, file));
          assert.match(
            plan.statement,
            new RegExp(`^LOAD DATA LOCAL INFILE .* FIELDS TERMINATED BY ${separator} `),
          );
          const report = await db.load('people', join(dir, file));
          await db.close();
          assert.equal(report.rowsLoaded, 2);
          const loads = sent.filter((sql) => sql.startsWith('LOAD DATA'));
          assert.ok(loads.length > 0, 'the load sent no LOAD DATA');
          for (const sql of loads) assert.equal(sql, plan.statement);
        } finally {
          connection.end();
        }
        assert.deepEqual(await target.query('SELECT id, name FROM people ORDER BY id'), [
          { id: 1, name: 'ann, bo' },
          { id: 2, name: 'cy' },
        ]);
      });
    }

    it('the CLI prints the tab for a TSV', async () => {
      const r = await sluice(['explain', 'people.tsv', '--db', target.url], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /FIELDS TERMINATED BY X'09' ESCAPED BY X'5C' LINES TERMINATED BY X'0A'/);
    });
  });
}
