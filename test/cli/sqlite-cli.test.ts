/** The built CLI on the embedded default: exit codes, exact output, nothing written on failure. */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sluice } from '../support/cli.js';

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-cli-'));
}

function count(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('sluice load (SQLite, the embedded default)', () => {
  it('with no --db and no DATABASE_URL loads into ./sluice.db, prints the DDL and a summary', async () => {
    const cwd = workdir();
    copyFileSync(new URL('../../examples/people.csv', import.meta.url), join(cwd, 'people.csv'));
    const r = await sluice(['load', 'people.csv'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^loaded 1000 rows into people \(sqlite:sluice\.db\) in \d+\.\d+ s: \d+ rows\/s, method values\n$/,
    );
    assert.equal(
      r.stderr,
      'created table people:\nCREATE TABLE "people" (\n  "id" INTEGER,\n  "name" TEXT,\n  "email" TEXT,\n  "city" TEXT,\n  "born" TEXT,\n  "score" REAL,\n  "joined_at" TEXT\n);\n',
    );
    assert.equal(count(join(cwd, 'sluice.db'), 'people'), 1000);
  });

  it('--json prints one JSON object on stdout and nothing else', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'items.csv'), 'a,b\n1,x\n2,y\n');
    const r = await sluice(['load', 'items.csv', '--json', '--method', 'pipeline'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const report = JSON.parse(lines[0]!);
    assert.deepEqual(
      { ...report, seconds: 0, rowsPerSecond: 0 },
      {
        table: 'items',
        method: 'pipeline',
        rowsRead: 2,
        rowsLoaded: 2,
        rowsInserted: 2,
        rowsUpdated: 0,
        rowsUnchanged: 0,
        rowsRejected: 0,
        seconds: 0,
        rowsPerSecond: 0,
        dialect: 'sqlite',
        batchSize: 10000,
        rowsPerStatement: 1,
        rawCopy: false,
        createdTable: true,
        notes: [],
        checkpoints: 0,
        resumedFrom: null,
        reconnects: 0,
      },
    );
  });

  it('reads stdin with --format and --table into the --db file', async () => {
    const cwd = workdir();
    const input =
      '{"kind":"click","at":"2024-01-01T00:00:00Z","meta":{"x":1}}\n{"kind":"view","at":"2024-01-02T00:00:00Z"}\n';
    const r = await sluice(
      ['load', '-', '--format', 'ndjson', '--table', 'events', '--db', 'sqlite:app.db', '--quiet'],
      {
        cwd,
        input,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    const db = new Database(join(cwd, 'app.db'), { readonly: true });
    assert.deepEqual(db.prepare('SELECT kind, at, meta FROM events ORDER BY rowid').all(), [
      { kind: 'click', at: '2024-01-01T00:00:00Z', meta: '{"x":1}' },
      { kind: 'view', at: '2024-01-02T00:00:00Z', meta: null },
    ]);
    db.close();
  });

  it('uses DATABASE_URL when there is no --db', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 't.csv'), 'a\n1\n');
    const r = await sluice(['load', 't.csv', '--quiet'], { cwd, env: { DATABASE_URL: 'sqlite:other.db' } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(cwd, 'other.db')));
    assert.ok(!existsSync(join(cwd, 'sluice.db')));
  });

  it('exit 2 on bad usage, with a hint', async () => {
    const cwd = workdir();
    const cases: [string[], RegExp][] = [
      [
        ['load'],
        /^sluice: missing the input file \(or - for stdin\)\nhint: usage: sluice load <file\|-> \[options\]\n$/,
      ],
      [['load', 'x.csv', '--bogus'], /^sluice: Unknown option '--bogus'\nhint: see sluice load --help\n$/],
      [['load', '-', '--format', 'csv'], /^sluice: reading stdin needs --table\nhint: add --table NAME\n$/],
      [
        ['load', 'notes.txt'],
        /^sluice: cannot tell the format of notes\.txt from its extension\nhint: add --format csv\|tsv\|ndjson\|json\n$/,
      ],
      [['load', 'missing.csv'], /^sluice: cannot read missing\.csv: ENOENT\n$/],
      [['load', 'x.csv', '--batch-size', '0'], /--batch-size takes a whole number of at least 1, got "0"/],
      [['load', 'x.csv', '--method', 'fast'], /unknown method "fast"/],
      [['frobnicate'], /unknown command "frobnicate"/],
    ];
    writeFileSync(join(cwd, 'notes.txt'), 'a\n');
    writeFileSync(join(cwd, 'x.csv'), 'a\n1\n');
    for (const [args, stderr] of cases) {
      const r = await sluice(args, { cwd });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr);
      assert.equal(r.stdout, '');
    }
  });

  it('exit 2 naming file:line for input that is malformed before anything is written', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'bad.csv'), 'a,b\n1,2\n3,4,5\n');
    const r = await sluice(['load', 'bad.csv'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'sluice: bad.csv:3: expected 2 fields, found 3\n');
    assert.equal(count(join(cwd, 'sluice.db'), 'sqlite_master'), 0);
  });

  it('exit 1 naming file:line and the database message, with nothing committed', async () => {
    const cwd = workdir();
    const db = new Database(join(cwd, 'sluice.db'));
    db.exec('CREATE TABLE users (name TEXT UNIQUE, age INTEGER NOT NULL)');
    db.close();
    writeFileSync(join(cwd, 'users.csv'), 'name,age\nann,30\nbo,\ncy,40\n');
    const r = await sluice(['load', 'users.csv'], { cwd });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'sluice: users.csv:3: NOT NULL constraint failed: users.age (SQLITE_CONSTRAINT_NOTNULL)\nnothing was committed: the table is as it was before the load\n',
    );
    assert.equal(count(join(cwd, 'sluice.db'), 'users'), 0);
  });

  it('explain prints the plan and writes nothing', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'p.csv'), 'a,b\n1,x\n');
    const r = await sluice(['explain', 'p.csv'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^plan for loading p\.csv into p \(sqlite\)\n {2}method: {6}values \(chosen by auto\)\n/,
    );
    assert.match(r.stdout, /creates the table:\n {4}CREATE TABLE "p" \(/);
    assert.match(r.stdout, /INSERT INTO "p" \("a", "b"\) VALUES \(\?, \?\) -- x 500 rows per statement/);
    assert.match(r.stdout, /nothing was written\.\n$/);
    // Not even the database file (issue 11 defect 4).
    assert.equal(existsSync(join(cwd, 'sluice.db')), false);
  });

  it('issue 12 item 6: a header with empty names loads; the summary and explain say what was named and left out', async () => {
    const cwd = workdir();
    // A government export: every line ends with a comma, and one column has no name.
    writeFileSync(join(cwd, 'gov.csv'), 'id,,name,\n1,x,alice,\n2,,bob,\n');
    const notes = [
      'column 2 of the header has no name: named "column1"',
      'column 4 of the header has no name and no value in any record: left out of the table',
    ];
    const plan = await sluice(['explain', 'gov.csv'], { cwd });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /\n {2}columns: {5}id, column1, name\n/);
    assert.match(plan.stdout, new RegExp(`\\n  notes:\\n${notes.map((n) => `    - ${n}\\n`).join('')}`));
    const r = await sluice(['load', 'gov.csv'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^loaded 2 rows into gov .*\\n${notes.map((n) => `note: ${n}\\n`).join('')}$`),
    );
    assert.equal(
      r.stderr,
      'created table gov:\nCREATE TABLE "gov" (\n  "id" INTEGER,\n  "column1" TEXT,\n  "name" TEXT\n);\n',
    );
    const json = await sluice(['load', 'gov.csv', '--table', 'gov2', '--json'], { cwd });
    assert.deepEqual(JSON.parse(json.stdout).notes, notes);
    const db = new Database(join(cwd, 'sluice.db'), { readonly: true });
    assert.deepEqual(db.prepare('SELECT id, column1, name FROM gov ORDER BY id').all(), [
      { id: 1, column1: 'x', name: 'alice' },
      { id: 2, column1: null, name: 'bob' },
    ]);
    db.close();
  });

  it('quotes hostile column and table names instead of running them', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'evil.csv'), '"a""; DROP TABLE x; --",b c\n1,2\n');
    const r = await sluice(['load', 'evil.csv', '--table', 'x"; DROP TABLE y; --', '--quiet'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const db = new Database(join(cwd, 'sluice.db'), { readonly: true });
    const columns = db.prepare(`SELECT name FROM pragma_table_info('x"; DROP TABLE y; --')`).all();
    assert.deepEqual(columns, [{ name: 'a"; DROP TABLE x; --' }, { name: 'b c' }]);
    db.close();
  });

  it('--on-error skip loads the good rows, writes the bad ones to --rejects, and counts both', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'mixed.csv'), 'a,b\n1,x\n2\n3,y\n4,z,extra\n5,w\n');
    const r = await sluice(['load', 'mixed.csv', '--on-error', 'skip', '--rejects', 'bad.csv', '--json'], {
      cwd,
    });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual([report.rowsRead, report.rowsLoaded, report.rowsRejected], [5, 3, 2]);
    assert.equal(
      readFileSync(join(cwd, 'bad.csv'), 'utf8'),
      'line,code,reason,record\n3,BAD_INPUT,"expected 2 fields, found 1",2\n5,BAD_INPUT,"expected 2 fields, found 3","4,z,extra"\n',
    );
    assert.equal(count(join(cwd, 'sluice.db'), 'mixed'), 3);
  });

  it('--on-error skip without --rejects names each skipped line on stderr', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'mixed.csv'), 'a,b\n1,x\n2\n');
    const r = await sluice(['load', 'mixed.csv', '--on-error', 'skip'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^sluice: skipped mixed\.csv:3: expected 2 fields, found 1\n/);
    assert.match(r.stdout, /; 1 of 2 rows rejected\n$/);
  });

  it('--max-errors stops with exit 1 and nothing committed', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'mixed.csv'), 'a,b\n1,x\n2\n3\n4,y\n');
    const r = await sluice(
      ['load', 'mixed.csv', '--on-error', 'skip', '--max-errors', '2', '--rejects', 'r.csv'],
      { cwd },
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'sluice: mixed.csv:4: stopped after 2 rejected rows (--max-errors 2); the last: expected 2 fields, found 1\nhint: the rejected rows are in r.csv\nnothing was committed: the table is as it was before the load\n',
    );
  });

  it('--help opens with a sentence and an example', async () => {
    const r = await sluice(['load', '--help'], { cwd: workdir() });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Load a CSV, TSV, NDJSON or JSON file \(or stdin\) into a table/);
    assert.match(r.stdout, /--method M/);
  });
});
