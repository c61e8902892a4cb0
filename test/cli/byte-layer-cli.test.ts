/**
 * Issue 16, part B, through the built CLI on SQLite: --encoding, the invalid-UTF-8 hint, compressed
 * files and stdin, the sniff note, and the refusals (unknown encoding, bzip2, --resume of gzip),
 * each with its exit code and exact message.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sluice } from '../support/cli.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'byte-layer');

/** A fresh folder holding copies of the fixtures named. */
function workdir(...fixtures: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bytes-'));
  for (const name of fixtures) copyFileSync(join(FIXTURES, name), join(dir, name));
  return dir;
}

function rows(dir: string, sql: string): unknown[] {
  const db = new Database(join(dir, 'sluice.db'), { readonly: true });
  try {
    return db.prepare(sql).raw().all();
  } finally {
    db.close();
  }
}

describe('sluice load: encodings, compression, sniffing (CLI)', () => {
  it('a windows-1252 file without --encoding: exit 2 at its line, with the likely encoding', async () => {
    const cwd = workdir('latin1-semicolon.csv');
    const r = await sluice(['load', 'latin1-semicolon.csv'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'sluice: latin1-semicolon.csv:2: invalid UTF-8 byte sequence (the input must be UTF-8)\n' +
        'hint: the file is most likely windows-1252: add --encoding windows-1252\n',
    );
  });

  it('--encoding windows-1252 loads it, and the summary says how it was read', async () => {
    const cwd = workdir('latin1-semicolon.csv');
    const r = await sluice(['load', 'latin1-semicolon.csv', '--encoding', 'windows-1252', '--table', 't'], {
      cwd,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^loaded 3 rows into t \(sqlite:sluice\.db\) in [\d.]+ s: \d+ rows\/s, method values\n/,
    );
    assert.ok(
      r.stdout.endsWith(
        'note: decoded from windows-1252\n' +
          "note: the header line has no comma, so delimiter ';' and quote '\"' guessed from the first lines\n",
      ),
      r.stdout,
    );
    assert.deepEqual(rows(cwd, 'SELECT id, name, note FROM t ORDER BY id'), [
      [1, 'Café Müller', '“quoted” — 5 €'],
      [2, 'Œuvre', 'naïve ÿ ‰ š'],
      [3, 'plain', 'ascii only'],
    ]);
  });

  it('an unknown encoding is exit 2 with known names', async () => {
    const cwd = workdir('latin1-semicolon.csv');
    const r = await sluice(['load', 'latin1-semicolon.csv', '--encoding', 'latin-9'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'sluice: unknown encoding "latin-9"\n' +
        'hint: use a WHATWG encoding name, e.g. utf-8, windows-1252, iso-8859-15, utf-16le, utf-16be, shift_jis, gbk, euc-kr, big5, koi8-r\n',
    );
  });

  it('cat x.gz | sluice load - --format csv: known by its magic bytes', async () => {
    const cwd = workdir();
    const input = readFileSync(join(FIXTURES, 'multi-member.csv.gz'));
    const r = await sluice(['load', '-', '--format', 'csv', '--table', 'mm'], { cwd, input });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^loaded 4 rows into mm /);
    assert.ok(
      r.stdout.endsWith(
        'note: gzip-compressed input, decompressed as it is read (progress counts compressed bytes)\n',
      ),
    );
    assert.deepEqual(rows(cwd, 'SELECT id, name FROM mm ORDER BY id'), [
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
      [4, 'four'],
    ]);
  });

  it('users.csv.zst: format and table from the name without .zst', async () => {
    const cwd = workdir('users.csv.zst');
    const r = await sluice(['load', 'users.csv.zst'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^loaded 3 rows into users /);
  });

  it('bzip2 is refused with how to decompress on the way in', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'x.csv.bz2'), Buffer.from('BZh91AY&SY'));
    const r = await sluice(['load', 'x.csv.bz2'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'sluice: x.csv.bz2: bzip2 input is not supported (no streaming decoder for it is built in)\n' +
        'hint: decompress it on the way in: bunzip2 -c FILE | sluice load - --format csv --table NAME\n',
    );
  });

  it('--resume of a gzip file is refused with the reason', async () => {
    const cwd = workdir('multi-member.csv.gz');
    const r = await sluice(['load', 'multi-member.csv.gz', '--commit-every', '2', '--resume'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'sluice: --resume cannot go on in multi-member.csv.gz: it is gzip-compressed, and compressed data cannot be read from a position\n' +
        'hint: load it again from the start (without --resume), or convert it first to an uncompressed UTF-8 file and load that with --commit-every\n',
    );
  });

  it('explain --sniff prints the guess; a file named .gz that is not gzip is refused', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'pipes.txt'), 'a|b\n1|2\n');
    const r = await sluice(['explain', 'pipes.txt', '--format', 'csv', '--sniff', '--table', 'p'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n {4}- delimiter '\|' and quote '"' guessed from the first lines\n/);
    writeFileSync(join(cwd, 'plain.csv.gz'), 'a,b\n1,2\n');
    const bad = await sluice(['load', 'plain.csv.gz'], { cwd });
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      'sluice: plain.csv.gz is named as gzip data but does not start like it\nhint: check the file (e.g. with `file`), or rename it\n',
    );
  });

  it('--help lists --encoding and --sniff', async () => {
    const r = await sluice(['load', '--help'], { cwd: workdir() });
    assert.match(r.stdout, /--encoding NAME +the text encoding/);
    assert.match(r.stdout, /--sniff +guess the CSV delimiter and quote/);
  });
});
