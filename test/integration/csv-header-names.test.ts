/**
 * Issue 12 item 6: CSV headers from real exports, with empty names (a line that ends with a comma)
 * and repeated names, on every database: a created table names every column and leaves out the
 * empty unnamed ones; an existing table refuses such a header with the columns listed; nothing is
 * lost silently when a left-out column turns out to have a value after the sample.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError, type Handle } from '../../src/index.js';
import type { DialectName } from '../../src/dialects/dialect.js';
import type { MethodName } from '../../src/plan/plan.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-header-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const METHODS: Record<DialectName, MethodName[]> = {
  postgres: ['row', 'values', 'pipeline', 'copy'],
  mysql: ['row', 'values', 'pipeline', 'copy'],
  sqlite: ['row', 'values', 'pipeline'],
};

/** The table's column names in order, from the database's own catalog. */
async function columnNames(target: TestTarget, table: string): Promise<string[]> {
  switch (target.dialect) {
    case 'postgres':
      return (
        await target.query<{ n: string }>(
          'SELECT column_name AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
          [table],
        )
      ).map((r) => r.n);
    case 'mysql':
      return (
        await target.query<{ n: string }>(
          'SELECT COLUMN_NAME AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
          [table],
        )
      ).map((r) => r.n);
    case 'sqlite':
      return (await target.query<{ name: string }>(`PRAGMA table_info("${table}")`)).map((r) => r.name);
  }
}

/** Hex of each stored value's UTF-8 text (NULL as null), row by row in id order. */
async function hexRows(target: TestTarget, table: string, columns: string[]): Promise<(string | null)[][]> {
  const q = (c: string): string => (target.dialect === 'mysql' ? `\`${c}\`` : `"${c}"`);
  const hex = (c: string): string => `CASE WHEN ${q(c)} IS NULL THEN NULL ELSE ${hexText(c)} END`;
  const hexText = (c: string): string =>
    target.dialect === 'postgres'
      ? `encode(convert_to(${q(c)}::text, 'UTF8'), 'hex')`
      : target.dialect === 'mysql'
        ? `LOWER(HEX(CAST(${q(c)} AS CHAR)))`
        : `lower(hex(CAST(${q(c)} AS TEXT)))`;
  const rows = await target.query<Record<string, string | null>>(
    `SELECT ${columns.map((c, i) => `${hex(c)} AS h${i}`).join(', ')} FROM ${q(table)} ORDER BY ${q(columns[0]!)}`,
  );
  return rows.map((r) => columns.map((_, i) => r[`h${i}`] ?? null));
}

const hexOf = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

async function tableExists(target: TestTarget, table: string): Promise<boolean> {
  return (await columnNames(target, table)).length > 0;
}

