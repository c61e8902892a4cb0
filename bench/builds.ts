/**
 * One change's cost: the default load (`sluice load users.csv --table users`) by this checkout's
 * CLI against another checkout's, on the same 1M rows of the guide's users table, on each
 * database. Interleaved rounds after a warm-up, the order reversed every other round; ratios are
 * medians of the per-round ratios (this build / the other), with a 90 % bootstrap interval and the
 * ratio of each build's fastest run.
 *
 *   git clone -q . /tmp/before && (cd /tmp/before && git checkout -q REV && npm ci && npm run build)
 *   npm run bench:builds -- --before /tmp/before [--rows 1000000] [--runs 5] [--dbs sqlite,postgres,mysql]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { csvFile } from './data/generate.js';
import { ensureBuilt, ROOT, runCommand, sluiceLoadArgv } from './measure.js';
import { median, medianInterval } from './stats.js';
import { DBS, openTarget, type Db } from './targets.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      before: { type: 'string' },
      rows: { type: 'string' },
      runs: { type: 'string' },
      dbs: { type: 'string' },
    },
  });
  if (values.before === undefined) throw new Error('--before DIR: a built checkout to compare with');
  const beforeBin = join(values.before, 'bin/sluice.js');
  if (!existsSync(join(values.before, 'dist')))
    throw new Error(`${values.before}: not built (npm run build)`);
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 5);
  const dbs = (values.dbs?.split(',') ?? DBS) as Db[];
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const file = await csvFile(rows);
  const builds = { before: beforeBin, this: join(ROOT, 'bin/sluice.js') } as const;
  type Build = keyof typeof builds;
  const lines = [
    '| database | before | this build | this / before, median (90 % interval) | fastest / fastest |',
    '|---|---|---|---|---|',
  ];
  for (const db of dbs) {
    const target = await openTarget(db);
    const load = async (build: Build): Promise<number> => {
      await target.reset();
      const argv = sluiceLoadArgv(file, target.url);
      argv[1] = builds[build];
      const outcome = await runCommand(argv);
      if (!outcome.ok) throw new Error(outcome.message);
      const loaded = await target.count();
      if (loaded !== rows) throw new Error(`${db} ${build}: loaded ${loaded} rows, expected ${rows}`);
      return outcome.seconds;
    };
    const order: readonly Build[] = ['before', 'this'];
    for (const build of order) await load(build); // warm-up
    const times: Record<Build, number[]> = { before: [], this: [] };
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t: Partial<Record<Build, number>> = {};
      for (const build of i % 2 === 0 ? order : [...order].reverse())
        times[build].push((t[build] = await load(build)));
      ratios.push(t.this! / t.before!);
      process.stderr.write(
        `${db} run ${i + 1}: before ${t.before!.toFixed(2)} s, this ${t.this!.toFixed(2)} s\n`,
      );
    }
    await target.close();
    const interval = medianInterval(ratios);
    lines.push(
      `| ${db} | ${median(times.before).toFixed(2)} s | ${median(times.this).toFixed(2)} s | ${median(ratios).toFixed(3)}x (${interval.low.toFixed(3)}-${interval.high.toFixed(3)}) | ${(Math.min(...times.this) / Math.min(...times.before)).toFixed(3)}x |`,
    );
  }
  process.stdout.write(`${rows} rows, ${runs} interleaved runs per database:\n\n${lines.join('\n')}\n`);
}

await main();
