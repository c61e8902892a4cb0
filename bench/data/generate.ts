/**
 * The guide's `users` rows as cached CSV files for the bench. The rows themselves come from
 * src/bench/users-data.ts (the generator `sluice bench` uses too), re-exported here.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSV_HEADER, DEFAULT_SEED, GENERATOR_VERSION, csvLine, users } from '../../src/bench/users-data.js';

export {
  CSV_COLUMNS,
  CSV_HEADER,
  DEFAULT_SEED,
  GENERATOR_VERSION,
  ROLES,
  csvLine,
  formatTimestamp,
  mulberry32,
  users,
  type UserRow,
} from '../../src/bench/users-data.js';

/** Writes `count` rows as CSV (header first) to `path`, through a temporary file and a rename. */
export async function writeCsv(path: string, count: number, seed = DEFAULT_SEED): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  const out = createWriteStream(partial);
  let text = CSV_HEADER + '\n';
  for (const row of users(count, seed)) {
    text += csvLine(row);
    if (text.length >= 1 << 16) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  out.end(text);
  await once(out, 'finish');
  renameSync(partial, path);
}

export const DATA_DIR = dirname(fileURLToPath(import.meta.url));

/** The cached CSV of `count` rows, generated on first use (bench/data/ is gitignored). */
export async function csvFile(count: number, dir = DATA_DIR): Promise<string> {
  const path = join(dir, `users-v${GENERATOR_VERSION}-${count}.csv`);
  if (!existsSync(path) || statSync(path).size === 0) await writeCsv(path, count);
  return path;
}

// `node --import tsx bench/data/generate.ts 1000000` prints the path of the cached file. (Checked by
// name too: bundled into the bench's trial script, this module shares that script's URL.)
const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self && self.endsWith('generate.ts')) {
  const count = Number(process.argv[2] ?? 1_000_000);
  console.log(await csvFile(count));
}
