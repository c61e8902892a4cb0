import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { open } from '../../src/index.js';
import { resumeFile, type ResumeFile } from '../support/resume-data.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const ROWS = 300_000;
const CHUNK = 20_000;

/** Ends the server side of every other connection to the test database: what an admin or a failover does. */
const TERMINATE: Record<string, ((t: TestTarget) => Promise<number>) | undefined> = {
  postgres: async (t) => {
    const rows = await t.query(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.length;
  },
  mysql: async (t) => {
    const rows = await t.query<{ id: number }>(
      'SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()',
    );
    for (const { id } of rows) await t.query(`KILL ${Number(id)}`);
    return rows.length;
  },
};

async function committed(target: TestTarget): Promise<number> {
  try {
    const rows = await target.query<{ n: unknown }>('SELECT rows_loaded AS n FROM sluice_checkpoints');
    return rows[0] === undefined ? 0 : Number(rows[0].n);
  } catch {
    return 0;
  }
}

for (const dialect of DIALECTS.filter((d) => TERMINATE[d] !== undefined)) {
  describe(`server ends the connection mid-load: sluice reconnects and finishes (${dialect})`, () => {
    let target: TestTarget;
    let file: ResumeFile;
    before(async () => {
      file = await resumeFile(ROWS);
      target = await freshTarget(dialect);
      await target.query(
        'CREATE TABLE users (username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255), created_at VARCHAR(30), role_id INTEGER)',
      );
    });
    after(() => target?.close());

    test('terminated twice during the load: every row exactly once, no second command', async () => {
      const db = await open(target.url);
      const notices: string[] = [];
      let kills = 0;
      let stop = false;
      // Two terminations: after the first and after the sixth chunk is committed.
      const killer = (async () => {
        for (const at of [CHUNK, 6 * CHUNK]) {
          while (!stop && (await committed(target)) < at) await sleep(5);
          if (stop) return;
          if ((await TERMINATE[dialect]!(target)) > 0) kills++;
        }
      })();
      try {
        const report = await db.load('users', file.path, {
          commitEvery: CHUNK,
          onError: 'skip',
          rejects: () => undefined,
          retries: 3,
          onNotice: (m) => notices.push(m),
        });
        stop = true;
        await killer;
        assert.equal(kills, 2);
        assert.ok(report.reconnects! >= 2, `reconnects: ${report.reconnects} (${notices.join(' | ')})`);
        assert.ok(
          notices.some((m) => /reconnecting in/.test(m)),
          notices.join(' | '),
        );
        assert.equal(report.rowsLoaded, file.good);
        assert.equal(report.rowsRead, ROWS);
        assert.equal(report.rowsLoaded + report.rowsRejected, report.rowsRead);
      } finally {
        stop = true;
        await db.close();
      }
      const [counts] = await target.query<{ n: unknown; d: unknown }>(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT username) AS d FROM users',
      );
      assert.equal(Number(counts!.n), file.good);
      assert.equal(Number(counts!.d), file.good);
    });

    test('a permanent error is never retried: a bad row in abort mode fails at once', async () => {
      await target.query('DELETE FROM users');
      await target.query('DELETE FROM sluice_checkpoints');
      const db = await open(target.url);
      const notices: string[] = [];
      try {
        await assert.rejects(
          db.load('users', file.path, { commitEvery: CHUNK, retries: 3, onNotice: (m) => notices.push(m) }),
          // sluice's parser's words, or (the raw COPY, cut at commit points) PostgreSQL's, at the line.
          /:97001: (expected 4 fields|extra data after last expected column)/,
        );
      } finally {
        await db.close();
      }
      assert.deepEqual(
        notices.filter((m) => /reconnect/.test(m)),
        [],
      );
    });
  });
}
