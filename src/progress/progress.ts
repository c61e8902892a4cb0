import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { Progress } from '../options.js';

// Loaded only when a bar is drawn: a piped, --quiet or CI run does not pay its start-up cost.
const requireModule = createRequire(import.meta.url);

export interface ProgressDisplay {
  update(progress: Progress): void;
  /** The load is done: the bar is drawn at 100 % with the final row count, and left on screen. */
  finish(rows: number): void;
  stop(): void;
}

const NONE: ProgressDisplay = { update: () => undefined, finish: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr: bytes when the input's size is known (files), rows otherwise. Only on
 * a terminal: never when stderr is piped, under --quiet, or with CI set.
 */
export function progressDisplay(stream: NodeJS.WriteStream, enabled: boolean): ProgressDisplay {
  if (!enabled || !stream.isTTY || process.env.CI) return NONE;
  let bar: CliProgress.SingleBar | undefined;
  let lastDraw = 0;
  let last: Progress | undefined;
  return {
    update(progress) {
      last = progress;
      const now = Date.now();
      // At most ten draws a second; a first draw only after 100 ms, so a quick load shows none.
      if (lastDraw === 0) lastDraw = now;
      if (now - lastDraw < 100) return;
      lastDraw = now;
      if (bar === undefined) {
        const cliProgress = requireModule('cli-progress') as typeof CliProgress;
        const byBytes = progress.totalBytes !== undefined && progress.totalBytes > 0;
        bar = new cliProgress.SingleBar(
          {
            stream,
            hideCursor: true,
            clearOnComplete: false,
            // Redrawn by update() itself, and on a timer, so the bar moves even while a single
            // large statement is in flight.
            fps: 10,
            format: byBytes
              ? '{bar} {percentage}% | {mb}/{totalMb} MB | {rows} rows | eta {eta_formatted}'
              : '{rows} rows | {duration_formatted}',
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(byBytes ? progress.totalBytes! : 0, 0, {
          rows: 0,
          mb: '0.0',
          totalMb: mb(progress.totalBytes ?? 0),
        });
      }
      const value = progress.totalBytes ? progress.bytes : progress.rows;
      bar.update(value, {
        rows: progress.rows,
        mb: mb(progress.bytes),
        totalMb: mb(progress.totalBytes ?? 0),
      });
    },
    finish(rows) {
      if (bar === undefined || last === undefined) return;
      const total = last.totalBytes;
      bar.update(total ? total : rows, { rows, mb: mb(total ?? last.bytes), totalMb: mb(total ?? 0) });
      bar.stop();
      bar = undefined;
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}
