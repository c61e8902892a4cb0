/**
 * Issue 16, part B, on every database and method: files in other encodings and compressed files
 * load with every value stored exactly (read back as UTF-8 bytes), the same whichever way they
 * went (raw bytes to COPY / LOAD DATA, or parsed and encoded); stdin takes compressed bytes by
 * their magic bytes; progress counts compressed bytes; --resume is refused where it cannot seek.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SluiceError, type Handle, type LoadOptions } from '../../src/index.js';
import type { DialectName } from '../../src/dialects/dialect.js';
import type { MethodName } from '../../src/plan/plan.js';
import { hexOf, storedHex } from '../support/stored.js';
import { DIALECTS, useTarget, type TestTarget } from '../support/targets.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'byte-layer');
const fixture = (name: string) => join(FIXTURES, name);

const METHODS: Record<DialectName, MethodName[]> = {
  postgres: ['row', 'values', 'pipeline', 'copy'],
  mysql: ['row', 'values', 'pipeline', 'copy'],
  sqlite: ['row', 'values', 'pipeline'],
};

interface Variant {
  readonly file: string;
  readonly options: LoadOptions;
  /** The text columns (after id) and each row's values, id 1, 2, ... */
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The Encoding Standard's windows-1252 for 0x80-0x9F; 0xA0-0xFF are U+00A0-U+00FF. */
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];
const EVERY_HIGH_BYTE = Array.from({ length: 128 }, (_, i) => [
  `a${String.fromCodePoint(i < 32 ? WINDOWS_1252_C1[i]! : 0x80 + i)}b`,
]);

const VARIANTS: readonly Variant[] = [
  {
    file: 'latin1-semicolon.csv',
    options: { encoding: 'windows-1252' },
    columns: ['name', 'note'],
    rows: [
      ['Café Müller', '“quoted” — 5 €'],
      ['Œuvre', 'naïve ÿ ‰ š'],
      ['plain', 'ascii only'],
    ],
  },
  {
    file: 'cp1252-undefined-bytes.csv',
    options: { encoding: 'windows-1252' },
    columns: ['v'],
    rows: [['a\u0081\u008d\u008f\u0090\u009db']],
  },
  {
    file: 'utf16le-bom.csv',
    options: {},
    columns: ['name'],
    rows: [['Zoë'], ['日本'], ['😀 smile']],
  },
  { file: 'utf16be-bom.csv', options: {}, columns: ['name'], rows: [['Zoë'], ['日本']] },
  {
    file: 'cp1252-every-high-byte.csv',
    options: { encoding: 'windows-1252' },
    columns: ['v'],
    rows: EVERY_HIGH_BYTE,
  },
  {
    file: 'shift-jis.csv',
    options: { encoding: 'shift_jis' },
    columns: ['name'],
    rows: [['日本語'], ['ソース'], ['表示'], ['あ']],
  },
  {
    file: 'multi-member.csv.gz',
    options: {},
    columns: ['name'],
    rows: [['one'], ['two'], ['three'], ['four']],
  },
];

async function createTable(target: TestTarget, table: string, columns: readonly string[]): Promise<void> {
  const q = target.dialect === 'mysql' ? '`' : '"';
  const text = target.dialect === 'mysql' ? 'VARCHAR(200)' : 'TEXT';
  await target.query(`DROP TABLE IF EXISTS ${q}${table}${q}`);
  const defs = columns.map((c) => `${q}${c}${q} ${text}`).join(', ');
  const charset = target.dialect === 'mysql' ? ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' : '';
  await target.query(`CREATE TABLE ${q}${table}${q} (id INTEGER PRIMARY KEY, ${defs})${charset}`);
}

async function assertStored(target: TestTarget, table: string, variant: Variant): Promise<void> {
  for (const [i, column] of variant.columns.entries()) {
    const expected = variant.rows.map((row) => row[i]!);
    assert.deepEqual(await storedHex(target, table, column), hexOf(expected), `${table}.${column}`);
  }
}