for (const dialect of DIALECTS) {
  describe(`CSV header names on ${dialect} (issue 12 item 6)`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    for (const method of METHODS[dialect]) {
      it(`issue 12 item 6: an empty header name becomes column<N>, an empty unnamed column is left out (--method ${method})`, async () => {
        const table = `gov_${method}`;
        const path = file(`${table}.csv`, 'id,,name,\n1,x,Zoë,\n2,,"b,ob",\n3,"",,\n');
        const report = await db.load(table, path, { method, create: true });
        assert.equal(report.rowsLoaded, 3);
        assert.equal(report.rawCopy, false);
        assert.deepEqual(report.notes, [
          'column 2 of the header has no name: named "column1"',
          'column 4 of the header has no name and no value in any record: left out of the table',
        ]);
        assert.deepEqual(await columnNames(target, table), ['id', 'column1', 'name']);
        assert.deepEqual(await hexRows(target, table, ['id', 'column1', 'name']), [
          [hexOf('1'), hexOf('x'), hexOf('Zoë')],
          [hexOf('2'), null, hexOf('b,ob')],
          [hexOf('3'), '', null],
        ]);
      });
    }

    it('issue 12 item 6: explain names the generated and left-out columns, and writes nothing', async () => {
      const plan = await db.explain('gov_explain', file('gov_explain.csv', 'a,,\n1,2,\n'), { create: true });
      assert.deepEqual(plan.columns, ['a', 'column1']);
      assert.deepEqual(plan.notes, [
        'column 2 of the header has no name: named "column1"',
        'column 3 of the header has no name and no value in any record: left out of the table',
      ]);
      assert.equal(await tableExists(target, 'gov_explain'), false);
    });

    it('issue 12 item 6: a value after the sample in a left-out column stops the load at its line; nothing stays', async () => {
      // Sampled: the first 2 records; line 5 has a value where the sample had none.
      const path = file('late.csv', 'id,name,\n1,a,\n2,b,\n3,c,\n4,d,lost?\n5,e,\n');
      for (const method of METHODS[dialect]) {
        await assert.rejects(
          db.load('late', path, { method, create: true, sampleSize: 2 }),
          (e: unknown) =>
            e instanceof SluiceError &&
            e.code === 'BAD_INPUT' &&
            e.message.includes(
              'late.csv:5:3: column 3 has a value, "lost?", but the table was created without it',
            ) &&
            // The record fails when its batch is mapped, before any of the batch is sent: even
            // row, which commits row by row, has nothing committed, and the table it created goes.
            e.rowsCommitted === 0,
          method,
        );
        assert.equal(await tableExists(target, 'late'), false, method);
      }
    });

    it('issue 12 item 6: into an existing table an empty header name is an error that lists the columns', async () => {
      await target.query('CREATE TABLE existing (id integer, name text)');
      await assert.rejects(
        db.load('existing', file('existing.csv', 'id,name,\n1,a,\n')),
        (e: unknown) =>
          e instanceof SluiceError &&
          e.code === 'BAD_INPUT' &&
          e.message === `${join(dir, 'existing.csv')}:1: column 3 of the header has no name` &&
          e.hint!.startsWith('the table has: id, name;'),
      );
      await assert.rejects(
        db.load('existing', file('existing2.csv', 'id,name,id\n1,a,2\n')),
        (e: unknown) =>
          e instanceof SluiceError &&
          e.message ===
            `${join(dir, 'existing2.csv')}:1: columns 1 and 3 of the header are both named "id"` &&
          e.hint!.startsWith('the table has: id, name;'),
      );
      assert.deepEqual(await target.query('SELECT * FROM existing'), []);
    });

    it('issue 12 item 6: repeated header names are created as name_1, name_2 (ignoring case) and keep their values', async () => {
      const report = await db.load('dups', file('dups.csv', 'id,note,NOTE,note\n1,a,b,c\n'), {
        create: true,
      });
      assert.deepEqual(report.notes, [
        'column 3 of the header repeats the name "NOTE": named "NOTE_1"',
        'column 4 of the header repeats the name "note": named "note_2"',
      ]);
      assert.deepEqual(await columnNames(target, 'dups'), ['id', 'note', 'NOTE_1', 'note_2']);
      assert.deepEqual(await hexRows(target, 'dups', ['id', 'note', 'NOTE_1', 'note_2']), [
        [hexOf('1'), hexOf('a'), hexOf('b'), hexOf('c')],
      ]);
    });

    // PostgreSQL cuts a name past 63 bytes with a NOTICE; MariaDB refuses one past 64 characters.
    if (dialect !== 'sqlite')
      it('a header name longer than the database keeps is refused before anything is created; --columns renames it', async () => {
        const long = `${'é'.repeat(58)}_amount`; // 65 characters, 123 bytes
        const path = file('long.csv', `id,${long}\n1,2\n`);
        await assert.rejects(db.load('longnames', path, { create: true }), (e: unknown) => {
          assert.ok(e instanceof SluiceError, String(e));
          assert.match(e.message, dialect === 'postgres' ? /is 123 bytes: PostgreSQL keeps 63/ : /too long/);
          return true;
        });
        assert.equal(await tableExists(target, 'longnames'), false);
        const report = await db.load('longnames', path, { create: true, columns: { [long]: 'amount' } });
        assert.equal(report.rowsLoaded, 1);
        assert.deepEqual(await columnNames(target, 'longnames'), ['id', 'amount']);
      });
  });
}
