/**
 * Issue 13's speed figure: a users table of 200k rows, then an upsert of 200k rows of which 100k
 * exist (half of those with a changed email) and 100k are new, through the CLI with the default
 * method and with --method values, in interleaved pairs after a warm-up; the final tables of both
 * must be identical. Then the peak RSS of a 1M-row upsert (the default method).
 *
 *   node --import tsx bench/upsert.ts [--dbs postgres,mysql,sqlite] [--runs 3] [--big 1000000]
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { csvLine, CSV_HEADER, DATA_DIR, users, type UserRow } from './data/generate.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { median } from './stats.js';
import { openTarget, type BenchTarget, type Db } from './targets.js';

const EXISTING = 200_000;

/** Users `from`..`to` of the deterministic generator, as CSV; rows up to `changedTo` get a new email. */
async function writeUsers(name: string, from: number, to: number, changedTo = 0): Promise<string> {
  const path = join(DATA_DIR, name);
  const out = createWriteStream(path);
  out.write(CSV_HEADER + '\n');
  let i = 0;
  for (const row of users(to)) {
    i++;
    if (i < from) continue;
    const line = csvLine(i <= changedTo ? ({ ...row, email: `changed.${row.email}` } as UserRow) : row);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

/** A digest of the users table's rows (without the generated id), in username order. */
async function digest(target: BenchTarget): Promise<string> {
  const sql = `SELECT username, email, role_id FROM users ORDER BY username`;
  let rows: unknown[][];
  if (target.db === 'sqlite') {
    const db = new Database(target.file!, { readonly: true });
    rows = db.prepare(sql).raw().all() as unknown[][];
    db.close();
  } else if (target.db === 'postgres') {
    const client = new pg.Client(target.url);
    await client.connect();
    rows = (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
    await client.end();
  } else {
    const c = await mysql.createConnection(target.url);
    rows = (await c.query({ sql, rowsAsArray: true }))[0] as unknown[][];
    await c.end();
  }
  const hash = createHash('sha256');
  for (const r of rows) hash.update(r.join(',') + '\n');
  return `${rows.length} rows, sha256 ${hash.digest('hex').slice(0, 16)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dbs: { type: 'string' }, runs: { type: 'string' }, big: { type: 'string' } },
  });
  const dbs = (values.dbs ?? 'postgres,mysql,sqlite').split(',') as Db[];
  const runs = Number(values.runs ?? 3);
  const big = Number(values.big ?? 1_000_000);
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const existing = await writeUsers('upsert-existing.csv', 1, EXISTING);
  const input = await writeUsers('upsert-input.csv', 100_001, 300_000, 150_000);
  const large = await writeUsers(`upsert-${big}.csv`, 1, big, Math.floor(big / 4));
  for (const db of dbs) {
    const target = await openTarget(db);
    const upsert = async (file: string, method: string | undefined): Promise<{ s: number; rss: number }> => {
      await target.reset();
      const seed = await runCommand(sluiceLoadArgv(existing, target.url));
      if (!seed.ok) throw new Error(seed.message);
      const argv = [...sluiceLoadArgv(file, target.url), '--on-conflict', 'update', '--key', 'username'];
      if (method !== undefined) argv.push('--method', method);
      const outcome = await runCommand(argv);
      if (!outcome.ok) throw new Error(outcome.message);
      return { s: outcome.seconds, rss: outcome.peakRssMB };
    };
    // SQLite has no bulk path: its default is values itself, so pipeline is the rung compared.
    const other = db === 'sqlite' ? 'pipeline' : 'values';
    await upsert(input, undefined);
    const fast = await digest(target);
    await upsert(input, other);
    const slow = await digest(target);
    if (fast !== slow) throw new Error(`${db}: final tables differ: default ${fast}, ${other} ${slow}`);
    const d: number[] = [];
    const v: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = (await upsert(input, undefined)).s;
      const b = (await upsert(input, other)).s;
      d.push(a);
      v.push(b);
      ratios.push(b / a);
      process.stderr.write(`${db} run ${i + 1}: default ${a.toFixed(2)} s, ${other} ${b.toFixed(2)} s\n`);
    }
    const range = (xs: number[]): string => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
    const bigRun = await upsert(large, undefined);
    process.stdout.write(
      `${db}: default ${median(d).toFixed(2)} s (${range(d)}), --method ${other} ${median(v).toFixed(2)} s (${range(v)}), ` +
        `${other}/default ${median(ratios).toFixed(2)}x (${range(ratios)}, ${runs} pairs); final tables identical (${fast}); ` +
        `${big}-row upsert: ${bigRun.s.toFixed(2)} s, peak RSS ${bigRun.rss.toFixed(0)} MB\n`,
    );
    await target.close();
  }
}

await main();
