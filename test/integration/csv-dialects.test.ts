/**
 * Issue 16 (part A): the files people actually get, on every database. Each fixture in
 * test/fixtures/ is loaded with its dialect options twice, through the default plan (the raw bulk
 * path where the database can take the bytes as they are) and parsed (batchSize forces parsed
 * rows, as on any method but copy), and what is stored is compared byte for byte with the values
 * the file means, and so with each other. Which path the default took is asserted too: a dialect
 * the raw path cannot express must be parsed, one it can must stay raw.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DialectName } from '../../src/dialects/dialect.js';
import { SluiceError, type Handle, type LoadOptions } from '../../src/index.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

interface Case {
  readonly name: string;
  readonly file: string;
  readonly options: LoadOptions;
  /** The text columns after `id`, and what each row (in id order) holds. */
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
  /** Whether the default plan copies the bytes raw, per database with a raw path. */
  readonly raw: { readonly postgres: boolean; readonly mysql: boolean };
}

const CASES: readonly Case[] = [
  {
    name: 'semicolon delimiter',
    file: 'semicolon.csv',
    options: { delimiter: ';' },
    columns: ['name', 'note'],
    rows: [
      ['Müller', 'a; b'],
      ["O'Brien", null],
      ['quote " inside', ''],
      ['back\\slash', '\\N'],
    ],
    raw: { postgres: true, mysql: true },
  },
  {
    name: 'one NULL string (NA): an empty field is the empty string, a quoted "NA" is text',
    file: 'na-nulls.csv',
    options: { nullStrings: ['NA'] },
    columns: ['score', 'label'],
    rows: [
      [null, 'NA'],
      ['NULL', 'x'],
      ['', 'NULL'],
      ['7', ''],
      ['na', ''],
    ],
    raw: { postgres: true, mysql: true },
  },
  {
    name: 'several NULL strings (NA, NULL, empty)',
    file: 'na-nulls.csv',
    options: { nullStrings: ['NA', 'NULL', ''] },
    columns: ['score', 'label'],
    rows: [
      [null, 'NA'],
      [null, 'x'],
      [null, 'NULL'],
      ['7', null],
      ['na', ''],
    ],
    raw: { postgres: false, mysql: true },
  },
  {
    name: 'quoted NULL strings (nullQuoted)',
    file: 'na-nulls.csv',
    options: { nullStrings: ['NA'], nullQuoted: true },
    columns: ['score', 'label'],
    rows: [
      [null, null],
      ['NULL', 'x'],
      ['', 'NULL'],
      ['7', ''],
      ['na', ''],
    ],
    raw: { postgres: true, mysql: false },
  },
  {
    name: 'a MySQL dump: backslash escapes, \\N, no quoting, no header',
    file: 'mysql-dump-escapes.tsv',
    options: {
      format: 'tsv',
      header: false,
      columns: ['id', 'a', 'b'],
      escape: '\\',
      quote: '',
      nullStrings: ['\\N'],
    },
    columns: ['a', 'b'],
    rows: [
      ['plain', ''],
      ['a\tb and a\tc', null],
      ['line1\nline2 and line3\nline4', 'back\\slash'],
      ['"quoted" at the start', 'cr\r and ctrl-z\x1a'],
      [null, 'N and \\N'],
    ],
    raw: { postgres: false, mysql: true },
  },
  {
    name: "no header: the table's column order",
    file: 'no-header.tsv',
    options: { header: false },
    columns: ['name', 'day'],
    rows: [
      ['alice', '2024-01-02'],
      ['bob', null],
      ['carol, c.', '2024-03-04'],
    ],
    raw: { postgres: true, mysql: true },
  },
  {
    name: 'no header: names given in file order',
    file: 'no-header.tsv',
    options: { header: false, columns: ['id', 'name', 'day'] },
    columns: ['name', 'day'],
    rows: [
      ['alice', '2024-01-02'],
      ['bob', null],
      ['carol, c.', '2024-03-04'],
    ],
    raw: { postgres: true, mysql: true },
  },
  {
    name: 'preamble lines before the header (skipLines)',
    file: 'skip-lines.csv',
    options: { skipLines: 2 },
    columns: ['name'],
    rows: [['a'], ['b\nc'], ['d']],
    raw: { postgres: true, mysql: true },
  },
  {
    name: 'pipe delimiter and single-quote quoting',
    file: 'pipe-single-quote.csv',
    options: { delimiter: '|', quote: "'" },
    columns: ['name', 'note'],
    rows: [
      ['a|b', "it's"],
      ['"double"', ''],
      ['plain', null],
    ],
    raw: { postgres: true, mysql: true },
  },
];

