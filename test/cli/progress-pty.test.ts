/**
 * Defect 1 of issue 11 (no progress on the main path): the CLI runs under a pseudo-terminal
 * (`script`), as a person at a terminal runs it, and the bar must be drawn while the load is still
 * running, advance, and end at 100 %, on every path and method: raw COPY, encoded COPY, LOAD DATA,
 * values, pipeline and row.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BIN } from '../support/cli.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

interface PtyRun {
  readonly code: number | null;
  readonly output: string;
  /** Percentages drawn before the summary line, in order. */
  readonly percentages: number[];
  /** A percentage strictly between 0 and 100 was on screen while the process still ran. */
  readonly sawProgressWhileRunning: boolean;
}

/** Runs `sluice args` under a pty; polls the typescript file to see what is on screen meanwhile. */
function underPty(args: readonly string[], cwd: string): Promise<PtyRun> {
  const log = join(cwd, `pty-${Date.now()}.log`);
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', COLUMNS: '120' };
  delete env.CI; // the bar is never drawn under CI
  delete env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, log], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let sawProgressWhileRunning = false;
    const poll = setInterval(() => {
      let text: string;
      try {
        text = readFileSync(log, 'latin1');
      } catch {
        return;
      }
      if (percentagesOf(text).some((p) => p > 0 && p < 100) && !/loaded \d+ rows/.test(text))
        sawProgressWhileRunning = true;
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const output = readFileSync(log, 'latin1');
      const summaryAt = output.search(/loaded \d+ rows/);
      resolve({
        code,
        output,
        percentages: percentagesOf(summaryAt === -1 ? output : output.slice(0, summaryAt)),
        sawProgressWhileRunning,
      });
    });
  });
}

function percentagesOf(text: string): number[] {
  return [...text.matchAll(/(\d{1,3})% \|/g)].map((m) => Number(m[1]));
}

/** `rows` lines of the guide's users table, ~70 bytes each. */
function usersCsv(rows: number, delimiter = ','): string {
  const lines = ['username,email,created_at,role_id'.replaceAll(',', delimiter)];
  for (let i = 0; i < rows; i++)
    lines.push(
      [`user${i}`, `user${i}@example.org`, '2021-03-04 05:06:07', String((i % 3) + 1)].join(delimiter),
    );
  return lines.join('\n') + '\n';
}

function usersNdjson(rows: number): string {
  let out = '';
  for (let i = 0; i < rows; i++)
    out +=
      JSON.stringify({ username: `user${i}`, email: `user${i}@example.org`, role_id: (i % 3) + 1 }) + '\n';
  return out;
}

function assertBarMoved(run: PtyRun, what: string): void {
  assert.equal(run.code, 0, `${what}: ${run.output.slice(-2000)}`);
  assert.ok(run.sawProgressWhileRunning, `${what}: no bar between 0 and 100 % while the load ran`);
  const between = run.percentages.filter((p) => p > 0 && p < 100);
  assert.ok(between.length >= 1, `${what}: the bar never advanced: ${run.percentages.join(' ')}`);
  for (let i = 1; i < run.percentages.length; i++)
    assert.ok(
      run.percentages[i]! >= run.percentages[i - 1]!,
      `${what}: the bar went back: ${run.percentages.join(' ')}`,
    );
  assert.equal(
    run.percentages.at(-1),
    100,
    `${what}: the bar did not end at 100 %: ${run.percentages.join(' ')}`,
  );
}

describe('progress bar under a pseudo-terminal (issue 11, defect 1)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-pty-'));
    // Each load must outlast the bar's first draw (after 100 ms) by far, on a fast machine too:
    // there, 40,000 rows by pipeline loaded before it, and 400,000 by raw COPY barely after.
    writeFileSync(join(dir, 'users.csv'), usersCsv(1_000_000));
    writeFileSync(join(dir, 'users.tsv'), usersCsv(1_000_000, '\t'));
    writeFileSync(join(dir, 'users.ndjson'), usersNdjson(600_000));
    writeFileSync(join(dir, 'small.csv'), usersCsv(400_000));
    writeFileSync(join(dir, 'tiny.csv'), usersCsv(1_500));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  if (DIALECTS.includes('postgres')) {
    describe('PostgreSQL', () => {
      let target: TestTarget;
      before(async () => {
        target = await freshTarget('postgres');
      });
      after(async () => target?.close());

      it('raw CSV COPY (the default for an untouched CSV) draws the bar as the bytes go', async () => {
        const run = await underPty(
          ['load', 'users.csv', '--db', target.url, '--table', 'raw', '--create'],
          dir,
        );
        assertBarMoved(run, 'raw COPY');
        assert.match(run.output, /method copy, raw CSV/);
      });

      it('encoded COPY (NDJSON) draws the bar', async () => {
        const run = await underPty(
          ['load', 'users.ndjson', '--db', target.url, '--table', 'encoded', '--create'],
          dir,
        );
        assertBarMoved(run, 'encoded COPY');
        assert.match(run.output, /method copy\b(?!, raw)/);
      });

      it('pipeline draws the bar', async () => {
        const run = await underPty(
          ['load', 'small.csv', '--db', target.url, '--table', 'pipe', '--create', '--method', 'pipeline'],
          dir,
        );
        assertBarMoved(run, 'pipeline');
      });
    });
  }

  if (DIALECTS.includes('mysql')) {
    describe('MariaDB', () => {
      let target: TestTarget;
      before(async () => {
        target = await freshTarget('mysql');
      });
      after(async () => target?.close());

      it('LOAD DATA of a raw TSV draws the bar as the bytes go', async () => {
        const run = await underPty(
          ['load', 'users.tsv', '--db', target.url, '--table', 'ld', '--create'],
          dir,
        );
        assertBarMoved(run, 'LOAD DATA');
        assert.match(run.output, /method copy, raw CSV/);
      });
    });
  }

  if (DIALECTS.includes('sqlite')) {
    describe('SQLite', () => {
      it('values draws the bar', async () => {
        const run = await underPty(['load', 'users.csv', '--db', 'sqlite:values.db', '--table', 'v'], dir);
        assertBarMoved(run, 'values');
      });

      it('row draws the bar', async () => {
        const run = await underPty(
          ['load', 'tiny.csv', '--db', 'sqlite:row.db', '--table', 'r', '--method', 'row'],
          dir,
        );
        assertBarMoved(run, 'row');
      });
    });
  }
});
