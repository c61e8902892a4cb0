/**
 * Issue 13: upsert on every database and method. The final rows, the three counts, duplicates of
 * a key inside one batch and across two (the last occurrence wins), a key without a unique index
 * (exit 2 listing the unique keys), rejects with upsert, --on-conflict ignore, --commit-every,
 * CSV files through the bulk path's staging table, and unchanged rows left untouched (PostgreSQL:
 * their xmin stays the same).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { open, SluiceError, type Handle } from '../../src/index.js';
import type { Reject } from '../../src/rejects/reject.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-upsert-'));

/** Batches of 3: bob changed, carol as she was, dave new | erin new, erin again, dave again. */
const INPUT = [
  { username: 'bob', email: 'b2@x', score: 2 },
  { username: 'carol', email: 'c@x', score: 3 },
  { username: 'dave', email: 'd1@x', score: 4 },
  { username: 'erin', email: 'e1@x', score: 5 },
  { username: 'erin', email: 'e2@x', score: 5 },
  { username: 'dave', email: 'd2@x', score: 4 },
];
const FINAL = [
  ['alice', 'a@x', 1],
  ['bob', 'b2@x', 2],
  ['carol', 'c@x', 3],
  ['dave', 'd2@x', 4],
  ['erin', 'e2@x', 5],
];

