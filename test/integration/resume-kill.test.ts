import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { csvFile } from '../../bench/data/generate.js';
import { loadCli, type CliRun } from '../support/killed-cli.js';
import { rejectedLinesIn, resumeFile, type ResumeFile } from '../support/resume-data.js';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const ROWS = 1_000_000;
const CHUNK = 50_000;

const USERS = (dialect: string) =>
  dialect === 'mysql'
    ? 'CREATE TABLE users (username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255), created_at DATETIME, role_id INT)'
    : 'CREATE TABLE users (username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255), created_at TIMESTAMP, role_id INTEGER)';

/** `sluice load` of the raw users file into `users`, committed every CHUNK rows. */
function chunkedLoad(path: string, url: string): string[] {
  return [path, '--db', url, '--table', 'users', '--commit-every', String(CHUNK), '--quiet', '--json'];
}

/**
 * `rows` rows in users, each username once (a row loaded twice would fail the unique key or show
 * here), and no checkpoint left behind: the load finished.
 */
async function assertEveryRowOnce(target: TestTarget, rows: number): Promise<void> {
  const [counts] = await target.query<{ n: unknown; d: unknown }>(
    'SELECT COUNT(*) AS n, COUNT(DISTINCT username) AS d FROM users',
  );
  assert.equal(Number(counts!.n), rows);
  assert.equal(Number(counts!.d), rows);
  assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
}

/** Rows the checkpoint says are committed, or undefined before the table or row exists. */
async function committed(target: TestTarget): Promise<number | undefined> {
  try {
    const rows = await target.query<{ n: unknown }>('SELECT rows_loaded AS n FROM sluice_checkpoints');
    return rows[0] === undefined ? undefined : Number(rows[0].n);
  } catch {
    return undefined; // not created yet, or (SQLite) the file is busy committing
  }
}

/**
 * Runs the CLI; with `killAt`, SIGKILLs it once the checkpoint table shows that many rows (-1: as
 * soon as its checkpoint row exists, before the first COMMIT), `delay` ms later: 0 kills just
 * after a COMMIT, while the next chunk's first statement starts; longer delays land inside a
 * chunk's COPY / LOAD DATA / INSERTs.
 */
function runCli(
  args: string[],
  cwd: string,
  target: TestTarget,
  killAt?: number,
  delay: number | (() => Promise<void>) = 0,
): Promise<CliRun> {
  if (killAt === undefined) return loadCli(args, cwd);
  return loadCli(args, cwd, {
    when: async () => ((await committed(target)) ?? -Infinity) >= killAt,
    before: typeof delay === 'function' ? delay : () => sleep(delay),
  });
}

