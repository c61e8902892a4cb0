import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN } from '../support/cli.js';
import { rejectedLinesIn, resumeFile, type ResumeFile } from '../support/resume-data.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const ROWS = 1_000_000;
const CHUNK = 50_000;

const USERS = (dialect: string) =>
  dialect === 'mysql'
    ? 'CREATE TABLE users (username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255), created_at DATETIME, role_id INT)'
    : 'CREATE TABLE users (username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255), created_at TIMESTAMP, role_id INTEGER)';

/** Rows the checkpoint says are committed, or undefined before the table or row exists. */
async function committed(target: TestTarget): Promise<number | undefined> {
  try {
    const rows = await target.query<{ n: unknown }>('SELECT rows_loaded AS n FROM sluice_checkpoints');
    return rows[0] === undefined ? undefined : Number(rows[0].n);
  } catch {
    return undefined; // not created yet, or (SQLite) the file is busy committing
  }
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI; with `killAt`, SIGKILLs it once the checkpoint table shows that many rows (-1: as
 * soon as its checkpoint row exists, before the first COMMIT), `delay` ms later: 0 kills just
 * after a COMMIT, while the next chunk's first statement starts; longer delays land inside a
 * chunk's COPY / LOAD DATA / INSERTs.
 */
function runCli(args: string[], cwd: string, target: TestTarget, killAt?: number, delay = 0): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'load', ...args], { cwd });
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal, stdout, stderr });
    });
    if (killAt === undefined) return;
    void (async () => {
      while (!done) {
        const rows = await committed(target);
        if (rows !== undefined && rows >= killAt) {
          if (delay > 0) await sleep(delay);
          child.kill('SIGKILL');
          return;
        }
        await sleep(5);
      }
    })();
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

      const [counts] = await target.query<{ n: unknown; d: unknown }>(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT username) AS d FROM users',
      );
      assert.equal(Number(counts!.n), file.good);
      assert.equal(Number(counts!.d), file.good);
      const lines = rejectedLinesIn(rejects).sort((a, b) => a - b);
      assert.deepEqual(lines, file.rejectedLines, 'each rejected line once in the rejects file');
      assert.equal((await target.query('SELECT * FROM sluice_checkpoints')).length, 0);
      assert.equal(killed, kills.length);
    });
  });
}
