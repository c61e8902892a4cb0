/**
 * Issue 16's speed figures for real-world files (part B, the byte layer), on PostgreSQL:
 *
 * 1. gzip: the 1M-row users CSV gzip-compressed, `sluice load users.csv.gz` against
 *    `gunzip -c users.csv.gz | psql -c "\copy users … from stdin"` (gunzip in its own process).
 * 2. encoding: the same rows with accented names, as a semicolon-separated windows-1252 file
 *    (`--encoding windows-1252 --delimiter ';'`) against the same text as a UTF-8 comma file.
 *
 * Every run is a fresh process on an emptied users table; the four commands run interleaved, run
 * after run, and the ratios are taken within each run (then their median and range).
 *
 *   node --import tsx bench/formats.ts [--rows 1000000] [--runs 5]
 */
import { createReadStream, createWriteStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { csvFile, CSV_HEADER, DATA_DIR } from './data/generate.js';
import { machineInfo } from './machine.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { median } from './stats.js';
import { openTarget } from './targets.js';

/** Accents on the generated rows (á é í ñ: one byte each in windows-1252, two in UTF-8); the header kept. */
function accented(text: string): string {
  const body = text.startsWith(CSV_HEADER) ? text.slice(CSV_HEADER.length) : text;
  const head = text.slice(0, text.length - body.length);
  return head + body.replace(/ar/g, 'ár').replace(/er/g, 'ér').replace(/in/g, 'ín').replace(/an/g, 'añ');
}

async function gzipped(path: string): Promise<string> {
  const out = `${path}.gz`;
  if (!existsSync(out) || statSync(out).size === 0)
    await pipeline(createReadStream(path), createGzip({ level: 6 }), createWriteStream(out));
  return out;
}

/** The accented rows as UTF-8 and as windows-1252 (every character used is in both). */
async function accentedFiles(path: string): Promise<{ utf8: string; cp1252: string }> {
  const utf8 = join(DATA_DIR, `accented-utf8-${statSync(path).size}.csv`);
  const cp1252 = join(DATA_DIR, `accented-cp1252-semicolon-${statSync(path).size}.csv`);
  if (existsSync(utf8) && existsSync(cp1252)) return { utf8, cp1252 };
  const a = createWriteStream(utf8);
  const b = createWriteStream(cp1252);
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    const cut = text.lastIndexOf('\n') + 1;
    rest = text.slice(cut);
    const lines = accented(text.slice(0, cut));
    // 'latin1' writes each code unit as one byte: á é í ñ are the same bytes in windows-1252.
    if (!a.write(lines, 'utf8')) await once(a, 'drain');
    // The windows-1252 file is semicolon-separated, as a European Excel writes it (no generated
    // field holds a comma or needs quoting, so the swap changes nothing else).
    if (!b.write(lines.replaceAll(',', ';'), 'latin1')) await once(b, 'drain');
  }
  a.end(accented(rest));
  b.end(accented(rest).replaceAll(',', ';'), 'latin1');
  await Promise.all([once(a, 'finish'), once(b, 'finish')]);
  return { utf8, cp1252 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 5);
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const plain = await csvFile(rows);
  const gz = await gzipped(plain);
  const { utf8, cp1252 } = await accentedFiles(plain);
  const target = await openTarget('postgres');
  const columns = 'users (username, email, created_at, role_id)';
  const script = join(DATA_DIR, 'gunzip-psql.sh');
  writeFileSync(
    script,
    `gunzip -c "$1" | psql -q -v ON_ERROR_STOP=1 "$2" -c "\\\\copy ${columns} from stdin (format csv, header true)"\n`,
  );
  const commands: Record<string, string[]> = {
    'gunzip | psql \\copy': ['sh', script, gz, target.url],
    'sluice users.csv.gz': sluiceLoadArgv(gz, target.url),
    'sluice UTF-8': sluiceLoadArgv(utf8, target.url),
    'sluice windows-1252 ;': [
      ...sluiceLoadArgv(cp1252, target.url),
      '--encoding',
      'windows-1252',
      '--delimiter',
      ';',
    ],
  };
  const times = new Map<string, number[]>(Object.keys(commands).map((k) => [k, []]));
  const timed = async (name: string): Promise<number> => {
    await target.reset();
    const outcome = await runCommand(commands[name]!);
    if (!outcome.ok) throw new Error(`${name}: ${outcome.message}`);
    const count = await target.count();
    if (count !== rows) throw new Error(`${name}: ${count} rows loaded, expected ${rows}`);
    return outcome.seconds;
  };
  // Warm-up: the files into the page cache, the server's buffers filled once.
  for (const name of Object.keys(commands)) await timed(name);
  const gzRatios: number[] = [];
  const encRatios: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const t: Record<string, number> = {};
    for (const name of Object.keys(commands)) {
      t[name] = await timed(name);
      times.get(name)!.push(t[name]);
    }
    gzRatios.push(t['sluice users.csv.gz']! / t['gunzip | psql \\copy']!);
    encRatios.push(t['sluice windows-1252 ;']! / t['sluice UTF-8']!);
    process.stderr.write(
      `run ${run}: ${Object.entries(t)
        .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
        .join(', ')}\n`,
    );
  }
  await target.close();
  const range = (xs: number[], digits = 2): string =>
    `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;
  const machine = machineInfo();
  const out: string[] = [
    `${rows} rows, ${runs} interleaved runs after a warm-up, PostgreSQL (${new Date().toISOString().slice(0, 10)}; ${JSON.stringify(machine)})`,
    '',
    '| command | median s | range s |',
    '|---|---|---|',
    // A pipe inside a markdown cell is escaped.
    ...[...times].map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${median(v).toFixed(2)} | ${range(v)} |`),
    '',
    `gzip: sluice / (gunzip | psql) = ${median(gzRatios).toFixed(2)}x (range ${range(gzRatios)}; target ≤ 1.1x)`,
    `windows-1252 ; / UTF-8 , = ${median(encRatios).toFixed(2)}x (range ${range(encRatios)}; target ≤ 1.2x)`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}

await main();
