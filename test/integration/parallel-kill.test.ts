/**
 * Issue 18, `--parallel N`: a parallel load SIGKILLed after some of its shares' checkpoints
 * committed, then run again with --resume, stores every row exactly once and rejects every bad
 * line once; a resume with another N is refused, naming the N it ran with.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { csvFile } from '../../bench/data/generate.js';
import { loadCli, type CliRun } from '../support/killed-cli.js';
import { rejectedLinesIn, resumeFile, type ResumeFile } from '../support/resume-data.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const ROWS = 200_000;
const CHUNK = 5_000;

const USERS = (dialect: string, name: string) =>
  dialect === 'mysql'
    ? `CREATE TABLE ${name} (username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255), created_at DATETIME, role_id INT)`
    : `CREATE TABLE ${name} (username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255), created_at TIMESTAMP, role_id INTEGER)`;

/** Rows the shares' checkpoints say are committed, summed; undefined before the table exists. */
async function committed(target: TestTarget): Promise<{ rows: number; shares: number } | undefined> {
  try {
    const found = await target.query<{ n: unknown }>(
      "SELECT rows_loaded AS n FROM sluice_checkpoints WHERE target_table = 'users'",
    );
    return { rows: found.reduce((sum, r) => sum + Number(r.n), 0), shares: found.length };
  } catch {
    return undefined;
  }
}

/** Runs the CLI; with `killAt`, SIGKILLs it once the checkpoints sum to that many rows. */
function runCli(args: string[], cwd: string, target: TestTarget, killAt?: number): Promise<CliRun> {
  if (killAt === undefined) return loadCli(args, cwd);
  return loadCli(args, cwd, {
    when: async () => ((await committed(target))?.rows ?? -Infinity) >= killAt,
  });
}

for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
  describe(`--parallel 2: SIGKILL and --resume, ${ROWS} rows (${dialect})`, () => {
    let target: TestTarget;
    let file: ResumeFile;
    let dir: string;
    before(async () => {
      file = await resumeFile(ROWS);
      target = await freshTarget(dialect);
      await target.query(USERS(dialect, 'users'));
      await target.query(USERS(dialect, 'users_serial'));
      await target.query(USERS(dialect, 'users_raw'));
      dir = mkdtempSync(join(tmpdir(), 'sluice-parallel-kill-'));
    });
    after(async () => {
      await target?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('killed twice, resumed: every row once, every reject once, the rows of a serial load', async () => {
      const rejects = join(dir, 'rejects.csv');
      const args = (n: number) => [
        file.path,
        '--db',
        target.url,
        '--table',
        'users',
        '--parallel',
        String(n),
        '--commit-every',
        String(CHUNK),
        '--on-error',
        'skip',
        '--rejects',
        rejects,
        '--quiet',
        '--json',
      ];
      const first = await runCli(args(2), dir, target, 30_000);
      assert.equal(first.signal, 'SIGKILL', `the load ended before its kill: ${first.code} ${first.stderr}`);
      const left = await committed(target);
      assert.equal(left?.shares, 2, 'each share has its own checkpoint row');

      const other = await runCli([...args(3), '--resume'], dir, target);
      assert.equal(other.code, 2, other.stderr);
      assert.match(other.stderr, /the interrupted load ran with --parallel 2/);
      assert.match(other.stderr, /hint: resume with --parallel 2/);
      const serial = await runCli(
        [file.path, '--db', target.url, '--table', 'users', '--commit-every', String(CHUNK), '--resume'],
        dir,
        target,
      );
      assert.equal(serial.code, 2, serial.stderr);
      assert.match(serial.stderr, /without --parallel: the interrupted load ran with --parallel 2/);

      const second = await runCli([...args(2), '--resume'], dir, target, 120_000);
      assert.equal(second.signal, 'SIGKILL', `the resumed load ended before its kill: ${second.stderr}`);
      const last = await runCli([...args(2), '--resume'], dir, target);
      assert.equal(last.code, 0, last.stderr);
      assert.match(last.stderr, /part [12] of 2: resuming users at line \d+/);
      const report = JSON.parse(last.stdout) as Record<string, number>;
      assert.equal(report.rowsLoaded, file.good);
      assert.equal(report.rowsRejected, file.rejectedLines.length);
      assert.equal(report.rowsRead, ROWS);
      assert.equal(report.parallel, 2);

      const done = await runCli(
        [file.path, '--db', target.url, '--table', 'users_serial', '--on-error', 'skip', '--quiet'],
        dir,
        target,
      );
      assert.equal(done.code, 0, done.stderr);
      const summary = async (table: string) =>
        (
          await target.query<{ n: unknown; d: unknown; s: unknown; l: unknown }>(
            `SELECT COUNT(*) AS n, COUNT(DISTINCT username) AS d, SUM(role_id) AS s, SUM(LENGTH(username)) AS l FROM ${table}`,
          )
        ).map((r) => [Number(r.n), Number(r.d), Number(r.s), Number(r.l)])[0];
      const loaded = await summary('users');
      assert.equal(loaded![0], file.good);
      assert.equal(loaded![1], file.good, 'no username twice');
      assert.deepEqual(loaded, await summary('users_serial'), 'the rows of a serial load');
      const lines = rejectedLinesIn(rejects).sort((a, b) => a - b);
      assert.deepEqual(lines, file.rejectedLines, 'each rejected line once in the rejects file');
      assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
    });

    test('the raw copy (a clean file, abort mode) killed and resumed: every row once', async () => {
      const clean = await csvFile(ROWS);
      const args = [
        clean,
        '--db',
        target.url,
        '--table',
        'users_raw',
        '--parallel',
        '2',
        '--commit-every',
        '2000',
        '--json',
        '--quiet',
      ];
      const poll = async () =>
        Number(
          (
            await target
              .query<{ n: unknown }>(
                "SELECT COALESCE(SUM(rows_loaded), 0) AS n FROM sluice_checkpoints WHERE target_table = 'users_raw'",
              )
              .catch(() => [{ n: 0 }])
          )[0]!.n,
        );
      const killed = await loadCli(args, dir, { when: async () => (await poll()) >= 20_000 });
      assert.equal(killed.signal, 'SIGKILL', `the load ended before its kill: ${killed.stderr}`);
      const last = await runCli([...args, '--resume'], dir, target);
      assert.equal(last.code, 0, last.stderr);
      const report = JSON.parse(last.stdout) as Record<string, unknown>;
      assert.equal(report.rowsLoaded, ROWS);
      assert.equal(report.rawCopy, true);
      const [c] = await target.query<{ n: unknown; d: unknown }>(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT username) AS d FROM users_raw',
      );
      assert.deepEqual([Number(c!.n), Number(c!.d)], [ROWS, ROWS]);
    });
  });
}