function q(target: TestTarget, name: string): string {
  return target.dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

async function createTable(target: TestTarget, table: string, columns: readonly string[]): Promise<void> {
  const text = target.dialect === 'mysql' ? 'varchar(200)' : 'text';
  await target.query(`DROP TABLE IF EXISTS ${q(target, table)}`);
  const list = columns.map((c) => `${q(target, c)} ${text}`).join(', ');
  await target.query(`CREATE TABLE ${q(target, table)} (id integer PRIMARY KEY, ${list})`);
}

/** Each stored value's UTF-8 bytes in hex (NULL as null), row by row in id order. */
async function storedRows(
  target: TestTarget,
  table: string,
  columns: readonly string[],
): Promise<(string | null)[][]> {
  const hexText: Record<DialectName, (c: string) => string> = {
    postgres: (c) => `encode(convert_to(${c}::text, 'UTF8'), 'hex')`,
    mysql: (c) => `LOWER(HEX(CAST(${c} AS CHAR)))`,
    sqlite: (c) => `lower(hex(CAST(${c} AS TEXT)))`,
  };
  const list = columns
    .map(
      (c, i) =>
        `CASE WHEN ${q(target, c)} IS NULL THEN NULL ELSE ${hexText[target.dialect](q(target, c))} END AS h${i}`,
    )
    .join(', ');
  const rows = await target.query<Record<string, string | null>>(
    `SELECT ${list} FROM ${q(target, table)} ORDER BY id`,
  );
  return rows.map((r) => columns.map((_, i) => r[`h${i}`] ?? null));
}

function hexRows(rows: readonly (readonly (string | null)[])[]): (string | null)[][] {
  return rows.map((row) => row.map((v) => (v === null ? null : Buffer.from(v, 'utf8').toString('hex'))));
}

for (const dialect of DIALECTS) {
  describe(`CSV dialect options on ${dialect} (issue 16)`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    CASES.forEach((c, n) => {
      it(`${c.name}: the same values raw and parsed, byte for byte`, async () => {
        const file = join(FIXTURES, c.file);
        const expected = hexRows(c.rows);
        const table = `dialect_${n}`;
        await createTable(target, table, c.columns);
        const first = await db.load(table, file, c.options);
        assert.equal(first.rowsLoaded, c.rows.length);
        const raw = dialect === 'sqlite' ? false : c.raw[dialect];
        assert.equal(first.rawCopy, raw, `raw path on ${dialect}`);
        assert.deepEqual(await storedRows(target, table, c.columns), expected, 'default plan');

        const parsedTable = `dialect_${n}_parsed`;
        await createTable(target, parsedTable, c.columns);
        const parsed = await db.load(parsedTable, file, { ...c.options, batchSize: 2 });
        assert.equal(parsed.rawCopy, false);
        assert.deepEqual(await storedRows(target, parsedTable, c.columns), expected, 'parsed');

        const plan = await db.explain(table, file, c.options);
        if (dialect !== 'sqlite' && !raw)
          assert.ok(
            plan.plan.reasons.some((r) => r.startsWith('the CSV is parsed, not copied raw: ')),
            plan.plan.reasons.join('\n'),
          );
      });
    });

    it('names the original line of a bad record after skipped preamble lines', async () => {
      await createTable(target, 'bad_line', ['name']);
      const file = join(FIXTURES, 'skip-lines-bad-line-7.csv');
      for (const options of [{ skipLines: 2 }, { skipLines: 2, batchSize: 2 }] as LoadOptions[]) {
        await assert.rejects(db.load('bad_line', file, options), (error: SluiceError) => {
          assert.equal(error.code, 'BAD_INPUT');
          assert.equal(error.location?.line, 7, error.message);
          return true;
        });
      }
      const report = await db.load('bad_line', file, {
        skipLines: 2,
        onError: 'skip',
        rejects: () => undefined,
      });
      assert.equal(report.rowsLoaded, 3);
      assert.equal(report.rowsRejected, 1);
    });

    it('names the original line of a row the database refuses in a raw copy after preamble lines', async () => {
      await createTable(target, 'bad_id', ['name']);
      const file = join(FIXTURES, 'skip-lines-bad-id-line-7.csv');
      for (const options of [{ skipLines: 2 }, { skipLines: 2, batchSize: 2 }] as LoadOptions[]) {
        // SQLite has no raw path: it parses both times (its INTEGER PRIMARY KEY refuses 'x').
        const plan = await db.explain('bad_id', file, options);
        assert.equal(plan.plan.rawCopy, dialect !== 'sqlite' && options.batchSize === undefined);
        await assert.rejects(db.load('bad_id', file, options), (error: SluiceError) => {
          assert.equal(error.location?.line, 7, error.message);
          return true;
        });
      }
    });

    it('loads the first N records with limit, and refuses a header count that does not fit', async () => {
      await createTable(target, 'limited', ['name', 'note']);
      const file = join(FIXTURES, 'semicolon.csv');
      const report = await db.load('limited', file, { delimiter: ';', limit: 2 });
      assert.equal(report.rowsLoaded, 2);
      assert.equal(report.rawCopy, false);
      assert.deepEqual(await storedRows(target, 'limited', ['name']), hexRows([['Müller'], ["O'Brien"]]));
      await assert.rejects(
        db.load('limited', join(FIXTURES, 'no-header.tsv'), { header: false, columns: ['id', 'name'] }),
        (error: SluiceError) =>
          error.code === 'BAD_USAGE' && /3 fields, but 2 column names/.test(error.message),
      );
    });

    it('creates columns of the types given (types), not the inferred ones', async () => {
      const file = join(FIXTURES, 'no-header.tsv');
      const report = await db.load('typed', file, {
        header: false,
        columns: ['id', 'name', 'day'],
        create: true,
        types: { id: 'text', day: 'text' },
      });
      assert.match(report.ddl ?? '', /\bid\W* (LONG)?TEXT\b/i);
      const ids = await target.query<{ id: unknown }>(`SELECT id FROM ${q(target, 'typed')} ORDER BY name`);
      assert.deepEqual(
        ids.map((r) => r.id),
        ['1', '2', '3'],
      );
    });
  });
}