for (const dialect of DIALECTS) {
  describe(`byte layer on ${dialect}`, () => {
    let target: TestTarget;
    let db: Handle;
    useTarget(dialect, (opened) => ({ target, db } = opened));

    for (const variant of VARIANTS) {
      it(`${variant.file}: every method stores every value exactly`, async () => {
        const table = `bl_${variant.file.replace(/[^a-z0-9]/gi, '_')}`;
        for (const method of METHODS[dialect]) {
          await createTable(target, table, variant.columns);
          const report = await db.load(table, fixture(variant.file), { ...variant.options, method });
          assert.equal(report.rowsLoaded, variant.rows.length, method);
          await assertStored(target, table, variant);
        }
      });
    }

    if (dialect !== 'sqlite') {
      it('a gzip file goes to the bulk path as decompressed bytes, and the same values parsed', async () => {
        const variant = VARIANTS.find((v) => v.file === 'multi-member.csv.gz')!;
        await createTable(target, 'bl_raw', variant.columns);
        const raw = await db.load('bl_raw', fixture(variant.file), { method: 'copy' });
        assert.equal(raw.rawCopy, true);
        await assertStored(target, 'bl_raw', variant);
        await createTable(target, 'bl_raw', variant.columns);
        const parsed = await db.load('bl_raw', fixture(variant.file), { method: 'copy', batchSize: 2 });
        assert.equal(parsed.rawCopy, false);
        await assertStored(target, 'bl_raw', variant);
      });

      it("windows-1252 goes raw (COPY ENCODING 'WIN1252', LOAD DATA CHARACTER SET latin1) and parsed, the same values", async () => {
        const variant = VARIANTS[0]!;
        const raw = true;
        await createTable(target, 'bl_cp', variant.columns);
        const report = await db.load('bl_cp', fixture(variant.file), {
          encoding: 'windows-1252',
          method: 'copy',
        });
        assert.equal(report.rawCopy, raw);
        await assertStored(target, 'bl_cp', variant);
        assert.ok(report.notes.includes('decoded from windows-1252'), report.notes.join('; '));
        const plan = await db.explain('bl_cp', fixture(variant.file), { encoding: 'windows-1252' });
        assert.equal(plan.plan.rawCopy, raw);
        assert.match(
          plan.statement,
          dialect === 'postgres' ? /ENCODING 'WIN1252'\)$/ : /CHARACTER SET latin1 /,
        );
        assert.ok(
          plan.notes.includes(
            "the header line has no comma, so delimiter ';' and quote '\"' guessed from the first lines",
          ),
          plan.notes.join('; '),
        );
        // The parsed path stores the same values (every method above compares them too).
        await createTable(target, 'bl_cp', variant.columns);
        const parsed = await db.load('bl_cp', fixture(variant.file), {
          encoding: 'windows-1252',
          method: 'copy',
          batchSize: 1,
        });
        assert.equal(parsed.rawCopy, false);
        await assertStored(target, 'bl_cp', variant);
      });

      it("every high byte of windows-1252, raw and parsed: the same values (COPY refuses WIN1252's five undefined bytes, so PostgreSQL loads such a file parsed)", async () => {
        for (const variant of [
          VARIANTS[1]!,
          VARIANTS.find((v) => v.file === 'cp1252-every-high-byte.csv')!,
        ]) {
          await createTable(target, 'bl_c1', variant.columns);
          const report = await db.load('bl_c1', fixture(variant.file), {
            encoding: 'windows-1252',
            method: 'copy',
          });
          // MariaDB's latin1 maps those five bytes as the standard does: its raw path takes them.
          assert.equal(report.rawCopy, dialect !== 'postgres', variant.file);
          await assertStored(target, 'bl_c1', variant);
          await createTable(target, 'bl_c1', variant.columns);
          const parsed = await db.load('bl_c1', fixture(variant.file), {
            encoding: 'windows-1252',
            method: 'copy',
            batchSize: 1000,
          });
          assert.equal(parsed.rawCopy, false);
          await assertStored(target, 'bl_c1', variant);
        }
      });

      it('shift_jis and UTF-16 never go raw (0x5C trail bytes, zero bytes): decoded here', async () => {
        for (const variant of VARIANTS.filter(
          (v) => v.file.startsWith('utf16le') || v.file.startsWith('shift'),
        )) {
          await createTable(target, 'bl_mb', variant.columns);
          const report = await db.load('bl_mb', fixture(variant.file), {
            ...variant.options,
            method: 'copy',
          });
          assert.equal(report.rawCopy, false, variant.file);
          await assertStored(target, 'bl_mb', variant);
        }
      });
    }

    it('a compressed stream is known by its magic bytes (cat x.gz | sluice load -)', async () => {
      for (const file of ['multi-member.csv.gz', 'users.csv.zst']) {
        const columns = file.startsWith('users') ? ['email'] : ['name'];
        const table = 'bl_stream';
        const q = target.dialect === 'mysql' ? '`' : '"';
        await target.query(`DROP TABLE IF EXISTS ${q}${table}${q}`);
        const id = file.startsWith('users') ? `${q}username${q} VARCHAR(50)` : `id INTEGER`;
        await target.query(`CREATE TABLE ${q}${table}${q} (${id}, ${q}${columns[0]}${q} VARCHAR(50))`);
        const report = await db.load(table, createReadStream(fixture(file)), { format: 'csv' });
        assert.equal(report.rowsLoaded, file.startsWith('users') ? 3 : 4, file);
      }
    });

    it('progress counts compressed bytes against the compressed file size', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-gz-'));
      const path = join(dir, 'many.csv.gz');
      let text = 'id,name\n';
      for (let i = 1; i <= 20000; i++) text += `${i},name number ${i}\n`;
      writeFileSync(path, gzipSync(text));
      await createTable(target, 'bl_progress', ['name']);
      const seen: { bytes: number; totalBytes: number | undefined }[] = [];
      const report = await db.load('bl_progress', path, {
        method: 'values',
        onProgress: (p) => seen.push({ bytes: p.bytes, totalBytes: p.totalBytes }),
      });
      assert.equal(report.rowsLoaded, 20000);
      const size = statSync(path).size;
      assert.ok(seen.length > 0);
      for (const p of seen) {
        assert.equal(p.totalBytes, size);
        assert.ok(p.bytes <= size, `${p.bytes} > ${size}`);
      }
      assert.equal(seen[seen.length - 1]!.bytes, size);
    });

    it('--resume is refused for compressed input and for UTF-16, with the reason', async () => {
      for (const [file, why] of [
        ['multi-member.csv.gz', /it is gzip-compressed, and compressed data cannot be read from a position/],
        ['utf16le-bom.csv', /in utf-16le the record ends sluice keeps are positions in the decoded text/],
      ] as const) {
        await assert.rejects(
          db.load('bl_resume', fixture(file), { resume: true, commitEvery: 2, create: true }),
          (error: SluiceError) => {
            assert.equal(error.code, 'BAD_USAGE');
            assert.match(error.detail, why);
            return true;
          },
        );
      }
    });

    it('windows-1252 resumes by seeking: its record ends are file offsets', async () => {
      await createTable(target, 'bl_seek', ['name', 'note']);
      const q = target.dialect === 'mysql' ? '`' : '"';
      // Row 3's id is taken: the load commits rows 1 and 2 (a checkpoint after each) and stops.
      await target.query(`INSERT INTO ${q}bl_seek${q} (id, name, note) VALUES (3, 'x', 'x')`);
      const path = fixture('latin1-semicolon.csv');
      const options: LoadOptions = { encoding: 'windows-1252', commitEvery: 1, retries: 0 };
      await assert.rejects(db.load('bl_seek', path, options));
      await target.query(`DELETE FROM ${q}bl_seek${q} WHERE id = 3`);
      const resumed = await db.load('bl_seek', path, { ...options, resume: true });
      assert.equal(resumed.resumedFrom?.line, 4);
      assert.equal(resumed.resumedFrom?.offset, readFileSync(path).indexOf('\n3;') + 1);
      await assertStored(target, 'bl_seek', VARIANTS[0]!);
    });
  });
}
