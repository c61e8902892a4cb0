/**
 * Issue 14's speed figure: `--commit-every 50000` (a checkpoint row written in each chunk's
 * transaction) against the same load in one transaction, 1M rows of the guide's users table, on
 * each database. On PostgreSQL and MariaDB the default load copies the CSV file as raw bytes in one
 * statement and one transaction; --commit-every keeps the raw copy and cuts the file after every
 * 50,000 records (20 statements, 20 COMMITs, a checkpoint row updated in each), so the default load
 * is "the same load in one transaction". `--batch-size 50000` (the file parsed, 50,000-row encoded
 * batches, each in a savepoint, one transaction) is timed too: it is what --commit-every cost before
 * the raw copy could be cut. (SQLite has no raw path and its multi-row INSERTs are cut the same
 * either way: there the plain load is the one-transaction load.) Interleaved triples after a
 * warm-up; ratios are medians of the per-triple ratios.
 *
 *   npm run bench:checkpoints -- [--rows 1000000] [--runs 3] [--dbs sqlite,postgres,mysql]
 */
import { parseArgs } from 'node:util';
import { csvFile } from './data/generate.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { median } from './stats.js';
import { DBS, openTarget, type Db } from './targets.js';

const CHUNK = 50_000;
type Mode = 'default' | 'one transaction' | 'checkpointed';
const MODES: readonly Mode[] = ['default', 'one transaction', 'checkpointed'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: 'string' }, runs: { type: 'string' }, dbs: { type: 'string' } },
  });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  const dbs = (values.dbs?.split(',') ?? DBS) as Db[];
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const file = await csvFile(rows);
  const lines: string[] = [
    `| database | default load (one transaction) | parsed, ${CHUNK}-row batches, one transaction | --commit-every ${CHUNK} | checkpointed / default | checkpointed / parsed one transaction |`,
    '|---|---|---|---|---|---|',
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
    for (const mode of MODES) await load(mode); // warm-up
    const times: Record<Mode, number[]> = { default: [], 'one transaction': [], checkpointed: [] };
    const overTx: number[] = [];
    const overDefault: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t: Partial<Record<Mode, number>> = {};
      for (const mode of MODES) times[mode].push((t[mode] = await load(mode)));
      overTx.push(t.checkpointed! / t['one transaction']!);
      overDefault.push(t.checkpointed! / t.default!);
      process.stderr.write(
        `${db} run ${i + 1}: ${MODES.map((m) => `${m} ${t[m]!.toFixed(2)} s`).join(', ')}\n`,
      );
    }
    await target.close();
    const s = (m: Mode) => `${median(times[m]).toFixed(2)} s`;
    const r = (xs: number[]) =>
      `${median(xs).toFixed(3)}x (${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)})`;
    lines.push(
      `| ${db} | ${s('default')} | ${s('one transaction')} | ${s('checkpointed')} | ${r(overDefault)} | ${r(overTx)} |`,
    );
  }
  process.stdout.write(
    `${rows} rows, ${runs} interleaved runs per database, medians:\n\n${lines.join('\n')}\n`,
  );
}

await main();
