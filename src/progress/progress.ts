import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { Progress } from '../options.js';

// Loaded only when a bar is drawn: a piped, --quiet or CI run does not pay its start-up cost.
const requireModule = createRequire(import.meta.url);

export interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

const NONE: ProgressDisplay = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr: bytes when the input's size is known (files), rows otherwise. Only on
 * a terminal: never when stderr is piped, under --quiet, or with CI set.
 */
export function progressDisplay(stream: NodeJS.WriteStream, enabled: boolean): ProgressDisplay {
  if (!enabled || !stream.isTTY || process.env.CI) return NONE;
  let bar: CliProgress.SingleBar | undefined;
  let lastDraw = 0;
  return {
    update(progress) {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      if (bar === undefined) {
        const cliProgress = requireModule('cli-progress') as typeof CliProgress;
        const byBytes = progress.totalBytes !== undefined && progress.totalBytes > 0;
        bar = new cliProgress.SingleBar(
          {
            stream,
            hideCursor: true,
            clearOnComplete: true,
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
    stop() {
      bar?.stop();
    },
  };
}

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}
