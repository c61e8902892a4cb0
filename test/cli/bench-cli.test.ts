/**
 * `sluice bench` (issue 17) on the real databases, through the built CLI: the output's shape, the
 * scratch tables gone after a normal run, a failed run and a SIGINT, a user's `--table` left as it
 * was (rows and definition), and a user who may not create tables told so.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { BIN, sluice } from '../support/cli.js';
import { DIALECTS, PG_URL, freshTarget, type TestTarget } from '../support/targets.js';
import type { DialectName } from '../../src/dialects/dialect.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The tables whose names start with sluice_bench_ (the bench's scratch tables). */
async function scratchTables(target: TestTarget): Promise<string[]> {
  const sql: Record<DialectName, string> = {
    postgres:
      "SELECT relname AS name FROM pg_class WHERE relname LIKE 'sluice\\_bench\\_%' AND relkind = 'r'",
    mysql:
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'sluice\\_bench\\_%'",
    sqlite:
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sluice\\_bench\\_%' ESCAPE '\\'",
  };
  const rows = await target.query<{ name: string }>(sql[target.dialect]);
  return rows.map((r) => r.name);
}

/** DDL for a parent and a child table of the user's, in each database's words. */
const USER_TABLES: Record<DialectName, string[]> = {
  postgres: [
    'CREATE TABLE teams (id serial PRIMARY KEY, name text UNIQUE NOT NULL)',
    `CREATE TABLE players (
       id serial PRIMARY KEY,
       nick varchar(30) UNIQUE NOT NULL,
       team_id int NOT NULL REFERENCES teams (id),
       score numeric(8,2) CHECK (score >= 0),
       joined timestamptz NOT NULL,
       active boolean NOT NULL,
       note text)`,
    'CREATE INDEX players_joined ON players (joined)',
  ],
  mysql: [
    'CREATE TABLE teams (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) UNIQUE NOT NULL) ENGINE=InnoDB',
    `CREATE TABLE players (
       id INT AUTO_INCREMENT PRIMARY KEY,
       nick VARCHAR(30) UNIQUE NOT NULL,
       team_id INT NOT NULL,
       score DECIMAL(8,2) CHECK (score >= 0),
       joined DATETIME NOT NULL,
       active TINYINT(1) NOT NULL,
       note TEXT,
       KEY (joined),
       FOREIGN KEY (team_id) REFERENCES teams (id)) ENGINE=InnoDB`,
  ],
  sqlite: [
    'CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)',
    `CREATE TABLE players (
       id INTEGER PRIMARY KEY,
       nick VARCHAR(30) UNIQUE NOT NULL,
       team_id INTEGER NOT NULL REFERENCES teams (id),
       score NUMERIC CHECK (score >= 0),
       joined TIMESTAMP NOT NULL,
       active BOOLEAN NOT NULL,
       note TEXT)`,
    'CREATE INDEX players_joined ON players (joined)',
  ],
};

/**
 * A table with a CHECK on one column, a named one on another and one over two columns, which
 * generated values (1, 2, 3 …, "status-1" …) break; email must stay unique. SQLite's CHECK is
 * one generated values pass: the bench does not read SQLite's CHECKs.
 */
const CHECKED_TABLE: Record<DialectName, string[]> = {
  postgres: [
    `CREATE TABLE members (
       id serial PRIMARY KEY,
       email varchar(60) UNIQUE NOT NULL,
       age int NOT NULL CHECK (age BETWEEN 18 AND 120),
       status text NOT NULL CONSTRAINT status_known CHECK (status IN ('a', 'b')),
       lo int NOT NULL,
       hi int NOT NULL,
       CONSTRAINT lo_below_hi CHECK (lo < hi))`,
  ],
  mysql: [
    `CREATE TABLE members (
       id INT AUTO_INCREMENT PRIMARY KEY,
       email VARCHAR(60) NOT NULL UNIQUE,
       age INT NOT NULL CHECK (age BETWEEN 18 AND 120),
       status VARCHAR(10) NOT NULL,
       lo INT NOT NULL,
       hi INT NOT NULL,
       CONSTRAINT status_known CHECK (status IN ('a', 'b')),
       CONSTRAINT lo_below_hi CHECK (lo < hi)) ENGINE=InnoDB`,
  ],
  sqlite: [
    `CREATE TABLE members (
       id INTEGER PRIMARY KEY,
       email VARCHAR(60) UNIQUE NOT NULL,
       age INTEGER NOT NULL CHECK (age > 0),
       status TEXT NOT NULL,
       lo INTEGER NOT NULL,
       hi INTEGER NOT NULL CONSTRAINT lo_not_above_hi CHECK (lo <= hi))`,
  ],
};

