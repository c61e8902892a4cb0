/**
 * Issue 14's speed figure: `--commit-every 50000` (a checkpoint row written in each chunk's
 * transaction) against the same load in one transaction, 1M rows of the guide's users table, on
 * each database. On PostgreSQL and MariaDB the default load copies the CSV file as raw bytes in one
 * statement and one transaction; --commit-every keeps the raw copy and cuts the file after every
 * 50,000 records (20 statements, 20 COMMITs, a checkpoint row updated in each), so the default load
 * is "the same load in one transaction". `--batch-size 50000` (the file parsed, 50,000-row encoded
 * batches, each in a savepoint, one transaction) is timed too: it is what --commit-every cost before
 * the raw copy could be cut. (SQLite has no raw path and its multi-row INSERTs are cut the same
 * either way: there the plain load is the one-transaction load.) Interleaved rounds after a
 * warm-up, the order of the modes reversed every other round (so a machine speeding up or slowing
 * down over a round favours no mode); ratios are medians of the per-round ratios, with a 90 %
 * bootstrap interval of that median and the ratio of the fastest runs of each mode, because on a
 * shared machine one run of the same load can take 30 % longer than the next.
 *
 *   npm run bench:checkpoints -- [--rows 1000000] [--runs 3] [--dbs sqlite,postgres,mysql]
 *                                [--skip-parsed]   (time only the default and checkpointed loads)
 */
import { parseArgs } from 'node:util';
import { csvFile } from './data/generate.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { median, medianInterval } from './stats.js';
import { DBS, openTarget, type Db } from './targets.js';

const CHUNK = 50_000;
type Mode = 'default' | 'one transaction' | 'checkpointed';
const MODES: readonly Mode[] = ['default', 'one transaction', 'checkpointed'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      runs: { type: 'string' },
      dbs: { type: 'string' },
      'skip-parsed': { type: 'boolean' },
    },
  });
  const modes = MODES.filter((m) => m !== 'one transaction' || values['skip-parsed'] !== true);
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  const dbs = (values.dbs?.split(',') ?? DBS) as Db[];
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const file = await csvFile(rows);
  const lines: string[] = [
    `| database | default load (one transaction) | parsed, ${CHUNK}-row batches, one transaction | --commit-every ${CHUNK} | checkpointed / default, median (90 % interval) | fastest checkpointed / fastest default | checkpointed / parsed one transaction |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const db of dbs) {
    const target = await openTarget(db);
    const load = async (mode: Mode): Promise<number> => {
      await target.reset();
      const argv = sluiceLoadArgv(file, target.url);
      // SQLite's statements are the same with or without --commit-every (its batches are smaller
      // than a chunk): its one-transaction load is the default one.
      if (mode === 'one transaction' && db !== 'sqlite') argv.push('--batch-size', String(CHUNK));
      if (mode === 'checkpointed') argv.push('--commit-every', String(CHUNK));
      const outcome = await runCommand(argv);
      if (!outcome.ok) throw new Error(outcome.message);
      const loaded = await target.count();
      if (loaded !== rows) throw new Error(`${db} ${mode}: loaded ${loaded} rows, expected ${rows}`);
      return outcome.seconds;
    };
    for (const mode of modes) await load(mode); // warm-up
    const times: Record<Mode, number[]> = { default: [], 'one transaction': [], checkpointed: [] };
    const overTx: number[] = [];
    const overDefault: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t: Partial<Record<Mode, number>> = {};
      for (const mode of i % 2 === 0 ? modes : [...modes].reverse())
        times[mode].push((t[mode] = await load(mode)));
      if (t['one transaction'] !== undefined) overTx.push(t.checkpointed! / t['one transaction']);
      overDefault.push(t.checkpointed! / t.default!);
      process.stderr.write(
        `${db} run ${i + 1}: ${modes.map((m) => `${m} ${t[m]!.toFixed(2)} s`).join(', ')}\n`,
      );
    }
    await target.close();
    const s = (m: Mode) => (times[m].length === 0 ? '-' : `${median(times[m]).toFixed(2)} s`);
    const r = (xs: number[]) =>
      xs.length === 0
        ? '-'
        : `${median(xs).toFixed(3)}x (${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)})`;
    const interval = medianInterval(overDefault);
    const fastest = Math.min(...times.checkpointed) / Math.min(...times.default);
    lines.push(
      `| ${db} | ${s('default')} | ${s('one transaction')} | ${s('checkpointed')} | ${median(overDefault).toFixed(3)}x (${interval.low.toFixed(3)}-${interval.high.toFixed(3)}) | ${fastest.toFixed(3)}x | ${r(overTx)} |`,
    );
  }
  process.stdout.write(
    `${rows} rows, ${runs} interleaved runs per database, medians:\n\n${lines.join('\n')}\n`,
  );
}

await main();
