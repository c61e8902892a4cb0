/**
 * Issue 7's speed figure: `--on-error skip` on 1M rows with 10 bad rows spread through the file,
 * against the clean load of the same rows, on PostgreSQL. Interleaved pairs (clean, skip, clean,
 * skip …) after a warm-up; the ratio is skip seconds / clean seconds, median of the pairs.
 *
 *   node --import tsx bench/skip-mode.ts [--rows 1000000] [--runs 3]
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { csvFile, DATA_DIR } from './data/generate.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { median } from './stats.js';
import { openTarget } from './targets.js';

const BAD_ROWS = 10;

/** The clean file with BAD_ROWS rows spread evenly replaced by rows the database refuses. */
async function fileWithBadRows(clean: string, rows: number): Promise<string> {
  const path = join(DATA_DIR, `users-${rows}-with-${BAD_ROWS}-bad.csv`);
  const out = createWriteStream(path);
  const every = Math.floor(rows / BAD_ROWS);
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(clean) })) {
    // Line 1 is the header; data row n is on line n + 1. Alternate a foreign-key violation
    // (role 99) with a value that is not an integer.
    const bad = line > 0 && line % every === every / 2;
    const foreignKey = Math.floor(line / every) % 2 === 0;
    const row = bad ? text.replace(/,\d+$/, foreignKey ? ',99' : ',notanumber') : text;
    if (!out.write(row + '\n')) await once(out, 'drain');
    line++;
  }
  out.end();
  await once(out, 'finish');
  return path;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const clean = await csvFile(rows);
  const dirty = await fileWithBadRows(clean, rows);
  const target = await openTarget('postgres');
  const load = async (file: string, skip: boolean): Promise<number> => {
    await target.reset();
    const argv = sluiceLoadArgv(file, target.url);
    if (skip) argv.push('--on-error', 'skip', '--rejects', join(DATA_DIR, 'skip-mode.rejects.csv'));
    const outcome = await runCommand(argv);
    if (!outcome.ok) throw new Error(outcome.message);
    const loaded = await target.count();
    const expected = skip ? rows - BAD_ROWS : rows;
    if (loaded !== expected) throw new Error(`loaded ${loaded} rows, expected ${expected}`);
    return outcome.seconds;
  };
  await load(clean, false);
  await load(dirty, true);
  const ratios: number[] = [];
  const cleanTimes: number[] = [];
  const skipTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = await load(clean, false);
    const s = await load(dirty, true);
    cleanTimes.push(c);
    skipTimes.push(s);
    ratios.push(s / c);
    process.stderr.write(
      `run ${i + 1}: clean ${c.toFixed(2)} s, skip ${s.toFixed(2)} s, ratio ${(s / c).toFixed(2)}\n`,
    );
  }
  await target.close();
  process.stdout.write(
    `PostgreSQL, ${rows} rows, ${BAD_ROWS} bad rows: clean ${median(cleanTimes).toFixed(2)} s, ` +
      `skip ${median(skipTimes).toFixed(2)} s, skip/clean ${median(ratios).toFixed(2)}x ` +
      `(range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}, ${runs} pairs)\n`,
  );
}

await main();
