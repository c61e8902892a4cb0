/**
 * Issue 18's speed figure for `--parallel N`: N connections each loading a share of the file (the
 * raw CSV copy in every share, each committing every 100,000 rows with its own checkpoint) against
 * the database's own client in the same run (`psql \copy`, the `mariadb` client's LOAD DATA LOCAL
 * INFILE), 1M rows of the guide's users table into an empty table. `--parallel 1` is the ordinary
 * load (one transaction). SQLite has one writer and refuses the flag: not timed. Interleaved runs
 * after a warm-up; ratios are medians of the per-run ratios (times faster than the client).
 *
 *   npm run bench:parallel -- [--rows 1000000] [--runs 3] [--dbs postgres,mysql] [--n 1,2,3,4]
 */
import { parseArgs } from 'node:util';
import { baselineFor } from './baselines/baselines.js';
import { csvFile } from './data/generate.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { median } from './stats.js';
import { openTarget, type BenchTarget, type Db } from './targets.js';

interface Mode {
  readonly label: string;
  readonly run: () => Promise<number>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      runs: { type: 'string' },
      dbs: { type: 'string' },
      n: { type: 'string' },
    },
  });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  const dbs = (values.dbs?.split(',') ?? ['postgres', 'mysql']) as Db[];
  const ns = (values.n ?? '1,2,3,4').split(',').map(Number);
  if (dbs.includes('sqlite')) throw new Error('SQLite has one writer: --parallel is refused there');
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const file = await csvFile(rows);
  const out: string[] = [];
  for (const db of dbs) {
    const target = await openTarget(db);
    try {
      out.push(await timeModes(db, target, file, rows, runs, ns));
    } finally {
      await target.close();
    }
  }
  process.stdout.write(
    `${rows} rows, ${runs} interleaved runs per database, medians (range):\n\n${out.join('\n\n')}\n`,
  );
}

async function timeModes(
  db: Db,
  target: BenchTarget,
  file: string,
  rows: number,
  runs: number,
  ns: readonly number[],
): Promise<string> {
  const baseline = baselineFor(target, file, rows);
  const sluice = async (n: number): Promise<number> => {
    await target.reset();
    const argv = sluiceLoadArgv(file, target.url);
    if (n > 1) argv.push('--parallel', String(n));
    const outcome = await runCommand(argv);
    if (!outcome.ok) throw new Error(outcome.message);
    await check(target, rows);
    return outcome.seconds;
  };
  const modes: Mode[] = [
    {
      label: baseline.label,
      run: async () => {
        await target.reset();
        const outcome = await baseline.run();
        if (!outcome.ok) throw new Error(outcome.message);
        await check(target, rows);
        return outcome.seconds;
      },
    },
    ...ns.map((n) => ({ label: `sluice load --parallel ${n}`, run: () => sluice(n) })),
  ];
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

async function check(target: BenchTarget, rows: number): Promise<void> {
  const loaded = await target.count();
  if (loaded !== rows) throw new Error(`${target.db}: loaded ${loaded} rows, expected ${rows}`);
}

await main();
