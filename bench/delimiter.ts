/**
 * Issue 16's semicolon figure: the same 1M users rows as a `,` file and as a `;` file (the commas
 * replaced: no field holds one), loaded through the CLI with the default method into PostgreSQL
 * and MariaDB, in interleaved pairs after a warm-up. Both must take the raw path (the report says
 * rawCopy) and store the same rows; the figure is the `;`/`,` ratio of each pair.
 *
 *   node --import tsx bench/delimiter.ts [--dbs postgres,mysql] [--runs 5] [--rows 1000000]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { csvFile, DATA_DIR } from './data/generate.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { median } from './stats.js';
import { openTarget, type Db } from './targets.js';

/** The comma file with every comma made a semicolon. */
async function semicolonCopy(source: string, rows: number): Promise<string> {
  const path = join(DATA_DIR, `users-semicolon-${rows}.csv`);
  const out = createWriteStream(path);
  for await (const chunk of createReadStream(source) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x2c) chunk[i] = 0x3b;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dbs: { type: 'string' }, runs: { type: 'string' }, rows: { type: 'string' } },
  });
  const dbs = (values.dbs ?? 'postgres,mysql').split(',') as Db[];
  const runs = Number(values.runs ?? 5);
  const rows = Number(values.rows ?? 1_000_000);
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const comma = await csvFile(rows);
  const semicolon = await semicolonCopy(comma, rows);
  for (const db of dbs) {
    const target = await openTarget(db);
    const load = async (file: string, extra: string[]): Promise<number> => {
      await target.reset();
      const argv = [...sluiceLoadArgv(file, target.url), ...extra];
      const outcome = await runCommand(argv);
      if (!outcome.ok) throw new Error(outcome.message);
      const loaded = await target.count();
      if (loaded !== rows) throw new Error(`${db}: ${loaded} rows stored, ${rows} expected`);
      return outcome.seconds;
    };
    await load(comma, []);
    await load(semicolon, ['--delimiter', ';']);
    // Both must go raw: explain (the same plan, nothing written) says so.
    for (const [file, extra] of [
      [comma, []],
      [semicolon, ['--delimiter', ';']],
    ] as const) {
      const argv = sluiceLoadArgv(file, target.url);
      argv[2] = 'explain';
      const explained = spawnSync(argv[0]!, [...argv.slice(1), ...extra], { encoding: 'utf8' });
      if (!explained.stdout.includes('the CSV needs no transformation'))
        throw new Error(`${db}: ${file} does not take the raw path:\n${explained.stdout}${explained.stderr}`);
    }
    const c: number[] = [];
    const s: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so a trend in the machine's load falls on both.
      const first = i % 2 === 0;
      const a = first ? await load(comma, []) : 0;
      const b = await load(semicolon, ['--delimiter', ';']);
      const a2 = first ? a : await load(comma, []);
      c.push(a2);
      s.push(b);
      ratios.push(b / a2);
      process.stderr.write(`${db} pair ${i + 1}: , ${a2.toFixed(2)} s, ; ${b.toFixed(2)} s\n`);
    }
    const range = (xs: number[]): string => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
    process.stdout.write(
      `${db}: , ${median(c).toFixed(2)} s (${range(c)}), ; ${median(s).toFixed(2)} s (${range(s)}), ` +
        `;/, ${median(ratios).toFixed(2)}x (${range(ratios)}, ${runs} pairs, ${rows} rows)\n`,
    );
    await target.close();
  }
}

await main();