/** The members table's definition as its database prints it (constraints included). */
async function membersDefinition(target: TestTarget): Promise<string> {
  const sql: Record<DialectName, string> = {
    postgres:
      "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'members'::regclass ORDER BY 1",
    mysql: 'SHOW CREATE TABLE members',
    sqlite: "SELECT sql FROM sqlite_master WHERE name = 'members'",
  };
  return JSON.stringify(await target.query(sql[target.dialect]));
}

/** Everything a user could see of their tables: rows, columns, indexes, constraints, counters. */
async function fingerprint(target: TestTarget): Promise<string> {
  const parts: unknown[] = [];
  for (const table of ['teams', 'players'])
    parts.push(await target.query(`SELECT * FROM ${table} ORDER BY id`));
  if (target.dialect === 'postgres') {
    parts.push(
      await target.query(
        "SELECT table_name, column_name, data_type, column_default, is_nullable FROM information_schema.columns WHERE table_name IN ('teams', 'players') ORDER BY 1, 2",
      ),
      await target.query(
        "SELECT indexdef FROM pg_indexes WHERE tablename IN ('teams', 'players') ORDER BY 1",
      ),
      await target.query(
        "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid IN ('teams'::regclass, 'players'::regclass) ORDER BY 1",
      ),
      await target.query('SELECT last_value, is_called FROM players_id_seq'),
      await target.query('SELECT last_value, is_called FROM teams_id_seq'),
    );
  } else if (target.dialect === 'mysql') {
    // SHOW CREATE TABLE includes the AUTO_INCREMENT counter.
    parts.push(
      await target.query('SHOW CREATE TABLE teams'),
      await target.query('SHOW CREATE TABLE players'),
    );
  } else {
    parts.push(await target.query('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name'));
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

interface BenchJson {
  database: { dialect: string; product: string; version: string; url: string };
  rows: number;
  runs: number;
  rungs: {
    method: string;
    unavailable?: string;
    ran?: string;
    rowsRun: number;
    rows: number;
    scaled: boolean;
    seconds: { median: number; min: number; max: number };
    rowsPerSecond: { median: number; min: number; max: number };
    relative?: number;
    peakRssMB: { median: number };
    runs: { seconds: number; peakRssMB: number; rowsInserted: number; rowsUpdated: number }[];
  }[];
  auto?: { method: string; reasons: string[] };
  scratchTables: string[];
  chart: string | null;
}

for (const dialect of DIALECTS) {
  describe(`sluice bench on ${dialect}`, { timeout: 600_000 }, () => {
    let target: TestTarget;
    before(async () => {
      target = await freshTarget(dialect);
    });
    after(() => target.close());

    it('prints the ladder as one JSON object, draws the chart, and leaves no scratch table', async () => {
      const chart = join(dir, `${dialect}.svg`);
      const run = await sluice(
        [
          'bench',
          '--db',
          target.url,
          '--rows',
          '400',
          '--sample',
          '20',
          '--runs',
          '2',
          '--json',
          '--chart',
          chart,
        ],
        { cwd: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as BenchJson;
      assert.equal(result.database.dialect, dialect);
      assert.equal(result.rows, 400);
      assert.equal(result.runs, 2);
      assert.equal(result.chart, chart);
      assert.deepEqual(
        result.rungs.map((r) => r.method),
        ['row', 'values', 'pipeline', 'copy', 'auto'],
      );
      const copy = result.rungs.find((r) => r.method === 'copy')!;
      const ran = result.rungs.filter((r) => r.unavailable === undefined);
      if (dialect === 'sqlite') {
        // SQLite has no copy rung: said in the results, not an error.
        assert.match(copy.unavailable ?? '', /SQLite has no bulk copy path/);
        assert.equal(ran.length, 4);
      } else {
        assert.equal(copy.unavailable, undefined);
        assert.equal(copy.ran, 'copy');
        assert.equal(ran.length, 5);
      }
      for (const rung of ran) {
        assert.equal(rung.runs.length, 2, `${rung.method}: two runs`);
        assert.ok(
          rung.seconds.min <= rung.seconds.median && rung.seconds.median <= rung.seconds.max,
          'rung.seconds.min <= rung.seconds.median && rung.seconds.median <= rung',
        );
        assert.ok(rung.rowsPerSecond.median > 0, 'rung.rowsPerSecond.median > 0');
        assert.ok(rung.peakRssMB.median > 10, `${rung.method}: a child's peak RSS`);
        for (const r of rung.runs) assert.equal(r.rowsInserted, rung.rowsRun);
      }
      const row = result.rungs[0]!;
      assert.equal(row.rowsRun, 20);
      assert.equal(row.scaled, true);
      assert.ok(
        Math.abs(row.seconds.median - (row.runs[0]!.seconds + row.runs[1]!.seconds) * 10) < 1e-6,
        'Math.abs(row.seconds.median - (row.runs[0]!.seconds + row.runs[1]!.sec',
      );
      const slowest = Math.min(...ran.map((r) => r.rowsPerSecond.median));
      for (const rung of ran)
        assert.ok(
          Math.abs(rung.relative! - rung.rowsPerSecond.median / slowest) < 1e-9,
          'Math.abs(rung.relative! - rung.rowsPerSecond.median / slowest) < 1e-9',
        );
      assert.equal(result.auto?.method, dialect === 'sqlite' ? 'values' : 'copy');
      assert.ok(
        result.auto!.reasons.some((r) => r.startsWith('auto: ')),
        'result.auto!.reasons.some((r) => r.startsWith("auto: "))',
      );
      assert.equal(result.scratchTables.length, 2);
      assert.deepEqual(await scratchTables(target), []);
      const svg = readFileSync(chart, 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.ok(svg.includes(result.database.version.replaceAll('&', '&amp;')), 'the server version');
      assert.ok(svg.includes('400 rows'), 'svg.includes("400 rows")');
      assert.ok(svg.includes('sluice 0.1.0'), 'svg.includes("sluice 0.1.0")');
    });

    it('prints the guide table with a bar per method on stdout, and nothing but the table', async () => {
      const run = await sluice(
        ['bench', '--db', target.url, '--rows', '300', '--methods', 'values,copy,auto'],
        { cwd: dir, env: { CI: 'true' } },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '', 'no progress line off a terminal');
      const lines = run.stdout.split('\n');
      assert.match(
        lines[0]!,
        /^sluice bench: (PostgreSQL|MariaDB|MySQL|SQLite) .*, 300 rows into the guide's users table/,
      );
      assert.match(lines[2]!, /^method +rows +seconds +rows\/s +vs slowest +peak RSS MB$/);
      assert.match(lines[3]!, /^values +300 +[\d.]+ +[\d,]+ +[\d.]+x +\d+$/);
      if (dialect === 'sqlite') assert.match(lines[4]!, /^copy +not available: SQLite has no bulk copy path/);
      else assert.match(lines[4]!, /^copy +300 /);
      assert.match(lines[5]!, new RegExp(`^auto → ${dialect === 'sqlite' ? 'values' : 'copy'} +300 `));
      assert.match(run.stdout, /\nauto chose (copy|values):\n {2}- auto: /);
      const bars = lines.slice(lines.indexOf('rows/s (log scale):') + 1).filter((l) => l !== '');
      assert.equal(bars.length, 3);
      assert.match(bars[0]!, /^values +█*[▏▎▍▌▋▊▉]? +[\d,]+ [\d.]+x$/);
      assert.deepEqual(await scratchTables(target), []);
    });

    it('benchmarks the upsert ladder: half the keys exist, every rung updates them and inserts the rest', async () => {
      const run = await sluice(
        ['bench', '--db', target.url, '--rows', '300', '--sample', '20', '--on-conflict', 'update', '--json'],
        { cwd: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as BenchJson & { upsert: { key: string[] } };
      assert.deepEqual(result.upsert.key, ['username']);
      for (const rung of result.rungs.filter((r) => r.unavailable === undefined)) {
        const half = Math.floor(rung.rowsRun / 2);
        assert.deepEqual(
          rung.runs.map((r) => [r.rowsInserted, r.rowsUpdated]),
          [[rung.rowsRun - half, half]],
          `${rung.method}: inserted and updated`,
        );
      }
      assert.ok(
        result.auto!.reasons.some((r) => r.startsWith('upsert: ')),
        'the plan explains the upsert',
      );
      assert.deepEqual(await scratchTables(target), []);
    });

    it("copies a user's --table (structure, foreign keys to the real parent) and leaves it as it was", async () => {
      for (const statement of USER_TABLES[dialect]) await target.query(statement);
      await target.query("INSERT INTO teams (name) VALUES ('red'), ('blue'), ('green')");
      await target.query(
        "INSERT INTO players (nick, team_id, score, joined, active) VALUES ('ann', 2, 1.5, '2024-01-02 03:04:05', 1 = 1)",
      );
      const before = await fingerprint(target);
      const run = await sluice(
        ['bench', '--db', target.url, '--table', 'players', '--rows', '300', '--sample', '20', '--json'],
        { cwd: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as BenchJson & { notes: string[]; schema: { table: string } };
      assert.match(result.schema.table, /players/);
      assert.ok(
        result.notes.some((n) => /left to their defaults: id/.test(n)),
        'result.notes.some((n) => /left to their defaults: id/.test(n))',
      );
      for (const rung of result.rungs.filter((r) => r.unavailable === undefined))
        assert.equal(rung.runs[0]!.rowsInserted, rung.rowsRun);
      assert.equal(await fingerprint(target), before, 'the user tables are unchanged');
      assert.deepEqual(await scratchTables(target), []);
    });

    it('removes its scratch tables after a failed run, and says what failed', async () => {
      // One character holds 36 distinct generated values (base 36): the 37th row repeats one,
      // which the unique key refuses mid-load. (A CHECK would be found before the rungs run.)
      await target.query('CREATE TABLE picky (n VARCHAR(1) NOT NULL UNIQUE)');
      const run = await sluice(
        ['bench', '--db', target.url, '--table', 'picky', '--rows', '50', '--methods', 'values'],
        {
          cwd: dir,
        },
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^sluice: bench: the values rung failed: .*(duplicate|unique)/im);
      assert.match(run.stderr, /the scratch tables were removed; your tables were not touched/);
      assert.deepEqual(await scratchTables(target), []);
      assert.deepEqual(await target.query('SELECT * FROM picky'), []);
    });

    it('--table with CHECK constraints: every rung runs with them, on values that pass them, and the table is unchanged', async () => {
      for (const statement of CHECKED_TABLE[dialect]) await target.query(statement);
      const rows = `('x@a', 30, 'a', 1, 5), ('y@b', 40, 'b', 2, 9), ('z@c', 18, 'a', 3, 4)`;
      if (dialect !== 'sqlite')
        await target.query(`INSERT INTO members (email, age, status, lo, hi) VALUES ${rows}`);
      const before = await target.query('SELECT * FROM members ORDER BY id');
      const definition = await membersDefinition(target);
      const run = await sluice(
        ['bench', '--db', target.url, '--table', 'members', '--rows', '300', '--sample', '20', '--json'],
        { cwd: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as BenchJson & { notes: string[] };
      const ran = result.rungs.filter((r) => r.unavailable === undefined);
      assert.equal(ran.length, dialect === 'sqlite' ? 4 : 5);
      for (const rung of ran) assert.equal(rung.runs[0]!.rowsInserted, rung.rowsRun, rung.method);
      if (dialect === 'sqlite') {
        assert.ok(
          result.notes.some((n) => /CHECK constraints: copied with the table's CREATE statement/.test(n)),
          result.notes.join('\n'),
        );
      } else {
        const checks = result.notes.find((n) => n.startsWith('CHECK constraints, in every scratch copy'));
        assert.ok(checks, result.notes.join('\n'));
        assert.match(checks, /status_known/);
        assert.match(checks, /lo_below_hi/);
        const sampled = result.notes.find((n) => n.startsWith('sampled from'));
        assert.ok(sampled, result.notes.join('\n'));
        // age and status each, lo and hi together (one CHECK reads both); email stays generated.
        assert.deepEqual(
          sampled
            .replace(/^.*CHECKs: /, '')
            .split('; ')
            .sort(),
          ['age', 'lo, hi', 'status'],
        );
      }
      assert.deepEqual(await target.query('SELECT * FROM members ORDER BY id'), before);
      assert.equal(await membersDefinition(target), definition);
      assert.deepEqual(await scratchTables(target), []);
    });

    if (dialect !== 'sqlite') {
      it('--table with a CHECK its generated values break and no rows to sample from: says which, writes nothing', async () => {
        await target.query('DROP TABLE IF EXISTS members');
        for (const statement of CHECKED_TABLE[dialect]) await target.query(statement);
        const run = await sluice(['bench', '--db', target.url, '--table', 'members', '--rows', '100'], {
          cwd: dir,
        });
        assert.equal(run.code, 2, run.stderr);
        assert.match(
          run.stderr,
          /^sluice: bench: sluice bench cannot make rows that pass CHECK constraint "[^"]+" \(.+\) of .*members.* on columns? .*: the generated values of columns? .* break it, and .*members.* has no rows to sample values from$/m,
        );
        assert.match(run.stderr, /^hint: insert a few rows that pass it into /m);
        assert.match(run.stderr, /the scratch tables were removed; your tables were not touched/);
        assert.deepEqual(await target.query('SELECT * FROM members'), []);
        assert.deepEqual(await scratchTables(target), []);
      });
    }

    /** Starts a long bench and resolves once its rung's table exists (the load is under way). */
    async function benchUnderWay(): Promise<{
      signal(times: number): void;
      done: Promise<{ code: number | null; stderr: string }>;
    }> {
      const child = spawn(
        process.execPath,
        [BIN, 'bench', '--db', target.url, '--rows', '2000000', '--methods', 'values,auto'],
        { cwd: dir, env: { ...process.env, CI: 'true' } },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
        // A signal that lands while the process is already ending (its cleanup done, Node tearing
        // down) meets the default action: the process dies by SIGINT, which a shell reports as
        // 130 too ($? is 128 + 2). Either is the exit status a script sees.
        child.on('close', (code, signal) => resolve({ code: signal === 'SIGINT' ? 130 : code, stderr })),
      );
      const deadline = Date.now() + 60_000;
      for (;;) {
        const tables = await scratchTables(target).catch(() => []);
        if (tables.some((t) => t.endsWith('_users'))) break;
        assert.ok(Date.now() < deadline, 'the bench never created its table');
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 500));
      return {
        // Signals of one kind that arrive together merge into one: space them out a little.
        async signal(times) {
          for (let i = 0; i < times; i++) {
            if (i > 0) await new Promise((r) => setTimeout(r, 15));
            child.kill('SIGINT');
          }
        },
        done,
      };
    }

    it('removes its scratch tables on SIGINT mid-run and exits 130', async () => {
      const bench = await benchUnderWay();
      await bench.signal(1);
      const { code, stderr } = await bench.done;
      assert.equal(code, 130, stderr);
      assert.match(stderr, /sluice: SIGINT: stopping the bench and removing its scratch tables/);
      assert.match(stderr, /interrupted by SIGINT\nthe scratch tables were removed/);
      assert.deepEqual(await scratchTables(target), []);
    });

    it('still cleans up after a second Ctrl-C, and a third names exactly what is left', async () => {
      const twice = await benchUnderWay();
      await twice.signal(2);
      const second = await twice.done;
      assert.equal(second.code, 130, second.stderr);
      // When the second signal lands during the cleanup it says what is still being dropped; a
      // quick cleanup (SQLite's) may finish first. Either way, nothing is left (the messages
      // themselves are checked in test/unit/bench-signals.test.ts).
      assert.match(
        second.stderr,
        /sluice: (still removing .*sluice_bench_\w+["`]?; press Ctrl-C once more|nothing is left to remove)|the scratch tables were removed/,
      );
      assert.deepEqual(await scratchTables(target), []);

      const thrice = await benchUnderWay();
      await thrice.signal(3);
      const third = await thrice.done;
      assert.equal(third.code, 130, third.stderr);
      const left = await scratchTables(target);
      const message = /left behind: (.*?)( \(the DROP of (.*) was under way and may still finish\))?\n/.exec(
        third.stderr,
      );
      if (message === null) {
        assert.match(third.stderr, /(no scratch table is left|the scratch tables were removed)/);
        assert.deepEqual(left, [], third.stderr);
      } else {
        const bare = (n: string): string => n.replace(/^["`]|["`]$/g, '');
        const named = message[1]!.split(', ').map(bare);
        const inFlight = message[3] === undefined ? undefined : bare(message[3]);
        // Every table still there is named; a named one that is gone can only be the one whose
        // DROP the message said was under way.
        for (const table of left)
          assert.ok(named.includes(table), `${table} is left but not named: ${third.stderr}`);
        for (const table of named)
          assert.ok(
            left.includes(table) || table === inFlight,
            `${table} is named but gone: ${third.stderr}`,
          );
        for (const table of [...left].sort((a) => (a.endsWith('_users') ? -1 : 1)))
          await target.query(`DROP TABLE IF EXISTS ${table}`);
      }
    });
  });
}

describe('sluice bench progress line', () => {
  it('shows which rung runs on a terminal (stderr), and the table after it', async () => {
    const log = join(dir, 'pty.log');
    const url = `sqlite:${join(dir, 'pty.db')}`;
    const command = [
      process.execPath,
      BIN,
      'bench',
      '--db',
      url,
      '--rows',
      '200',
      '--sample',
      '10',
      '--methods',
      'row,values',
    ]
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', COLUMNS: '120' };
    delete env.CI;
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('script', ['-qfec', command, log], { cwd: dir, env, stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', resolve);
    });
    assert.equal(code, 0);
    const screen = readFileSync(log, 'utf8');
    const row = screen.indexOf('[1/2] row: 10 rows · ');
    const values = screen.indexOf('[2/2] values: 200 rows · ');
    const table = screen.indexOf('sluice bench: SQLite');
    assert.ok(row !== -1 && values > row && table > values, screen);
  });
});

if (DIALECTS.includes('postgres')) {
  describe('sluice bench for a user who may not create tables', () => {
    it('says so plainly, and needs no other privilege', async () => {
      const target = await freshTarget('postgres');
      const role = `sluice_nocreate_${process.pid}`;
      try {
        await target.query(`CREATE ROLE ${role} LOGIN`);
        // PostgreSQL 15 gives PUBLIC no CREATE on schema public; say it outright for older servers.
        await target.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC, ${role}`);
        const url = new URL(target.url);
        url.username = role;
        const run = await sluice(['bench', '--db', url.toString(), '--rows', '10'], { cwd: dir });
        assert.equal(run.code, 1, run.stderr);
        assert.match(
          run.stderr,
          /^sluice: bench: sluice bench cannot create its scratch tables here: permission denied for schema public\nhint: bench needs the right to create a table \(and nothing else\)/,
        );
        assert.match(run.stderr, /the scratch tables were removed/);
      } finally {
        await target.close();
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
        await admin.end();
      }
    });
  });
}
