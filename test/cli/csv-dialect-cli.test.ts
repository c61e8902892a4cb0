/**
 * Issue 16 (part A) on the built CLI: the CSV dialect flags load what they say (SQLite, the
 * embedded default, values read back), bad combinations exit 2 with their exact message, explain
 * says which path a dialect takes on PostgreSQL and MariaDB, and --help lists every flag.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sluice } from '../support/cli.js';
import { DIALECTS, freshTarget } from '../support/targets.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const fixture = (name: string): string => join(FIXTURES, name);

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-dialect-cli-'));
}

function rows(cwd: string, sql: string): unknown[] {
  const db = new Database(join(cwd, 'sluice.db'), { readonly: true });
  try {
    return db.prepare(sql).raw().all();
  } finally {
    db.close();
  }
}

describe('sluice load: CSV dialect flags (issue 16)', () => {
  it('--no-header --columns --escape --quote "" --null: a MySQL dump TSV, every escape decoded', async () => {
    const cwd = workdir();
    const r = await sluice(
      [
        'load',
        fixture('mysql-dump-escapes.tsv'),
        '--table',
        'dump',
        '--no-header',
        '--columns',
        'id,a,b',
      ].concat(['--escape', '\\', '--quote', '', '--null', '\\N', '--quiet']),
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(rows(cwd, 'SELECT id, a, b FROM dump ORDER BY id'), [
      [1, 'plain', ''],
      [2, 'a\tb and a\tc', null],
      [3, 'line1\nline2 and line3\nline4', 'back\\slash'],
      [4, '"quoted" at the start', 'cr\r and ctrl-z\x1a'],
      [5, null, 'N and \\N'],
    ]);
  });

  it('--delimiter takes \\t and tab for a tab, --skip-lines, --limit and --type', async () => {
    const cwd = workdir();
    for (const [table, tab] of [
      ['a', '\\t'],
      ['b', 'tab'],
    ] as const) {
      const args = [
        'load',
        fixture('no-header.tsv'),
        '--format',
        'csv',
        '--delimiter',
        tab,
        '--table',
        table,
      ];
      const r = await sluice(
        [...args, '--no-header', '--columns', 'id,name,day', '--type', 'id=text', '--quiet'],
        {
          cwd,
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(rows(cwd, `SELECT typeof(id), name FROM ${table} ORDER BY name`), [
        ['text', 'alice'],
        ['text', 'bob'],
        ['text', 'carol, c.'],
      ]);
    }
    const r = await sluice(
      ['load', fixture('skip-lines.csv'), '--skip-lines', '2', '--limit', '2', '--json'],
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).rowsLoaded, 2);
    assert.deepEqual(rows(cwd, 'SELECT id, name FROM "skip-lines" ORDER BY id'), [
      [1, 'a'],
      [2, 'b\nc'],
    ]);
  });

  it('a bad record after --skip-lines is named by its line in the file', async () => {
    const cwd = workdir();
    const file = fixture('skip-lines-bad-line-7.csv');
    const r = await sluice(['load', file, '--skip-lines', '2', '--table', 't'], { cwd });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(`^sluice: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7: expected 2 fields, found 3\n`),
    );
  });

  const refused: [string, string[], string][] = [
    [
      'the quote equal to the delimiter',
      ['--delimiter', ';', '--quote', ';'],
      'sluice: the quote and the delimiter are both ";"\nhint: choose two different characters\n',
    ],
    [
      'a delimiter of two characters',
      ['--delimiter', ';;'],
      'sluice: the delimiter must be one character, got ";;"\nhint: use a single character such as ";" or "|", or \\t for a tab\n',
    ],
    [
      'the escape equal to the delimiter',
      ['--delimiter', '|', '--escape', '|'],
      'sluice: the escape character and the delimiter are both "|"\nhint: choose two different characters\n',
    ],
    [
      'a NULL string holding the delimiter',
      ['--null', 'a\tb'],
      'sluice: the NULL string "a\\tb" holds "\\t" (tab), so no unquoted field can be written as it\n',
    ],
    [
      '--null-quoted without quoting',
      ['--quote', '', '--null-quoted'],
      'sluice: quoted NULL strings (--null-quoted) need a quote character\nhint: drop --null-quoted or give --quote\n',
    ],
    [
      'renames with --no-header',
      ['--no-header', '--columns', 'id=x'],
      'sluice: with --no-header, --columns names the fields in file order: a,b,c\nhint: renames (src=dst) need a header line to rename from\n',
    ],
    [
      'names without --no-header',
      ['--columns', 'id,name'],
      'sluice: --columns expects src=dst pairs separated by commas, got "id"\nhint: names without = (a,b,c) are for a file with no header line: add --no-header\n',
    ],
    [
      'a --columns count that does not match the fields',
      ['--no-header', '--columns', 'id,name'],
      `sluice: ${fixture('no-header.tsv')}:1: the first record has 3 fields, but 2 column names were given (id, name)\nhint: give one name per field, in file order, with --columns a,b,c\n`,
    ],
    [
      'an unknown --type',
      ['--type', 'id=integr'],
      'sluice: unknown type "integr" for column "id"\nhint: use one of integer, real, decimal, boolean, date, timestamp, timestamptz, json, text, bytes\n',
    ],
    ['--limit 0', ['--limit', '0'], 'sluice: --limit takes a whole number of at least 1, got "0"\n'],
    [
      '--skip-lines x',
      ['--skip-lines', 'x'],
      'sluice: --skip-lines takes a whole number of at least 0, got "x"\n',
    ],
  ];
  for (const [what, flags, stderr] of refused) {
    it(`refuses ${what}: exit 2, nothing written`, async () => {
      const cwd = workdir();
      const r = await sluice(['load', fixture('no-header.tsv'), ...flags], { cwd });
      assert.equal(r.stderr, stderr);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
    });
  }

  it('refuses CSV flags on NDJSON', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'x.ndjson'), '{"a":1}\n');
    const r = await sluice(['load', 'x.ndjson', '--delimiter', ';', '--no-header'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'sluice: --delimiter, --no-header apply only to CSV and TSV, not NDJSON\nhint: drop them, or give --format csv|tsv\n',
    );
  });

  it('--help lists every dialect flag', async () => {
    const r = await sluice(['load', '--help'], { cwd: workdir() });
    for (const flag of [
      '--delimiter C',
      '--quote C',
      '--escape C',
      '--no-header',
      '--skip-lines N',
      '--null S',
    ])
      assert.ok(r.stdout.includes(flag), flag);
    for (const flag of ['--null-quoted', '--type C=T', '--limit N']) assert.ok(r.stdout.includes(flag), flag);
  });
});

for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
  describe(`sluice explain on ${dialect}: which path a dialect takes, and why`, () => {
    it('a semicolon file stays raw; what the raw path cannot express is parsed, and explain says why', async () => {
      const target = await freshTarget(dialect);
      try {
        const cwd = workdir();
        const create = target.dialect === 'mysql' ? 'varchar(50)' : 'text';
        await target.query(`CREATE TABLE semicolon (id integer, name ${create}, note ${create})`);
        const base = ['explain', fixture('semicolon.csv'), '--db', target.url, '--delimiter', ';'];
        const raw = await sluice(base, { cwd });
        assert.equal(raw.code, 0, raw.stderr);
        assert.match(raw.stdout, /the CSV needs no transformation/);
        const nulls = await sluice([...base, '--null', 'NA', '--null', 'NULL'], { cwd });
        assert.equal(nulls.code, 0, nulls.stderr);
        if (dialect === 'postgres')
          assert.match(
            nulls.stdout,
            /the CSV is parsed, not copied raw: COPY takes one NULL string, and 2 were given/,
          );
        else assert.match(nulls.stdout, /the CSV needs no transformation/);
        const escaped = await sluice([...base, '--escape', '\\'], { cwd });
        assert.equal(escaped.code, 0, escaped.stderr);
        if (dialect === 'postgres')
          assert.match(escaped.stdout, /the CSV is parsed, not copied raw: --escape/);
        else assert.match(escaped.stdout, /the CSV needs no transformation/);
      } finally {
        await target.close();
      }
    });
  });
}
