/**
 * Issue 19's speed figure: 1M rows of the guide's users table into the 3-node Galera cluster of
 * scripts/galera.sh (ports 4406-4408), sluice's default load (chunks under the write-set limits,
 * a checkpoint in each chunk's transaction) against the `mariadb` client's one LOAD DATA LOCAL
 * INFILE into one node, in interleaved pairs after a warm-up pair. Each load is checked on the two
 * other nodes (wsrep_sync_wait = 1) to have left exactly the rows of the file, and timed twice: to
 * the COMMIT's acknowledgement (the command's exit), and to the moment every node has applied the
 * rows. The two differ: a COMMIT returns once the write set is certified, before the other nodes
 * have applied it, so one huge transaction leaves most of the cluster's work after the client has
 * exited, while chunks are applied by the other nodes while the next chunk loads.
 *
 *   scripts/galera.sh start && npm run bench:galera -- [--rows 1000000] [--runs 3]
 */
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { csvFile, CSV_COLUMNS } from './data/generate.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { median } from './stats.js';

const PORTS = [4406, 4407, 4408];
const URL = `mysql://root@127.0.0.1:${PORTS[0]}/sluice_bench`;
const USERS =
  'CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255) NOT NULL, created_at DATETIME NOT NULL, role_id INT NOT NULL)';

async function connect(port: number): Promise<mysql.Connection> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  await c.query('SET SESSION wsrep_sync_wait = 1');
  return c;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const file = await csvFile(rows);
  const admin = await connect(PORTS[0]!);
  const [status] = await admin.query(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_provider_version')",
  );
  const [version] = await admin.query('SELECT VERSION() AS v');
  const shape = (status as { Variable_name: string; Value: string }[])
    .map((r) => `${r.Variable_name}=${r.Value}`)
    .join(', ');
  await admin.query('CREATE DATABASE IF NOT EXISTS sluice_bench');
  const checkers = await Promise.all(PORTS.slice(1).map(connect));
  const reset = async () => {
    await admin.query('DROP TABLE IF EXISTS sluice_bench.users, sluice_bench.sluice_checkpoints');
    await admin.query(`CREATE TABLE sluice_bench.${USERS.slice('CREATE TABLE '.length)}`);
  };
  /** Waits for the other nodes to have applied every write set so far, and checks their rows. */
  const check = async (who: string) => {
    await Promise.all(
      checkers.map(async (checker, i) => {
        const [r] = await checker.query('SELECT COUNT(*) AS n FROM sluice_bench.users');
        const n = Number((r as { n: unknown }[])[0]!.n);
        if (n !== rows) throw new Error(`${who}: ${n} rows on node ${i + 2}, expected ${rows}`);
      }),
    );
  };
  /** Seconds to the command's exit, and to every node having the rows. */
  const timed = async (who: string, argv: string[]): Promise<[number, number]> => {
    await reset();
    const started = performance.now();
    const outcome = await runCommand(argv);
    if (!outcome.ok) throw new Error(outcome.message);
    await check(who);
    return [outcome.seconds, (performance.now() - started) / 1000];
  };
  const client = [
    'mariadb',
    '--no-defaults',
    '--local-infile=1',
    '-h127.0.0.1',
    `-P${PORTS[0]}`,
    '-uroot',
    'sluice_bench',
    '-e',
    `LOAD DATA LOCAL INFILE '${file}' INTO TABLE users FIELDS TERMINATED BY ',' IGNORE 1 LINES (${CSV_COLUMNS.join(',')})`,
  ];
  const trials: Record<string, () => Promise<[number, number]>> = {
    'mariadb client, one LOAD DATA LOCAL': () => timed('mariadb', client),
    'sluice load (default: chunks + checkpoints)': () => timed('sluice', sluiceLoadArgv(file, URL)),
    // Two shares of the file on two connections: one share's COMMIT waits for the cluster while
    // the other's LOAD DATA runs (docs/BENCHMARKS.md says why that is the cost to hide).
    'sluice load --parallel 2': () => timed('sluice', [...sluiceLoadArgv(file, URL), '--parallel', '2']),
  };
  const names = Object.keys(trials);
  for (const name of names) await trials[name]!(); // warm-up
  const acked: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const applied: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  // Per sluice trial (every name after the client's), the client's time over its, run by run.
  const ackRatios: number[][] = names.slice(1).map(() => []);
  const appliedRatios: number[][] = names.slice(1).map(() => []);
  for (let i = 0; i < runs; i++) {
    const t: [number, number][] = [];
    for (const name of names) t.push(await trials[name]!());
    names.forEach((n, j) => {
      acked[n]!.push(t[j]![0]);
      applied[n]!.push(t[j]![1]);
    });
    for (let j = 1; j < names.length; j++) {
      ackRatios[j - 1]!.push(t[0]![0] / t[j]![0]);
      appliedRatios[j - 1]!.push(t[0]![1] / t[j]![1]);
    }
    process.stderr.write(
      `run ${i + 1}: ${names.map((n, j) => `${n} ${t[j]![0].toFixed(2)} s (on every node ${t[j]![1].toFixed(2)} s)`).join(', ')}\n`,
    );
  }
  await admin.end();
  await Promise.all(checkers.map((c) => c.end()));
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
  const cell = (xs: number[]) => `${median(xs).toFixed(2)} s (${range(xs)})`;
  const rowsOf = (name: string) =>
    `| ${name} | ${cell(acked[name]!)} | ${cell(applied[name]!)} | ${Math.round(rows / median(applied[name]!))} |`;
  process.stdout.write(
    [
      `${rows} rows into a Galera cluster on loopback (${shape}; ${(version as { v: string }[])[0]!.v}), ${runs} interleaved pairs:`,
      '',
      '| trial | to the COMMIT acknowledged, median (range) | to every node having the rows | rows/s (every node) |',
      '|---|---|---|---|',
      ...names.map(rowsOf),
      '',
      'Against the mariadb client, above 1 is faster (medians of the per-run ratios, ranges):',
      '',
      ...names
        .slice(1)
        .map(
          (name, j) =>
            `- ${name}: to the COMMIT **${median(ackRatios[j]!).toFixed(2)}x** (${range(ackRatios[j]!)}); to every node having the rows **${median(appliedRatios[j]!).toFixed(2)}x** (${range(appliedRatios[j]!)})`,
        ),
      '',
    ].join('\n'),
  );
}

await main();
