/**
 * Runs one trial in a process of its own and measures it. Library trials (sluice's API, the
 * peers) run in a node child that times itself and reports its own peak RSS
 * (process.resourceUsage().maxRSS). External tools (psql, mariadb, sqlite3, the sluice CLI,
 * sqlite-utils, pgloader) are timed from here around the process, start-up included, and their
 * peak RSS is read by GNU time (`/usr/bin/time -f %M`), or else by polling VmHWM in
 * /proc/<pid>/status (which can miss a peak in the last poll interval).
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Outcome =
  | {
      readonly ok: true;
      readonly seconds: number;
      readonly peakRssMB: number;
      /** Where the RSS figure comes from: the child itself, GNU time, or /proc polling. */
      readonly rssBy: 'child' | 'time' | 'proc';
    }
  | { readonly ok: false; readonly message: string; readonly notInstalled?: boolean };

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GNU_TIME = '/usr/bin/time';
const TIMEOUT_MS = 30 * 60 * 1000;

/** The executable's path when `name` is on PATH. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  readonly hwmKB: number;
}

function spawnTimed(argv: readonly string[], env: NodeJS.ProcessEnv, poll: boolean): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hwmKB = 0;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout = (stdout + text).slice(-65536)));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-65536)));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    const poller = poll
      ? setInterval(() => {
          try {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
            if (kb > hwmKB) hwmKB = kb;
          } catch {
            // the process is gone
          }
        }, 20)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      clearTimeout(timer);
      if (poller) clearInterval(poller);
      resolve({ code, signal, stdout, stderr, seconds, hwmKB });
    });
  });
}

/** An external command, timed from outside; nonzero exit is a failure with the tool's last words. */
export async function runCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  label = argv[0]!,
): Promise<Outcome> {
  if (which(argv[0]!) === undefined && !existsSync(argv[0]!)) {
    return { ok: false, message: `${label}: not installed`, notInstalled: true };
  }
  if (hasGnuTime()) {
    const out = join(tmpdir(), `sluice-bench-time-${process.pid}.txt`);
    const done = await spawnTimed([GNU_TIME, '-f', '%M', '-o', out, ...argv], env, false);
    const kb = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
    rmSync(out, { force: true });
    if (done.code !== 0) return failed(label, done);
    return { ok: true, seconds: done.seconds, peakRssMB: kb / 1024, rssBy: 'time' };
  }
  const done = await spawnTimed(argv, env, true);
  if (done.code !== 0) return failed(label, done);
  return { ok: true, seconds: done.seconds, peakRssMB: done.hwmKB / 1024, rssBy: 'proc' };
}

/**
 * A trial in a node child (bench/trial.ts), which prints one JSON line: {seconds, rows, peakRssMB}
 * or {error, notInstalled?}.
 */
export async function runChild(spec: object): Promise<Outcome> {
  const argv = [process.execPath, await compiledTrial(), JSON.stringify(spec)];
  const done = await spawnTimed(argv, process.env, false);
  const last = done.stdout.trim().split('\n').pop() ?? '';
  let report: { seconds?: number; peakRssMB?: number; error?: string; notInstalled?: boolean };
  try {
    report = JSON.parse(last) as typeof report;
  } catch {
    return failed('trial', done);
  }
  if (report.error !== undefined) {
    return { ok: false, message: report.error, notInstalled: report.notInstalled === true };
  }
  return { ok: true, seconds: report.seconds!, peakRssMB: report.peakRssMB!, rssBy: 'child' };
}

/**
 * The CLI trials run bin/sluice.js, which runs the bundle dist/cli.js: rebuild (`npm run build`,
 * tsc then the bundle) when a source file is newer than it, so no trial measures stale code.
 */
export function ensureBuilt(log: (text: string) => void): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist/cli.js')).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= newest(join(ROOT, 'src'))) return;
  log('building dist/ for the CLI trials …');
  // Its output to stderr: stdout carries the bench's markdown.
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error('npm run build failed');
}

/** `sluice load FILE --db URL --table users --quiet`, as the bench runs the CLI everywhere. */
export function sluiceLoadArgv(file: string, url: string): string[] {
  return [
    process.execPath,
    join(ROOT, 'bin/sluice.js'),
    'load',
    file,
    '--db',
    url,
    '--table',
    'users',
    '--quiet',
  ];
}

let compiled: Promise<string> | undefined;

/**
 * bench/trial.ts and the sources it runs, bundled once per bench run into plain JS (packages stay
 * imports from node_modules). Run through the tsx loader instead, every library trial's peak RSS
 * carried ~35 MB of the loader's own (an empty script: 76 MB under tsx, 39 MB without).
 */
function compiledTrial(): Promise<string> {
  compiled ??= (async () => {
    const { build } = await import('esbuild');
    // Inside the repository, so the bundle's imports resolve against its node_modules.
    const outfile = join(ROOT, 'bench/.out/trial.mjs');
    await build({
      entryPoints: [join(ROOT, 'bench/trial.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    return outfile;
  })();
  return compiled;
}

function failed(label: string, done: Finished): Outcome {
  const words = (done.stderr.trim() || done.stdout.trim()).split('\n').filter((l) => l.trim() !== '');
  const why = done.signal ? `killed by ${done.signal}` : `exit ${done.code}`;
  return { ok: false, message: `${label}: ${why}: ${words.slice(-2).join(' / ').slice(0, 300)}` };
}

/** One thing the bench times: a baseline tool, a sluice path, or a peer. */
export interface Trial {
  /** Stable id within a database, e.g. `sluice-cli`. */
  readonly id: string;
  /** The row label in the table. */
  readonly label: string;
  readonly group: 'baseline' | 'sluice' | 'ladder' | 'peer' | 'reference';
  /** Rows one run loads (the row rung loads a sample). */
  readonly rows: number;
  /** Seconds are multiplied by this to estimate the full load (the row rung's sample). */
  readonly scale: number;
  /** False for a run that loads nothing (the generator alone). */
  readonly loads: boolean;
  /** The command as a reader could type it, for the docs (no passwords). */
  readonly command?: string;
  run(): Promise<Outcome>;
}
