/**
 * Issue 18's binary COPY: JS values go to PostgreSQL as COPY BINARY when every column's type has a
 * binary form sluice writes (integers, float8, bool, text, varchar, timestamps) and every value of
 * a batch is of its column's own JS type; other batches go as COPY text. What is stored is the same
 * either way (compared with a twin table whose varchar(5) is a domain, which keeps it in text), edge values
 * included, and an error still names its row, in a binary batch after a text one too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const COLUMNS =
  'i2 smallint, i4 int, i8 bigint, f8 float8, b bool, t text, v varchar(5), ts timestamp, tz timestamptz';

/** 3000 rows (three source batches of 1000) of edge values; `string` puts a '42' in row 1500's i4. */
function rows(string: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const floats = [-0, NaN, Infinity, -Infinity, 0.1, 1e308, 5e-324, -1.5];
  for (let k = 0; k < 3000; k++) {
    out.push({
      i2: k % 2 ? -32768 : 32767,
      i4: string && k === 1499 ? '42' : k % 2 ? -(2 ** 31) : 2 ** 31 - 1 - k,
      i8: k % 3 === 0 ? 2n ** 63n - 1n - BigInt(k) : k % 3 === 1 ? -(2 ** 53 - 1) : -(2n ** 63n),
      f8: floats[k % floats.length],
      b: k % 4 === 3 ? null : k % 2 === 0,
      t:
        k % 5 === 0
          ? 'tab\there\nnewline\\back\r 日本 🙂'
          : k % 7 === 0
            ? ''
            : k % 11 === 0
              ? undefined
              : `r${k}`,
      v: k % 2 ? 'abcde' : 'é',
      // From 1 BC to far in the future, through 2000-01-01 and the last ms before it.
      ts: new Date(Date.UTC(2000, 0, 1) + (k - 1500) * 86_400_000 * 365 - (k % 2)),
      tz: k % 13 === 0 ? null : new Date(8.64e15 - k * 1e12),
    });
  }
  return out;
}

if (DIALECTS.includes('postgres')) {
  describe('COPY binary for JS values on postgres (issue 18)', () => {
    let target: TestTarget;
    let db: Handle;
    useTarget('postgres', (opened) => ({ target, db } = opened));

    const digest = async (table: string): Promise<string> => {
      const [row] = await target.query<{ d: string }>(
        `SELECT md5(string_agg(concat_ws('|', id, i2, i4, i8, f8::text, b, t, v, ts, tz, t IS NULL, b IS NULL), ',' ORDER BY id)) AS d FROM ${table}`,
      );
      return row!.d;
    };

    for (const string of [false, true]) {
      it(`stores what COPY text stores${string ? ', with a batch that must go as text' : ''}`, async () => {
        await target.query('DROP TABLE IF EXISTS bin, txt');
        await target.query(`CREATE TABLE bin (id serial, ${COLUMNS})`);
        // A domain has no binary form here: the twin table's loads stay in COPY text.
        await target.query('DROP DOMAIN IF EXISTS vc5');
        await target.query('CREATE DOMAIN vc5 AS varchar(5)');
        await target.query(`CREATE TABLE txt (id serial, ${COLUMNS.replace('varchar(5)', 'vc5')})`);
        const input = rows(string);
        assert.equal((await db.load('bin', input)).rowsLoaded, 3000);
        assert.equal((await db.load('txt', input)).rowsLoaded, 3000);
        assert.equal(await digest('bin'), await digest('txt'));
        const [row] = await target.query<{ i8: string; ts: string; tz: string }>(
          'SELECT i8::text, ts::text, (extract(epoch FROM tz) * 1000)::bigint::text AS tz FROM bin WHERE id = 2',
        );
        assert.deepEqual(row, {
          i8: String(-(2 ** 53 - 1)),
          ts: '0501-12-29 23:59:59.999',
          tz: String(8.64e15 - 1e12),
        });
      });
    }

    it('an error names its row, in a binary batch after a text one too', async () => {
      await target.query('DROP TABLE IF EXISTS bin');
      await target.query(`CREATE TABLE bin (id serial, ${COLUMNS})`);
      const input = rows(true);
      input[2499] = { ...input[2499], v: 'too long' };
      await assert.rejects(db.load('bin', input), (error: unknown) => {
        assert.ok(error instanceof SluiceError);
        assert.equal(error.location?.line, 2500);
        assert.match(error.message, /value too long for type character varying\(5\)/);
        return true;
      });
      input[2499] = { ...input[2499], v: 'ok' };
      input[1599] = { ...input[1599], i4: 'x' };
      await assert.rejects(db.load('bin', input), (error: unknown) => {
        assert.ok(error instanceof SluiceError);
        assert.equal(error.location?.line, 1600);
        assert.match(error.message, /invalid input syntax for type integer: "x"/);
        return true;
      });
      const [count] = await target.query<{ n: string }>('SELECT count(*) AS n FROM bin');
      assert.equal(Number(count!.n), 0);
    });
  });
}
