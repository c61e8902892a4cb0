import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CSV_HEADER,
  ROLES,
  csvLine,
  formatTimestamp,
  mulberry32,
  users,
  writeCsv,
} from '../../bench/data/generate.js';

const text = (count: number, seed?: number): string =>
  [...users(count, seed)].map((row) => csvLine(row)).join('');

describe('bench data generator', () => {
  it('gives the same rows for the same seed, other rows for another seed', () => {
    assert.equal(text(500), text(500));
    assert.notEqual(text(500, 1), text(500, 2));
  });

  it('is prefix-stable: the first n rows of a longer run are the rows of a shorter one', () => {
    assert.deepEqual([...users(100)], [...users(1000)].slice(0, 100));
  });

  it('pins its output: a changed generator must bump GENERATOR_VERSION (cached files)', () => {
    const digest = createHash('sha256').update(text(1000)).digest('hex');
    assert.equal(digest, 'ff06f645f95775944f1b7477d98ae01f61832727bd216bfcfe346dd6ad07df31');
  });

  it('makes unique usernames, valid role ids and timestamps in 2015-2024', () => {
    const names = new Set<string>();
    for (const row of users(50_000)) {
      names.add(row.username);
      assert.ok(row.role_id >= 1 && row.role_id <= ROLES.length);
      assert.ok(row.created_at.getUTCFullYear() >= 2015 && row.created_at.getUTCFullYear() <= 2024);
      assert.match(row.email, /^[a-z]+\.[a-z]+@[a-z.]+$/);
    }
    assert.equal(names.size, 50_000);
  });

  it('writes a CSV of about 55 bytes a row that needs no quoting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-gen-'));
    try {
      const path = join(dir, 'users.csv');
      await writeCsv(path, 2000);
      const csv = readFileSync(path, 'utf8');
      const lines = csv.split('\n');
      assert.equal(lines[0], CSV_HEADER);
      assert.equal(lines.length, 2002); // header, 2000 rows, '' after the last newline
      assert.equal(csv, CSV_HEADER + '\n' + text(2000));
      assert.ok(!/["\r]/.test(csv));
      const perRow = (csv.length - CSV_HEADER.length) / 2000;
      assert.ok(perRow > 45 && perRow < 65, `${perRow} bytes a row`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('formats timestamps as YYYY-MM-DD HH:MM:SS in UTC', () => {
    assert.equal(formatTimestamp(new Date(Date.UTC(2019, 6, 4, 3, 2, 1))), '2019-07-04 03:02:01');
  });

  it('draws numbers in [0, 1) from a seeded mulberry32', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
    }
  });
});
