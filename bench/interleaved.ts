/**
 * Interleaved trials against a baseline, as the single-issue benches run them: each mode once as a
 * warm-up, then round after round of every mode in turn (so a noisy moment of the machine hits all
 * of them alike), and a markdown table of median seconds and per-run ratios against the first mode.
 */
import { median } from './stats.js';
import { openTarget, type BenchTarget, type Db } from './targets.js';

export interface Mode {
  readonly label: string;
  /** One timed run, its seconds. */
  readonly run: () => Promise<number>;
}

/** Seconds per mode and run; progress of each round on stderr. */
export async function interleave(db: string, modes: readonly Mode[], runs: number): Promise<number[][]> {
  for (const mode of modes) await mode.run(); // warm-up
  const times = modes.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    const line: string[] = [];
    for (const [m, mode] of modes.entries()) {
      const seconds = await mode.run();
      times[m]!.push(seconds);
      line.push(`${mode.label} ${seconds.toFixed(2)} s`);
    }
    process.stderr.write(`${db} run ${i + 1}: ${line.join(', ')}\n`);
  }
  return times;
}

/** The table: each mode's median seconds (range), and how many times faster than the first mode it ran. */
export function ratioTable(db: string, modes: readonly Mode[], times: readonly number[][]): string {
  const range = (xs: number[]): string =>
    `${median(xs).toFixed(3)}x (${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)})`;
  const lines = [
    `${db}: | trial | median s (range) | vs ${modes[0]!.label} (times faster, per run) |`,
    '|---|---|---|',
  ];
  for (const [m, mode] of modes.entries()) {
    const ts = times[m]!;
    const ratios = ts.map((t, i) => times[0]![i]! / t);
    lines.push(
      `| ${mode.label} | ${median(ts).toFixed(2)} (${Math.min(...ts).toFixed(2)}-${Math.max(...ts).toFixed(2)}) | ${m === 0 ? '1' : range(ratios)} |`,
    );
  }
  return lines.join('\n');
}

/** A trial that left another row count than it was given timed nothing worth keeping. */
export async function checkCount(target: BenchTarget, rows: number): Promise<void> {
  const loaded = await target.count();
  if (loaded !== rows) throw new Error(`${target.db}: loaded ${loaded} rows, expected ${rows}`);
}

/**
 * For each database in turn: its target opened, `table` run on it, the target closed; then every
 * database's table on stdout under one heading.
 */
export async function tablesPerDatabase(
  dbs: readonly Db[],
  rows: number,
  runs: number,
  table: (db: Db, target: BenchTarget) => Promise<string>,
): Promise<void> {
  const out: string[] = [];
  for (const db of dbs) {
    const target = await openTarget(db);
    try {
      out.push(await table(db, target));
    } finally {
      await target.close();
    }
  }
  process.stdout.write(
    `${rows} rows, ${runs} interleaved runs per database, medians (range):\n\n${out.join('\n\n')}\n`,
  );
}
