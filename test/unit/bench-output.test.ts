/**
 * `sluice bench`'s pure parts (issue 17): the rows made to fit a user's table, the guide's table
 * as text, and the SVG chart (rendered to PNG by rsvg-convert when it is installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { BenchResult, RungResult } from '../../src/bench/bench-result.js';
import { benchTable } from '../../src/bench/bench-table.js';
import { benchChart } from '../../src/bench/chart-svg.js';
import { makerForType, recipeFor, recipeRows } from '../../src/bench/table-rows.js';
import type { TableInfo } from '../../src/dialects/dialect.js';

describe('bench rows for a user table', () => {
  it('picks a value maker from the type each database reports', () => {
    const kind = (type: string): string | undefined => makerForType(type, 'c')?.kind;
    assert.equal(kind('integer'), 'integer');
    assert.equal(kind('int(11)'), 'integer');
    assert.equal(kind('bigint unsigned'), 'integer');
    assert.equal(kind('tinyint(1)'), 'boolean');
    assert.equal(kind('boolean'), 'boolean');
    assert.equal(kind('numeric(10,2)'), 'decimal');
    assert.equal(kind('double precision'), 'real');
    assert.equal(kind('date'), 'date');
    assert.equal(kind('timestamp with time zone'), 'timestamp');
    assert.equal(kind('datetime'), 'timestamp');
    assert.equal(kind('time without time zone'), 'time');
    assert.equal(kind('uuid'), 'uuid');
    assert.equal(kind('jsonb'), 'json');
    assert.equal(kind('bytea'), 'bytes');
    assert.equal(kind('character varying(20)'), 'text');
    assert.equal(kind(''), 'text');
    assert.deepEqual(makerForType("enum('new','it''s')", 'c'), { kind: 'enum', values: ['new', "it's"] });
    assert.equal(kind('tsvector'), undefined);
  });

  it('makes distinct values that fit the declared sizes and ranges', () => {
    const table: TableInfo = {
      ref: { name: 't' },
      columns: [
        { name: 'id', type: 'integer', nullable: false, hasDefault: true },
        { name: 'code', type: 'varchar(3)', nullable: false, hasDefault: false },
        { name: 'small', type: 'smallint', nullable: false, hasDefault: false },
        { name: 'price', type: 'numeric(5,2)', nullable: true, hasDefault: false },
        { name: 'team', type: 'int', nullable: false, hasDefault: false },
        { name: 'odd', type: 'tsvector', nullable: true, hasDefault: false },
      ],
      uniqueKeys: [['id'], ['code']],
    };
    const fk = { columns: ['team'], parent: { name: 'teams' }, parentColumns: ['id'] };
    const recipe = recipeFor(table, [fk], [[[7], [9]]]);
    assert.deepEqual(recipe.columns, ['code', 'small', 'price', 'team', 'odd']);
    assert.deepEqual(recipe.notes, [
      'left to their defaults: id',
      'odd: NULL (sluice makes no values of type tsvector)',
    ]);
    const rows = [...recipeRows(recipe, 40_000)];
    const codes = new Set(rows.map((r) => r.code));
    assert.equal(codes.size, 40_000, 'base 36 keeps 40,000 codes distinct in 3 characters');
    for (const row of rows) {
      assert.ok(String(row.code).length <= 3, 'String(row.code).length <= 3');
      assert.ok(
        (row.small as number) >= 1 && (row.small as number) <= 32_767,
        '(row.small as number) >= 1 && (row.small as number) <= 32_767',
      );
      assert.match(String(row.price), /^\d{1,3}\.50$/);
      assert.ok(row.team === 7 || row.team === 9, 'foreign keys come from the parent');
      assert.equal(row.odd, null);
    }
    // An upsert's second load: the same keys, other values where no unique key holds the column.
    const again = [...recipeRows(recipe, 3, 1)];
    assert.deepEqual(
      again.map((r) => r.code),
      rows.slice(0, 3).map((r) => r.code),
    );
    assert.notDeepEqual(
      again.map((r) => r.small),
      rows.slice(0, 3).map((r) => r.small),
    );
  });

  it('refuses a NOT NULL column it cannot fill, and a foreign key into an empty parent', () => {
    const column = (type: string, nullable = false) => ({ name: 'x', type, nullable, hasDefault: false });
    assert.throws(
      () => recipeFor({ ref: { name: 't' }, columns: [column('tsvector')] }, [], []),
      /sluice bench cannot make up values for column "x" of type tsvector \(NOT NULL, no default\)/,
    );
    const fk = { columns: ['x'], parent: { name: 'p' }, parentColumns: ['id'] };
    assert.throws(
      () => recipeFor({ ref: { name: 't' }, columns: [column('int')] }, [fk], [[]]),
      /column "x" must point at a row of p, and p is empty/,
    );
    const nullable = recipeFor({ ref: { name: 't' }, columns: [column('int', true)] }, [fk], [[]]);
    assert.deepEqual([...recipeRows(nullable, 1)], [{ x: null }]);
  });
});

function rung(method: RungResult['method'], rate: number, extra: Partial<RungResult> = {}): RungResult {
  const seconds = 100_000 / rate;
  return {
    method,
    unavailable: undefined,
    ran: method === 'auto' ? 'copy' : method,
    rowsRun: 100_000,
    rows: 100_000,
    scaled: false,
    seconds: { median: seconds, min: seconds * 0.9, max: seconds * 1.1 },
    rowsPerSecond: { median: rate, min: rate / 1.1, max: rate / 0.9 },
    relative: rate / 400,
    peakRssMB: { median: 71.4, min: 70, max: 73 },
    runs: [
      { seconds, peakRssMB: 71.4, rowsInserted: 100_000, rowsUpdated: 0 },
      { seconds, peakRssMB: 71.4, rowsInserted: 100_000, rowsUpdated: 0 },
    ],
    ...extra,
  };
}

const RESULT: BenchResult = {
  sluiceVersion: '0.1.0',
  date: '2026-12-02T05:00:00.000Z',
  database: { dialect: 'postgres', product: 'PostgreSQL', version: '15.20', url: 'postgres://u@h/db' },
  rows: 100_000,
  runs: 3,
  schema: { kind: 'users' },
  upsert: undefined,
  rungs: [
    rung('row', 400, { rowsRun: 1000, scaled: true }),
    rung('values', 52_000),
    rung('pipeline', 31_000),
    rung('copy', 180_000),
    rung('auto', 176_000),
  ],
  auto: { method: 'copy', reasons: ['auto: COPY FROM STDIN is the fastest path this database has'] },
  scratchTables: ['"sluice_bench_ab_roles"', '"sluice_bench_ab_users"'],
  notes: [],
};

describe('bench table', () => {
  it("prints the guide's columns, medians with ranges, the scaled rung, auto's reasons and a bar per method", () => {
    const text = benchTable(RESULT);
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      "sluice bench: PostgreSQL 15.20, 100,000 rows into the guide's users table (unique username, foreign key to roles), median of 3 runs (range in brackets), sluice 0.1.0",
    );
    assert.match(lines[2]!, /^method +rows +seconds +rows\/s +vs slowest +peak RSS MB$/);
    assert.match(lines[3]!, /^row\* +100,000 +≈ 250 \(225–275\) +400 \(364–444\) +1\.0x +71 \(70–73\)$/);
    assert.match(lines[6]!, /^copy +100,000 +0\.56 \(0\.50–0\.61\) +180,000 \(163,636–200,000\) +450x/);
    assert.match(lines[7]!, /^auto → copy +100,000 /);
    assert.ok(
      lines.includes(
        '* row ran on a sample of 1,000 rows (one INSERT and one commit each); its time is scaled to 100,000',
      ),
      'scaled note',
    );
    assert.ok(
      text.includes('auto chose copy:\n  - auto: COPY FROM STDIN is the fastest path this database has\n'),
      'auto',
    );
    const bars = lines.slice(lines.indexOf('rows/s (log scale):') + 1, -1);
    assert.equal(bars.length, 5);
    // Log scale from 100 to just past 180,000 (log10 5.255 + 0.12): 400 is 0.18 of the way.
    const length = (line: string): number => [...line].filter((c) => '█▏▎▍▌▋▊▉'.includes(c)).length;
    assert.equal(length(bars[0]!), 8, bars[0]);
    assert.equal(length(bars[3]!), 39, bars[3]);
  });

  it('says a missing rung is not available instead of failing', () => {
    const sqlite: BenchResult = {
      ...RESULT,
      rungs: [
        rung('values', 50_000),
        rung('copy', 0, { unavailable: 'SQLite has no bulk copy path: pipeline is its top rung' }),
      ],
    };
    const text = benchTable(sqlite);
    assert.match(text, /\ncopy +not available: SQLite has no bulk copy path: pipeline is its top rung\n/);
    assert.match(text, /\ncopy +\(not available\)\n/);
  });
});

describe('bench chart', () => {
  it('is a log-scale bar chart that says what, where, when and with which sluice', () => {
    const svg = benchChart(RESULT);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="860" height="\d+"/);
    assert.ok(
      svg.includes('>Rows per second by insert method</text>'),
      'svg.includes(">Rows per second by insert method</text>")',
    );
    assert.ok(
      svg.includes('>PostgreSQL 15.20 · 100,000 rows · 2026-12-02 · sluice 0.1.0</text>'),
      'subtitle',
    );
    assert.ok(
      svg.includes('into the guide&apos;s users table') || svg.includes("into the guide's users table"),
      'schema',
    );
    assert.ok(svg.includes('median of 3 runs, whiskers: range'), 'runs');
    // One bar per rung that ran, plus the white background.
    assert.equal([...svg.matchAll(/<rect /g)].length, 6);
    for (const decade of ['>100<', '>1k<', '>10k<', '>100k<']) assert.ok(svg.includes(decade), decade);
    assert.ok(!svg.includes('>1M<'), 'no empty decade past the fastest rate');
    assert.ok(svg.includes('>180,000 rows/s</tspan>'), 'rate label');
    assert.ok(svg.includes('>450x</tspan>'), 'relative label');
    assert.ok(
      svg.includes('* row: measured on 1,000 rows (one INSERT and one commit each), scaled to 100,000'),
      'scaled note',
    );
    assert.ok(
      svg.includes('auto chose copy: auto: COPY FROM STDIN is the fastest path this database has'),
      'auto note',
    );
    // Bars grow with log(rate): copy's bar is longer than values', which is longer than row's.
    const widths = [...svg.matchAll(/<rect x="150" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(widths.length, 5);
    assert.ok(widths[0]! < widths[2]! && widths[2]! < widths[1]! && widths[1]! < widths[3]!, String(widths));
  });

  it('renders to a PNG with rsvg-convert', (t) => {
    const probe = spawnSync('rsvg-convert', ['--version'], { encoding: 'utf8' });
    if (probe.error !== undefined) {
      t.skip(
        'rsvg-convert is not installed (apt-get install librsvg2-bin): the SVG is checked above, not rendered',
      );
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'sluice-chart-'));
    try {
      writeFileSync(join(dir, 'chart.svg'), benchChart(RESULT));
      const run = spawnSync('rsvg-convert', ['-o', join(dir, 'chart.png'), join(dir, 'chart.svg')], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const png = readFileSync(join(dir, 'chart.png'));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.equal(png.readUInt32BE(16), 860, 'the PNG is as wide as the SVG');
      assert.equal(run.stderr, '', 'rsvg-convert had nothing to complain about');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