for (const dialect of DIALECTS) {
  describe(`SIGKILL and --resume, 1M rows (${dialect})`, () => {
    let target: TestTarget;
    let file: ResumeFile;
    let dir: string;
    before(async () => {
      file = await resumeFile(ROWS);
      target = await freshTarget(dialect);
      await target.query(USERS(dialect));
      dir = mkdtempSync(join(tmpdir(), 'sluice-kill-'));
    });
    after(async () => {
      await target?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('killed early, in the middle, late, just after a commit and inside a chunk: every row once, every reject once', async () => {
      const rejects = join(dir, 'rejects.csv');
      const args = [
        file.path,
        '--db',
        target.url,
        '--table',
        'users',
        '--commit-every',
        String(CHUNK),
        '--on-error',
        'skip',
        '--rejects',
        rejects,
        '--quiet',
        '--json',
      ];
      // [rows committed to wait for, ms to wait after]: before the first COMMIT, early, middle
      // (just after a COMMIT), late (inside a chunk).
      const kills: [number, number][] = [
        [-1, 0],
        [CHUNK, 40],
        [450_000, 0],
        [800_000, 70],
      ];
      let killed = 0;
      for (const [at, delay] of kills) {
        const run = await runCli(killed === 0 ? args : [...args, '--resume'], dir, target, at, delay);
        if (run.signal === 'SIGKILL') killed++;
        else assert.fail(`the load ended before its kill at ${at} rows: ${run.code} ${run.stderr}`);
      }
      const last = await runCli([...args, '--resume'], dir, target);
      assert.equal(last.code, 0, last.stderr);
      assert.match(last.stderr, /resuming users at line \d+/);
      const report = JSON.parse(last.stdout) as Record<string, number>;
      assert.equal(report.rowsLoaded, file.good);
      assert.equal(report.rowsRejected, file.rejectedLines.length);
      assert.equal(report.rowsRead, ROWS);
      assert.ok(report.checkpoints! >= ROWS / CHUNK, `checkpoints ${report.checkpoints}`);

      await assertEveryRowOnce(target, file.good);
      const lines = rejectedLinesIn(rejects).sort((a, b) => a - b);
      assert.deepEqual(lines, file.rejectedLines, 'each rejected line once in the rejects file');
      assert.equal(killed, kills.length);
    });
  });
}

/**
 * Holds the load's checkpoint row locked from another connection, so that the load's next
 * checkpoint UPDATE (the last statement of a chunk's transaction, after its rows) waits: once the
 * server shows it waiting, the returned `waiting` resolves, and SIGKILL lands inside the chunk's
 * commit, its rows written and its checkpoint not. `release` ends the lock.
 */
async function lockCheckpoint(
  target: TestTarget,
  dialect: string,
): Promise<{ waiting: () => Promise<void>; release: () => Promise<void> }> {
  // Watched from the test's own connection: PostgreSQL snapshots pg_stat_activity per transaction.
  const waits =
    dialect === 'postgres'
      ? "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE \"sluice_checkpoints\"%'"
      : "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE `sluice_checkpoints`%'";
  const waiting = async (): Promise<void> => {
    for (;;) {
      const [row] = await target.query<{ n: unknown }>(waits);
      if (Number(row!.n) > 0) return;
      await sleep(5);
    }
  };
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT * FROM sluice_checkpoints FOR UPDATE');
    return {
      waiting,
      release: async () => {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end();
      },
    };
  }
  const connection = await mysql.createConnection(target.url);
  await connection.query('START TRANSACTION');
  await connection.query('SELECT * FROM sluice_checkpoints FOR UPDATE');
  return {
    waiting,
    release: async () => {
      await connection.query('ROLLBACK').catch(() => undefined);
      await connection.end();
    },
  };
}

for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
  describe(`SIGKILL and --resume on the raw CSV copy, 1M rows (${dialect})`, () => {
    let target: TestTarget;
    let path: string;
    let dir: string;
    before(async () => {
      path = await csvFile(ROWS);
      target = await freshTarget(dialect);
      await target.query(USERS(dialect));
      dir = mkdtempSync(join(tmpdir(), 'sluice-kill-raw-'));
    });
    after(async () => {
      await target?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('killed inside a raw COPY / LOAD DATA and inside a commit (its checkpoint UPDATE waiting): every row once, raw on every run', async () => {
      const args = chunkedLoad(path, target.url);
      // Inside a statement of part 3, then inside the commit of part 11.
      const first = await runCli(args, dir, target, 2 * CHUNK, 60);
      assert.equal(first.signal, 'SIGKILL', `the load ended before its kill: ${first.code} ${first.stderr}`);
      const afterFirst = (await committed(target)) ?? 0;
      assert.ok(afterFirst >= 2 * CHUNK && afterFirst % CHUNK === 0, `${afterFirst} rows committed`);

      let lock: Awaited<ReturnType<typeof lockCheckpoint>> | undefined;
      const inCommit = await runCli([...args, '--resume'], dir, target, 10 * CHUNK, async () => {
        lock = await lockCheckpoint(target, dialect);
        await lock.waiting();
      });
      await lock?.release();
      assert.equal(
        inCommit.signal,
        'SIGKILL',
        `the load ended before its kill: ${inCommit.code} ${inCommit.stderr}`,
      );
      const atKill = await committed(target);
      const [rows] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM users');
      assert.equal(
        Number(rows!.n),
        atKill,
        'the chunk whose commit was killed left nothing, its checkpoint neither',
      );

      const last = await runCli([...args, '--resume'], dir, target);
      assert.equal(last.code, 0, last.stderr);
      const report = JSON.parse(last.stdout) as Record<string, unknown>;
      assert.equal(report.rawCopy, true);
      assert.equal(report.rowsLoaded, ROWS);
      assert.equal(report.rowsRead, ROWS);
      assert.equal(report.checkpoints, ROWS / CHUNK);
      await assertEveryRowOnce(target, ROWS);
    });
  });
}

/**
 * SQLite has no row lock to hold a checkpoint UPDATE with, but its COMMIT can be held: in its
 * rollback-journal mode a COMMIT needs the EXCLUSIVE lock, which waits (busy_timeout) for every
 * reader's SHARED lock to go. A writer waiting so holds PENDING, which turns a new reader away with
 * SQLITE_BUSY: once a probe sees that, the load is inside its COMMIT (the checkpoint UPDATE done,
 * the chunk's old pages in the journal), and SIGKILL lands there. The reader runs in a process of
 * its own: SQLite grants a second SHARED lock within one process without asking the OS, so a probe
 * beside the reader would never see PENDING. `release` ends the read.
 */
async function holdCommit(
  file: string,
): Promise<{ waiting: () => Promise<void>; release: () => Promise<void> }> {
  const reader = spawn(
    process.execPath,
    [
      '-e',
      `const db = new (require('better-sqlite3'))(process.argv[1], { timeout: 10000 });
       db.exec('BEGIN'); db.prepare('SELECT COUNT(*) FROM sluice_checkpoints').get();
       process.stdout.write('reading');
       process.stdin.on('end', () => { db.exec('COMMIT'); db.close(); }).resume();`,
      file,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ended = new Promise((resolve) => reader.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    reader.stdout.once('data', () => resolve());
    reader.once('close', (code) => reject(new Error(`the reader ended first: ${code}`)));
  });
  const waiting = async (): Promise<void> => {
    for (;;) {
      const probe = new Database(file, { timeout: 0, readonly: true });
      try {
        probe.prepare('SELECT COUNT(*) FROM sluice_checkpoints').get();
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') return;
        throw error;
      } finally {
        probe.close();
      }
      await sleep(5);
    }
  };
  return {
    waiting,
    release: async () => {
      reader.stdin.end();
      await ended;
    },
  };
}

if (DIALECTS.includes('sqlite'))
  describe('SIGKILL inside a COMMIT, 1M rows (sqlite)', () => {
    let target: TestTarget;
    let path: string;
    let dir: string;
    before(async () => {
      path = await csvFile(ROWS);
      target = await freshTarget('sqlite');
      await target.query(USERS('sqlite'));
      dir = mkdtempSync(join(tmpdir(), 'sluice-kill-commit-'));
    });
    after(async () => {
      await target?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('killed while its COMMIT waits for a reader: the chunk is rolled back from the journal, the resume loads every row once', async () => {
      const file = target.url.slice('sqlite:'.length);
      const args = chunkedLoad(path, target.url);
      let hold: Awaited<ReturnType<typeof holdCommit>> | undefined;
      const killed = await runCli(args, dir, target, 5 * CHUNK, async () => {
        hold = await holdCommit(file);
        await hold.waiting();
      });
      // Looked at before any connection opens the file again (the next one rolls the journal back).
      const journal = existsSync(`${file}-journal`);
      await hold?.release();
      assert.equal(
        killed.signal,
        'SIGKILL',
        `the load ended before its kill: ${killed.code} ${killed.stderr}`,
      );
      assert.ok(journal, 'the kill landed inside a write transaction: its journal was left behind');
      const atKill = await committed(target);
      assert.ok(
        atKill !== undefined && atKill >= 5 * CHUNK && atKill % CHUNK === 0,
        `${atKill} rows committed`,
      );
      const [rows] = await target.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM users');
      assert.equal(
        Number(rows!.n),
        atKill,
        'the chunk whose COMMIT was killed left nothing, its checkpoint neither',
      );

      const last = await runCli([...args, '--resume'], dir, target);
      assert.equal(last.code, 0, last.stderr);
      assert.match(last.stderr, new RegExp(`resuming users at line ${atKill + 2} `));
      const report = JSON.parse(last.stdout) as Record<string, unknown>;
      assert.equal(report.rowsLoaded, ROWS);
      assert.equal(report.rowsRead, ROWS);
      await assertEveryRowOnce(target, ROWS);
    });
  });

const UPSERT_ROWS = 200_000;
const UPSERT_CHUNK = 20_000;

for (const dialect of DIALECTS) {
  describe(`SIGKILL and --resume of an upsert (${dialect})`, () => {
    let target: TestTarget;
    let dir: string;
    before(async () => {
      target = await freshTarget(dialect);
      await target.query(
        'CREATE TABLE accounts (username VARCHAR(40) NOT NULL PRIMARY KEY, email VARCHAR(80) NOT NULL)',
      );
      dir = mkdtempSync(join(tmpdir(), 'sluice-kill-upsert-'));
    });
    after(async () => {
      await target?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('killed twice and resumed: every key once, and inserted / updated / unchanged counted over the whole load', async () => {
      // Even users exist: a quarter of all as they are (unchanged), a quarter with an old email
      // (updated); odd users are new. Every chunk mixes the three.
      const existing = join(dir, 'existing.csv');
      const input = join(dir, 'input.csv');
      let before = 'username,email\n';
      let text = 'username,email\n';
      for (let i = 0; i < UPSERT_ROWS; i++) {
        if (i % 2 === 0) before += `u${i},${i % 4 === 0 ? `e${i}` : `old${i}`}@example.org\n`;
        text += `u${i},e${i}@example.org\n`;
      }
      writeFileSync(existing, before);
      writeFileSync(input, text);
      const seeded = await runCli(
        [existing, '--db', target.url, '--table', 'accounts', '--quiet'],
        dir,
        target,
      );
      assert.equal(seeded.code, 0, seeded.stderr);

      const args = [
        input,
        '--db',
        target.url,
        '--table',
        'accounts',
        '--on-conflict',
        'update',
        '--key',
        'username',
        '--commit-every',
        String(UPSERT_CHUNK),
        '--quiet',
        '--json',
      ];
      const early = await runCli(args, dir, target, 2 * UPSERT_CHUNK, 30);
      assert.equal(early.signal, 'SIGKILL', `the load ended before its kill: ${early.code} ${early.stderr}`);
      const late = await runCli([...args, '--resume'], dir, target, 6 * UPSERT_CHUNK, 0);
      assert.equal(late.signal, 'SIGKILL', `the load ended before its kill: ${late.code} ${late.stderr}`);
      const last = await runCli([...args, '--resume'], dir, target);
      assert.equal(last.code, 0, last.stderr);
      const report = JSON.parse(last.stdout) as Record<string, unknown>;
      assert.deepEqual(
        {
          loaded: report.rowsLoaded,
          inserted: report.rowsInserted,
          updated: report.rowsUpdated,
          unchanged: report.rowsUnchanged,
        },
        {
          loaded: UPSERT_ROWS,
          inserted: UPSERT_ROWS / 2,
          updated: UPSERT_ROWS / 4,
          unchanged: UPSERT_ROWS / 4,
        },
      );
      const [counts] = await target.query<{ n: unknown; good: unknown }>(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN email = CONCAT('e', SUBSTR(username, 2), '@example.org') THEN 1 ELSE 0 END) AS good FROM accounts",
      );
      assert.equal(Number(counts!.n), UPSERT_ROWS);
      assert.equal(Number(counts!.good), UPSERT_ROWS);
      assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
    });
  });
}
