/**
 * Issue 18's speed figure: `sluice load --defer-constraints` (keys, indexes and foreign keys dropped
 * after BEGIN and rebuilt before COMMIT) against the database's own client in the same run, 1M rows
 * of the guide's users table into an empty table, and the plain sluice load beside them.
 * PostgreSQL: against `psql \copy`, with every definition (pg_get_constraintdef, pg_get_indexdef)
 * compared before and after each deferred load. SQLite: against `sqlite3 .import`; the guide's
 * table keeps its UNIQUE in the table definition, which SQLite cannot drop, so the same table with
 * the uniqueness as a CREATE UNIQUE INDEX is timed too. MySQL/MariaDB refuses the flag (nothing it
 * could do there stays safe): the bench checks that it does and times nothing.
 * Interleaved runs after a warm-up; ratios are medians of the per-run ratios.
 *
 *   npm run bench:defer -- [--rows 1000000] [--runs 3] [--dbs postgres,sqlite,mysql]
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { baselineFor } from './baselines/baselines.js';
import { csvFile } from './data/generate.js';
import { ensureBuilt, runCommand, sluiceLoadArgv } from './measure.js';
import { checkCount, interleave, ratioTable, tablesPerDatabase, type Mode } from './interleaved.js';
import { DBS, type BenchTarget, type Db } from './targets.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: 'string' }, runs: { type: 'string' }, dbs: { type: 'string' } },
  });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  const dbs = (values.dbs?.split(',') ?? DBS) as Db[];
  ensureBuilt((text) => process.stderr.write(text + '\n'));
  const file = await csvFile(rows);
  await tablesPerDatabase(dbs, rows, runs, (db, target) =>
    db === 'mysql' ? mysqlRefuses(target, file) : timeModes(db, target, file, rows, runs),
  );
}

async function timeModes(
  db: Db,
  target: BenchTarget,
  file: string,
  rows: number,
  runs: number,
): Promise<string> {
  const definitions = db === 'postgres' ? await pgDefinitions(target.url) : undefined;
  const sluice = async (defer: boolean, setup?: () => void): Promise<number> => {
    await target.reset();
    setup?.();
    const before = await definitions?.read();
    const argv = sluiceLoadArgv(file, target.url);
    if (defer) argv.push('--defer-constraints');
    const outcome = await runCommand(argv);
    if (!outcome.ok) throw new Error(outcome.message);
    await checkCount(target, rows);
    if (before !== undefined) {
      const after = await definitions!.read();
      if (after !== before) throw new Error(`definitions differ after the load:\n${before}\n---\n${after}`);
    }
    return outcome.seconds;
  };
  const baseline = baselineFor(target, file, rows);
  const modes: Mode[] = [
    {
      label: baseline.label,
      run: async () => {
        await target.reset();
        const outcome = await baseline.run();
        if (!outcome.ok) throw new Error(outcome.message);
        await checkCount(target, rows);
        return outcome.seconds;
      },
    },
    { label: 'sluice load', run: () => sluice(false) },
    { label: 'sluice load --defer-constraints', run: () => sluice(true) },
  ];
  if (db === 'sqlite') {
    const uniqueIndex = (): void => {
      const sqlite = new Database(target.file!);
      sqlite.exec(`DROP TABLE users;
        CREATE TABLE users (id INTEGER PRIMARY KEY, username VARCHAR(100) NOT NULL, email VARCHAR(255),
          created_at TIMESTAMP, role_id INTEGER REFERENCES roles (id));
        CREATE UNIQUE INDEX users_username_key ON users (username);`);
      sqlite.close();
    };
    modes.push(
      { label: 'sluice load, UNIQUE as CREATE UNIQUE INDEX', run: () => sluice(false, uniqueIndex) },
      {
        label: 'sluice load --defer-constraints, UNIQUE as CREATE UNIQUE INDEX',
        run: () => sluice(true, uniqueIndex),
      },
    );
  }
  const times = await interleave(db, modes, runs);
  await definitions?.close();
  return ratioTable(db, modes, times);
}

/** Every constraint and index definition on users, as the catalog prints them, as one text. */
async function pgDefinitions(url: string): Promise<{ read(): Promise<string>; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async read() {
      const result = await client.query(`
        SELECT conname || ': ' || pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = 'users'::regclass
        UNION ALL
        SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'users'::regclass
        ORDER BY 1`);
      return result.rows.map((r: { d: string }) => r.d).join('\n');
    },
    close: () => client.end(),
  };
}

async function mysqlRefuses(target: BenchTarget, file: string): Promise<string> {
  await target.reset();
  const argv = [...sluiceLoadArgv(file, target.url), '--defer-constraints'];
  const outcome = await runCommand(argv);
  if (outcome.ok) throw new Error('mysql: --defer-constraints was expected to be refused');
  const loaded = await target.count();
  if (loaded !== 0) throw new Error(`mysql: the refused load wrote ${loaded} rows`);
  return `mysql: --defer-constraints refused before anything was written, as designed (${outcome.message.slice(0, 160)}…); nothing timed`;
}

await main();
