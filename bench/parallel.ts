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
import { checkCount, interleave, ratioTable, tablesPerDatabase, type Mode } from './interleaved.js';
import type { BenchTarget, Db } from './targets.js';

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
  await tablesPerDatabase(dbs, rows, runs, (db, target) => timeModes(db, target, file, rows, runs, ns));
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
    await checkCount(target, rows);
    return outcome.seconds;
  };
  const modes: Mode[] = [
    {
      label: baseline.label,
      run: async () => {
        await target.reset();
        const outcome = await baseline.run();
        if (!outcome.ok) throw new Error(outcome.message);
        await checkCount(target, rows);
        return outcome.seconds;
      },
    },
    ...ns.map((n) => ({ label: `sluice load --parallel ${n}`, run: () => sluice(n) })),
  ];
  const times = await interleave(db, modes, runs);
  return ratioTable(db, modes, times);
}

await main();
