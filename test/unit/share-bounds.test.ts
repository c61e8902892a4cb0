/**
 * Issue 18, --parallel: the file is cut into shares at record ends found by one scan from its
 * start. Each share opened as a source from its start to its end gives exactly its records, and
 * the shares together give the records of the whole file, with the same lines and ordinals.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { shareBounds, type RecordLayout } from '../../src/parallel/share-bounds.js';
import { lineAtOffset } from '../../src/resume/source-identity.js';
import { openSource } from '../../src/sources/from-input.js';
import type { RowSource } from '../../src/sources/source.js';
import { defaultCsvDialect, type CsvDialect } from '../../src/util/csv-dialect.js';
import { Random } from '../support/random-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-shares-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  records: unknown[];
  lines: number[];
  ordinals: number[];
}

async function all(source: RowSource): Promise<Seen> {
  const seen: Seen = { records: [], lines: [], ordinals: [] };
  for await (const batch of source.batches() as AsyncIterable<Seen>) {
    seen.records.push(...batch.records);
    seen.lines.push(...batch.lines);
    seen.ordinals.push(...batch.ordinals);
  }
  return seen;
}

/** CSV whose quoted fields hold newlines, CRLF and lines that look like whole records. */
function trickyCsv(random: Random, records: number): string {
  const eol = random.chance(0.5) ? '\n' : '\r\n';
  let text = (random.chance(0.3) ? '\uFEFF' : '') + 'id,name,note' + eol;
  for (let id = 1; id <= records; id++) {
    const note = random.pick([
      'plain',
      '"quoted, with a comma"',
      `"two${eol}lines"`,
      `"looks like${eol}${id + 1000},a,record${eol}inside"`,
      '"a ""quote"" inside"',
      '',
    ]);
    text += `${id},n${id},${note}${eol}`;
    if (random.chance(0.03)) text += eol; // a blank line: not a record
  }
  return text;
}

async function checkShares(
  path: string,
  format: 'csv' | 'ndjson',
  layout: RecordLayout,
  n: number,
  csv?: Partial<CsvDialect>,
): Promise<void> {
  const options = { format, csv, sniff: false } as const;
  const whole = await all(await openSource(path, options));
  const size = (await import('node:fs')).statSync(path).size;
  const shares = await shareBounds(path, size, n, layout);
  assert.ok(shares.length >= 1 && shares.length <= n);
  assert.equal(shares[0]!.start.offset, 0);
  assert.equal(shares.at(-1)!.end, size);
  const joined: Seen = { records: [], lines: [], ordinals: [] };
  for (const [i, share] of shares.entries()) {
    if (i > 0) assert.equal(share.start.offset, shares[i - 1]!.end);
    if (share.start.offset > 0)
      assert.equal(share.start.line, await lineAtOffset(path, share.start.offset), 'the line at a boundary');
    const source = await openSource(path, {
      ...options,
      start: share.start.offset > 0 ? share.start : undefined,
      end: share.end < size ? share.end : undefined,
    });
    const seen = await all(source);
    // Each share starts with the record after its boundary's ordinal.
    if (seen.ordinals.length > 0) assert.equal(seen.ordinals[0], share.start.ordinal + 1);
    joined.records.push(...seen.records);
    joined.lines.push(...seen.lines);
    joined.ordinals.push(...seen.ordinals);
  }
  assert.deepEqual(joined, whole, `${path} in ${n} shares`);
}

describe('shareBounds: a file cut into shares at record ends', () => {
  it('CSV with quoted newlines, CRLF, blank lines and a BOM, for N = 2, 3, 4, 7, over many seeds', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = new Random(seed);
      const path = join(dir, `tricky-${seed}.csv`);
      writeFileSync(path, trickyCsv(random, 20 + random.int(300)));
      for (const n of [2, 3, 4, 7])
        await checkShares(path, 'csv', { kind: 'delimited', dialect: defaultCsvDialect('csv') }, n);
    }
  });

  it("follows the file's dialect: a preamble, a semicolon, a single quote", async () => {
    const path = join(dir, 'dialect.csv');
    let text = 'exported by a tool\nat noon\nid;name\n';
    for (let id = 1; id <= 200; id++) text += id % 5 === 0 ? `${id};'x;\n${id + 1};y'\n` : `${id};n${id}\n`;
    writeFileSync(path, text);
    const csv = { delimiter: ';', quote: "'", skipLines: 2 };
    const dialect = { ...defaultCsvDialect('csv'), ...csv };
    for (const n of [2, 3, 5]) await checkShares(path, 'csv', { kind: 'delimited', dialect }, n, csv);
  });

  it('NDJSON: every newline ends a record; blank lines are not records', async () => {
    const path = join(dir, 'lines.ndjson');
    let text = '';
    for (let id = 1; id <= 500; id++) text += `{"id":${id},"s":"a\\nb"}\n` + (id % 37 === 0 ? '  \n' : '');
    writeFileSync(path, text);
    for (const n of [2, 3, 4]) await checkShares(path, 'ndjson', { kind: 'lines' }, n);
  });

  it('a file of fewer records than N gives fewer shares, none empty', async () => {
    const path = join(dir, 'small.csv');
    writeFileSync(path, 'id\n1\n');
    const shares = await shareBounds(path, 5, 4, { kind: 'delimited', dialect: defaultCsvDialect('csv') });
    assert.deepEqual(
      shares.map((s) => [s.start.offset, s.end]),
      [[0, 5]],
    );
  });
});
