/**
 * A quick sanity check of the PostgreSQL methods (the real harness is the bench helper's
 * `npm run bench`): rows/s of each method into the guide's users table (unique username, email,
 * created_at, role_id → roles), and raw-CSV / JS-object COPY against `psql \copy` on the same rows,
 * interleaved, median of the rounds.
 *
 *   node --import tsx bench/pg-sanity.ts [rows=100000] [rounds=3] [unlogged]   (SLUICE_PG_URL)
 *
 * SANITY_ONLY=copy keeps psql and the two COPY trials (quicker, for more rounds).
 * SANITY_ONLY=pipeline compares, on 10,000 rows in one transaction, one INSERT awaited per row
 * (what pg's Client does with a loop of queries) against sluice's pipelined Bind/Execute.
 * `unlogged` makes the users table UNLOGGED: no WAL, so on a machine whose disk is the bottleneck
 * the comparison shows the clients' own costs rather than fsync.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pipelinedExecute } from '../src/dialects/postgres/pipelined-execute.js';
import { open } from '../src/index.js';
import type { MethodName } from '../src/plan/plan.js';

const URL = process.env.SLUICE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const UNLOGGED = process.argv[4] === 'unlogged' ? 'UNLOGGED' : '';

const RESET = `DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS roles;
CREATE TABLE roles (id integer PRIMARY KEY, name text UNIQUE);
INSERT INTO roles VALUES (1,'admin'),(2,'editor'),(3,'author'),(4,'viewer'),(5,'guest');
CREATE ${UNLOGGED} TABLE users (id serial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255),
  created_at timestamp, role_id integer REFERENCES roles(id));`;

type User = {
  username: string;
  email: string;
  created_at: Date;
  role_id: number;
};
function users(n: number): User[] {
  return Array.from({ length: n }, (_, i) => ({
    username: `user${i}`,
    email: `user${i}@example.org`,
    created_at: new Date(Date.UTC(2015, 0, 1) + i * 37_000),
    role_id: (i % 5) + 1,
  }));
}
const iso = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-sanity-'));
const rows = users(ROWS);
const csv = join(dir, 'users.csv');
writeFileSync(
  csv,
  'username,email,created_at,role_id\n' +
    rows.map((u) => `${u.username},${u.email},${iso(u.created_at)},${u.role_id}`).join('\n') +
    '\n',
);

const admin = new pg.Client({ connectionString: URL });
await admin.connect();
const reset = async (): Promise<void> => {
  await admin.query(RESET);
  await admin.query('CHECKPOINT');
};

async function timed(run: () => Promise<unknown>): Promise<number> {
  await reset();
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}
const psql = (): Promise<number> =>
  timed(async () =>
    execFileSync('psql', [
      '-qX',
      URL,
      '-c',
      `\\copy users (username, email, created_at, role_id) FROM '${csv}' (FORMAT csv, HEADER true)`,
    ]),
  );
async function sluice(method: MethodName, input: 'csv' | 'objects', count = ROWS): Promise<number> {
  const db = await open(URL);
  try {
    const source = input === 'csv' ? csv : rows.slice(0, count);
    return await timed(() => db.load('users', source, { method }));
  } finally {
    await db.close();
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (n: number, s: number): string => `${Math.round(n / s).toLocaleString('en')} rows/s`;

const trials: [string, () => Promise<number>, number][] = [
  ['psql \\copy (CSV file)', psql, ROWS],
  ['copy, raw CSV file', () => sluice('copy', 'csv'), ROWS],
  ['copy, JS objects (encoded)', () => sluice('copy', 'objects'), ROWS],
  ['pipeline, CSV file', () => sluice('pipeline', 'csv'), ROWS],
  ['values, CSV file', () => sluice('values', 'csv'), ROWS],
  ['row, JS objects (first 5,000)', () => sluice('row', 'objects', 5_000), 5_000],
];
if (process.env.SANITY_ONLY === 'copy') trials.splice(3);
if (process.env.SANITY_ONLY === 'pipeline') {
  const insert = 'INSERT INTO users (username, email, created_at, role_id) VALUES ($1, $2, $3, $4)';
  const params = rows
    .slice(0, 10_000)
    .map((u) => [u.username, u.email, u.created_at.toISOString(), u.role_id]);
  const inTransaction = (run: () => Promise<unknown>) =>
    timed(async () => {
      await admin.query('BEGIN');
      await run();
      await admin.query('COMMIT');
    });
  trials.splice(0, trials.length);
  trials.push(
    [
      'awaited one by one (10,000)',
      () =>
        inTransaction(async () => {
          for (const p of params) await admin.query(insert, p);
        }),
      10_000,
    ],
    [
      'pipelined, 5,000 per Sync (10,000)',
      () =>
        inTransaction(async () => {
          await pipelinedExecute(admin, insert, params.slice(0, 5_000));
          await pipelinedExecute(admin, insert, params.slice(5_000));
        }),
      10_000,
    ],
  );
}
const seconds = new Map<string, number[]>(trials.map(([name]) => [name, []]));
if (process.env.SANITY_ONLY !== 'pipeline') await sluice('copy', 'csv'); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of trials) seconds.get(name)!.push(await run());
}
const base = median(seconds.get(trials[0]![0])!);
console.log(
  `${ROWS} users rows${UNLOGGED ? ' (UNLOGGED table)' : ''}, ${ROUNDS} interleaved rounds, median (${new Date().toISOString()})`,
);
for (const [name, , n] of trials) {
  const s = median(seconds.get(name)!);
  const ratio = n === ROWS ? `  ${(base / s).toFixed(2)} x ${trials[0]![0]}` : '';
  console.log(`${name.padEnd(32)} ${s.toFixed(3).padStart(7)} s  ${rate(n, s).padStart(16)}${ratio}`);
}
await admin.query('DROP TABLE users; DROP TABLE roles');
await admin.end();