for (const dialect of DIALECTS) {
  const methods: MethodName[] = [
    ...(dialect === 'sqlite' ? [] : ['copy' as const]),
    'values',
    'pipeline',
    'row',
  ];
  describe(`upsert on ${dialect} (issue 13)`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    /** users with a generated primary key, a unique username and a CHECK on score. */
    async function users(name: string): Promise<void> {
      await target.query(`DROP TABLE IF EXISTS ${name}`);
      const id =
        dialect === 'postgres'
          ? 'id serial PRIMARY KEY'
          : dialect === 'mysql'
            ? 'id INTEGER AUTO_INCREMENT PRIMARY KEY'
            : 'id INTEGER PRIMARY KEY';
      await target.query(
        `CREATE TABLE ${name} (${id}, username VARCHAR(40) NOT NULL UNIQUE, email VARCHAR(80), score INTEGER CHECK (score >= 0))`,
      );
      await target.query(
        `INSERT INTO ${name} (username, email, score) VALUES ('alice', 'a@x', 1), ('bob', 'b@x', 2), ('carol', 'c@x', 3)`,
      );
    }
    async function rows(name: string): Promise<unknown[][]> {
      const got = await target.query<{ username: string; email: string; score: number | string }>(
        `SELECT username, email, score FROM ${name} ORDER BY username`,
      );
      return got.map((r) => [r.username, r.email, Number(r.score)]);
    }

    for (const method of methods) {
      const batch = method === 'row' ? {} : { batchSize: 3 };

      it(`${method}: updates changed rows, inserts new ones, leaves equal ones; duplicates in a batch and across two: the last wins`, async () => {
        const t = `u_${method}`;
        await users(t);
        const xmin = async (): Promise<string[]> =>
          (
            await target.query<{ x: string }>(
              `SELECT xmin::text AS x FROM ${t} WHERE username IN ('alice', 'carol') ORDER BY username`,
            )
          ).map((r) => r.x);
        const before = dialect === 'postgres' ? await xmin() : [];
        const report = await db.load(t, INPUT, {
          method,
          ...batch,
          onConflict: { key: ['username'], action: 'update' },
        });
        assert.deepEqual(await rows(t), FINAL);
        assert.deepEqual(
          [report.rowsInserted, report.rowsUpdated, report.rowsUnchanged, report.rowsRejected],
          [2, 3, 1, 0],
        );
        assert.equal(report.rowsRead, 6);
        // An unchanged row is not rewritten: no new row version.
        if (dialect === 'postgres') assert.deepEqual(await xmin(), before);
      });

      it(`${method}: the key defaults to the primary key; --update limits the rewritten columns`, async () => {
        const t = `k_${method}`;
        await users(t);
        const [bob] = await target.query<{ id: number }>(`SELECT id FROM ${t} WHERE username = 'bob'`);
        const report = await db.load(t, [{ id: bob!.id, username: 'bob', email: 'new@x', score: 9 }], {
          method,
          onConflict: { action: 'update', update: ['score'] },
        });
        assert.deepEqual((await rows(t))[1], ['bob', 'b@x', 9]);
        assert.deepEqual([report.rowsInserted, report.rowsUpdated, report.rowsUnchanged], [0, 1, 0]);
      });

      it(`${method}: ignore keeps existing rows and counts them unchanged`, async () => {
        const t = `i_${method}`;
        await users(t);
        const report = await db.load(t, INPUT, {
          method,
          ...batch,
          onConflict: { key: ['username'], action: 'ignore' },
        });
        assert.deepEqual(await rows(t), [
          ['alice', 'a@x', 1],
          ['bob', 'b@x', 2],
          ['carol', 'c@x', 3],
          ['dave', 'd1@x', 4],
          ['erin', 'e1@x', 5],
        ]);
        assert.deepEqual([report.rowsInserted, report.rowsUpdated, report.rowsUnchanged], [2, 0, 4]);
      });

      it(`${method}: --on-error skip rejects the bad row with its line and merges the rest`, async () => {
        const t = `r_${method}`;
        await users(t);
        const rejects: Reject[] = [];
        const input = [
          ...INPUT.slice(0, 4),
          { username: 'frank', email: 'f@x', score: -1 },
          ...INPUT.slice(4),
        ];
        const report = await db.load(t, input, {
          method,
          ...batch,
          onError: 'skip',
          rejects: (r) => rejects.push(r),
          onConflict: { key: ['username'], action: 'update' },
        });
        assert.deepEqual(await rows(t), FINAL);
        assert.deepEqual(
          rejects.map((r) => r.line),
          [5],
        );
        assert.deepEqual(
          [report.rowsInserted, report.rowsUpdated, report.rowsUnchanged, report.rowsRejected],
          [2, 3, 1, 1],
        );
        assert.equal(report.rowsRead, 7);
      });

      it(`${method}: a CSV file with --commit-every, duplicates across commits`, async () => {
        const t = `c_${method}`;
        await users(t);
        const path = join(dir, `${dialect}-${method}.csv`);
        writeFileSync(
          path,
          'username,email,score\n' +
            INPUT.map((r) => `${r.username},${r.email},${r.score}`).join('\n') +
            '\n',
        );
        const report = await db.load(t, path, {
          method,
          ...(method === 'row' ? {} : { commitEvery: 2 }),
          onConflict: { key: ['username'], action: 'update' },
        });
        assert.deepEqual(await rows(t), FINAL);
        assert.deepEqual([report.rowsInserted, report.rowsUpdated, report.rowsUnchanged], [2, 3, 1]);
      });
    }

    it('a key without a unique index is refused before anything is written, listing the unique keys', async () => {
      await users('nokey');
      await assert.rejects(
        db.load('nokey', INPUT, { onConflict: { key: ['email'], action: 'update' } }),
        (error: unknown) => {
          assert.ok(error instanceof SluiceError);
          assert.equal(error.code, 'BAD_USAGE');
          assert.match(error.message, /no unique index or constraint on exactly these columns/);
          assert.match(error.message, /\(id\), \(username\)/);
          return true;
        },
      );
      assert.deepEqual((await rows('nokey')).length, 3);
    });

    // On MariaDB concurrent ON DUPLICATE KEY UPDATEs deadlock on the unique index's gap locks and
    // InnoDB rolls the whole transaction back: the transaction is replayed from the batch still
    // held. SQLite: better-sqlite3 is synchronous, so two writers in one process cannot wait for
    // each other (upsert-keys.test.ts runs two processes instead).
    const concurrent = dialect === 'sqlite' ? it.skip : it;
    concurrent(
      'two upserts of the same keys at once both finish, every key once, with a value from one of them',
      async () => {
        await users('conc');
        const other = await open(target.url);
        try {
          const input = (tag: string) =>
            Array.from({ length: 3000 }, (_, i) => ({
              username: `user${i}`,
              email: `${tag}${i}@x`,
              score: i,
            }));
          const [a, b] = await Promise.all([
            db.load('conc', input('a'), {
              batchSize: 500,
              onConflict: { key: ['username'], action: 'update' },
            }),
            other.load('conc', input('b'), {
              batchSize: 500,
              onConflict: { key: ['username'], action: 'update' },
            }),
          ]);
          assert.equal(a.rowsLoaded + b.rowsLoaded, 6000);
          const got = await target.query<{ username: string; email: string }>(
            `SELECT username, email FROM conc WHERE username LIKE 'user%'`,
          );
          assert.equal(got.length, 3000);
          for (const r of got) assert.match(r.email, new RegExp(`^[ab]${r.username.slice(4)}@x$`));
        } finally {
          await other.close();
        }
      },
    );

    it('explain shows the upsert statement and the plan', async () => {
      await users('ex');
      const report = await db.explain('ex', INPUT, { onConflict: { key: ['username'], action: 'update' } });
      assert.match(report.statement, dialect === 'mysql' ? /ON DUPLICATE KEY UPDATE/ : /ON CONFLICT/);
      assert.ok(report.plan.reasons.some((r) => r.startsWith('upsert:')));
    });
  });
}
