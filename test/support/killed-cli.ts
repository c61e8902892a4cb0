import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN } from './cli.js';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Kill {
  /** Polled every 5 ms while the load runs: true when the moment to kill it has come. */
  readonly when: () => Promise<boolean>;
  /** Awaited between that moment and the SIGKILL (a delay, or a wait for some state). */
  readonly before?: () => Promise<void>;
}

/** `sluice load ARGS` in a child process; with `kill`, SIGKILLed at the moment it names. */
export function loadCli(args: readonly string[], cwd: string, kill?: Kill): Promise<CliRun> {
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
    if (kill === undefined) return;
    void (async () => {
      while (!done) {
        if (await kill.when()) {
          await kill.before?.();
          child.kill('SIGKILL');
          return;
        }
        await sleep(5);
      }
    })();
  });
}
