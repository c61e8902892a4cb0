/**
 * Issue 13, the parts finished later: a CSV upsert through the bulk path copies the file raw into
 * the staging table (duplicates, counts, unchanged rows untouched, a refused row named by its
 * line); keys the database holds equal but whose text differs ('01' and '1' into an integer key,
 * 'a', 'A' and 'a ' under a case-insensitive PAD SPACE collation) follow the database's equality,
 * last occurrence wins, on every method; two concurrent upserts of the same keys finish on MariaDB
 * (where a deadlock rolls the whole transaction back) and on SQLite (two processes, one file).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { open, SluiceError, type Handle } from '../../src/index.js';
import type { MethodName } from '../../src/plan/plan.js';
import mysql from 'mysql2/promise';
import { sluice } from '../support/cli.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-upsert-keys-'));

function csv(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

for (const dialect of DIALECTS) {
  const methods: MethodName[] = [
    ...(dialect === 'sqlite' ? [] : ['copy' as const]),
    'values',
    'pipeline',
    'row',
  ];
  describe(`upsert keys on ${dialect} (issue 13)`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    async function pairs(table: string, order = 'k'): Promise<unknown[][]> {
      const got = await target.query<{ k: unknown; v: string }>(
        `SELECT k, v FROM ${table} ORDER BY ${order}`,
      );
      return got.map((r) => [typeof r.k === 'string' && /^\d+$/.test(r.k) ? Number(r.k) : r.k, r.v]);
    }

    if (dialect !== 'sqlite') {
      it('copy: a CSV goes raw into the staging table; duplicates, counts, unchanged rows untouched', async () => {
        await target.query('DROP TABLE IF EXISTS raw_users');
        await target.query(
          'CREATE TABLE raw_users (k VARCHAR(20) PRIMARY KEY, v VARCHAR(20), n INTEGER CHECK (n >= 0))',
        );
        await target.query(`INSERT INTO raw_users (k, v, n) VALUES ('a', 'old', 1), ('b', 'same', 2)`);
        const xmin = async (): Promise<unknown[]> =>
          dialect === 'postgres'
            ? await target.query(`SELECT xmin::text AS x FROM raw_users WHERE k = 'b'`)
            : [];
        const before = await xmin();
        const file = csv('raw.csv', ['k,v,n', 'a,new,1', 'b,same,2', 'c,first,3', 'd,d,4', 'c,second,3']);
        const report = await db.load('raw_users', file, { onConflict: { key: ['k'], action: 'update' } });
        assert.equal(report.rawCopy, true);
        assert.deepEqual(
          [report.rowsInserted, report.rowsUpdated, report.rowsUnchanged, report.rowsRead],
          [2, 2, 1, 5],
        );
        const got = await target.query<{ k: string; v: string }>('SELECT k, v FROM raw_users ORDER BY k');
        assert.deepEqual(
          got.map((r) => [r.k, r.v]),
          [
            ['a', 'new'],
            ['b', 'same'],
            ['c', 'second'],
            ['d', 'd'],
          ],
        );
        assert.deepEqual(await xmin(), before);
      });

      it('copy: a row the merge refuses is named by its line, and nothing is written', async () => {
        await target.query('DROP TABLE IF EXISTS raw_bad');
        await target.query(
          'CREATE TABLE raw_bad (k VARCHAR(20) PRIMARY KEY, v VARCHAR(20), n INTEGER CHECK (n >= 0))',
        );
        await target.query(`INSERT INTO raw_bad (k, v, n) VALUES ('a', 'old', 1)`);
        const file = csv('raw-bad.csv', ['k,v,n', 'a,new,1', 'b,b,2', 'c,c,-3', 'd,d,4']);
        await assert.rejects(
          db.load('raw_bad', file, { onConflict: { key: ['k'], action: 'update' } }),
          (error: unknown) => error instanceof SluiceError && /raw-bad\.csv:4\b/.test(error.message),
        );
        const got = await target.query<{ k: string; v: string }>('SELECT k, v FROM raw_bad ORDER BY k');
        assert.deepEqual(
          got.map((r) => [r.k, r.v]),
          [['a', 'old']],
        );
      });
    }

    for (const method of methods) {
      // copy without a batch size takes the raw path; with one, the parsed and encoded path.
      const variants: { name: string; batchSize?: number }[] =
        method === 'copy'
          ? [{ name: 'copy (raw CSV)' }, { name: 'copy (batches of 2)', batchSize: 2 }]
          : method === 'row'
            ? [{ name: method }]
            : [{ name: `${method} (batches of 2)`, batchSize: 2 }, { name: method }];
      for (const variant of variants) {
        const options = {
          method,
          ...(variant.batchSize === undefined ? {} : { batchSize: variant.batchSize }),
        };

        it(`${variant.name}: '01' and '1' are one integer key; the last occurrence wins`, async () => {
          const t = 'int_keys';
          await target.query(`DROP TABLE IF EXISTS ${t}`);
          await target.query(`CREATE TABLE ${t} (k INTEGER PRIMARY KEY, v VARCHAR(20))`);
          await target.query(`INSERT INTO ${t} (k, v) VALUES (1, 'old')`);
          const file = csv('int.csv', ['k,v', '01,a', '2,b', '1,c', '02,d']);
          const report = await db.load(t, file, { ...options, onConflict: { key: ['k'], action: 'update' } });
          assert.deepEqual(await pairs(t), [
            [1, 'c'],
            [2, 'd'],
          ]);
          assert.deepEqual([report.rowsInserted, report.rowsUpdated, report.rowsUnchanged], [1, 3, 0]);
        });

        // PostgreSQL: a nondeterministic ICU collation; SQLite: NOCASE (which keeps trailing spaces).
        it(`${variant.name}: keys equal under a case-insensitive collation are one key; the last wins`, async () => {
          const t = 'ci_keys';
          await target.query(`DROP TABLE IF EXISTS ${t}`);
          if (dialect === 'postgres') {
            await target.query('DROP COLLATION IF EXISTS sluice_ci');
            await target.query(
              `CREATE COLLATION sluice_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
            );
          }
          const collate =
            dialect === 'mysql'
              ? 'COLLATE utf8mb4_general_ci'
              : dialect === 'postgres'
                ? 'COLLATE sluice_ci'
                : 'COLLATE NOCASE';
          await target.query(`CREATE TABLE ${t} (k VARCHAR(20) ${collate} PRIMARY KEY, v VARCHAR(20))`);
          await target.query(`INSERT INTO ${t} (k, v) VALUES ('a', 'old')`);
          // MariaDB's utf8mb4_general_ci pads: 'a ' is 'a' too.
          const padded = dialect === 'mysql' ? 'a ' : 'a';
          const file = csv('ci.csv', ['k,v', 'A,x', 'b,y', `${padded},z`, 'B,w']);
          const report = await db.load(t, file, { ...options, onConflict: { key: ['k'], action: 'update' } });
          const got = await target.query<{ k: string; v: string }>(`SELECT k, v FROM ${t}`);
          assert.deepEqual(got.map((r) => [r.k.toLowerCase().trim(), r.v]).sort(), [
            ['a', 'z'],
            ['b', 'w'],
          ]);
          assert.deepEqual([report.rowsInserted, report.rowsUpdated, report.rowsUnchanged], [1, 3, 0]);
        });
      }
    }

    if (dialect === 'mysql') {
      it('two upserts of the same keys at once both finish (a deadlock rolls the whole transaction back: replayed)', async () => {
        await target.query('DROP TABLE IF EXISTS conc_m');
        await target.query(
          'CREATE TABLE conc_m (id INTEGER AUTO_INCREMENT PRIMARY KEY, k VARCHAR(20) NOT NULL UNIQUE, v VARCHAR(20)) ENGINE=InnoDB',
        );
        const other = await open(target.url);
        try {
          const input = (tag: string, reverse: boolean) => {
            const rows = Array.from({ length: 2000 }, (_, i) => ({ k: `key${i}`, v: `${tag}${i}` }));
            return reverse ? rows.reverse() : rows;
          };
          const [a, b] = await Promise.all([
            db.load('conc_m', input('a', false), { onConflict: { key: ['k'], action: 'update' } }),
            other.load('conc_m', input('b', true), { onConflict: { key: ['k'], action: 'update' } }),
          ]);
          assert.equal(a.rowsLoaded + b.rowsLoaded, 4000);
          const got = await target.query<{ k: string; v: string }>('SELECT k, v FROM conc_m');
          assert.equal(got.length, 2000);
          for (const r of got) assert.match(r.v, new RegExp(`^[ab]${r.k.slice(3)}$`));
        } finally {
          await other.close();
        }
      });
    }

    if (dialect === 'mysql') {
      /**
       * A deadlock made on purpose: another transaction, larger (so InnoDB rolls sluice's back, not
       * its own), holds key2 while sluice's upsert waits for it, then asks for key1, which sluice
       * holds. `batchSize` 2: one batch (one LOAD DATA and merge), replayed from the rows held; 1:
       * key1 was written by an earlier batch of the lost transaction, no longer held: DEADLOCK.
       */
      async function deadlock(batchSize: number): Promise<{ report?: unknown; error?: unknown }> {
        await target.query('DROP TABLE IF EXISTS dl_lock');
        await target.query('CREATE TABLE dl_lock (k VARCHAR(20) PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB');
        // After the keys in index order: the range lock on them covers no key sluice writes.
        const filler = Array.from({ length: 200 }, (_, i) => `('z${i}', 'x')`).join(', ');
        await target.query(`INSERT INTO dl_lock (k, v) VALUES ('key1', 'old'), ('key2', 'old'), ${filler}`);
        const other = await mysql.createConnection(target.url);
        try {
          await other.query('BEGIN');
          await other.query(`UPDATE dl_lock SET v = 'other' WHERE k LIKE 'z%'`);
          await other.query(`UPDATE dl_lock SET v = 'other' WHERE k = 'key2'`);
          const loading = db
            .load(
              'dl_lock',
              [
                { k: 'key1', v: 'sluice' },
                { k: 'key2', v: 'sluice' },
              ],
              { method: 'copy', batchSize, onConflict: { key: ['k'], action: 'update' } },
            )
            .then(
              (report) => ({ report }),
              (error: unknown) => ({ error }),
            );
          // Until sluice waits for key2's lock.
          for (let i = 0; i < 200; i++) {
            // The server is shared: only a wait of sluice's statement on this table counts.
            const [waits] = await other.query(
              'SELECT count(*) AS n FROM information_schema.INNODB_TRX WHERE trx_state = ? AND trx_query LIKE ?',
              ['LOCK WAIT', '%`dl_lock`%'],
            );
            if (Number((waits as { n: number }[])[0]!.n) > 0) break;
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
          // Closes the cycle: InnoDB rolls the lighter transaction back, sluice's.
          await other.query(`UPDATE dl_lock SET v = 'other' WHERE k = 'key1'`);
          await other.query('COMMIT');
          return await loading;
        } finally {
          await other.end();
        }
      }

      it('a deadlock that rolled the whole transaction back is replayed from the batch still held', async () => {
        const outcome = await deadlock(2);
        assert.equal(outcome.error, undefined, String(outcome.error));
        const got = await target.query<{ k: string; v: string }>(
          `SELECT k, v FROM dl_lock WHERE k LIKE 'key%' ORDER BY k`,
        );
        // Replayed after the other transaction committed: sluice's values are the last.
        assert.deepEqual(
          got.map((r) => [r.k, r.v]),
          [
            ['key1', 'sluice'],
            ['key2', 'sluice'],
          ],
        );
      });

      it('a deadlock that took rows written before with it fails with DEADLOCK, naming it, not a savepoint', async () => {
        const outcome = await deadlock(1);
        assert.ok(outcome.error instanceof SluiceError, String(outcome.error));
        assert.equal(outcome.error.code, 'DEADLOCK');
        assert.match(outcome.error.message, /deadlock/i);
        assert.doesNotMatch(outcome.error.message, /savepoint/i);
        const got = await target.query<{ v: string }>(`SELECT v FROM dl_lock WHERE k LIKE 'key%'`);
        assert.deepEqual(
          got.map((r) => r.v),
          ['other', 'other'],
        );
      });
    }

    if (dialect === 'sqlite') {
      it('two processes upserting the same keys into one file both finish (the second waits for the lock)', async () => {
        await target.query('DROP TABLE IF EXISTS conc_s');
        await target.query('CREATE TABLE conc_s (k TEXT PRIMARY KEY, v TEXT)');
        const lines = (tag: string) => [
          'k,v',
          ...Array.from({ length: 20000 }, (_, i) => `key${i},${tag}${i}`),
        ];
        const a = csv('conc-a.csv', lines('a'));
        const b = csv('conc-b.csv', lines('b'));
        const args = (file: string) => [
          'load',
          file,
          '--db',
          target.url,
          '--table',
          'conc_s',
          '--on-conflict',
          'update',
          '--key',
          'k',
          '--json',
        ];
        const [ra, rb] = await Promise.all([sluice(args(a), { cwd: dir }), sluice(args(b), { cwd: dir })]);
        assert.equal(ra.code, 0, ra.stderr);
        assert.equal(rb.code, 0, rb.stderr);
        const reports = [JSON.parse(ra.stdout), JSON.parse(rb.stdout)] as { rowsLoaded: number }[];
        assert.equal(reports[0]!.rowsLoaded + reports[1]!.rowsLoaded, 40000);
        const got = await target.query<{ n: number; mixed: number }>(
          `SELECT count(*) AS n, count(DISTINCT substr(v, 1, 1)) AS mixed FROM conc_s`,
        );
        assert.equal(got[0]!.n, 20000);
        // One load committed after the other: every row carries the later one's value.
        assert.equal(got[0]!.mixed, 1);
      });
    }
  });
}
