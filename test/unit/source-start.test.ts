import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lineAtOffset } from '../../src/resume/source-identity.js';
import { keepRejectsBefore } from '../../src/resume/rejects-resume.js';
import { optionDifferences, resumeOptionsKey } from '../../src/resume/resume-options.js';
import { openSource } from '../../src/sources/from-input.js';
import type { RowSource } from '../../src/sources/source.js';
import { readFileSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'sluice-start-'));

interface Seen {
  records: unknown[];
  lines: number[];
  ordinals: number[];
  ends: number[];
}

async function all(source: RowSource): Promise<Seen> {
  const seen: Seen = { records: [], lines: [], ordinals: [], ends: [] };
  for await (const batch of source.batches() as AsyncIterable<Seen>) {
    seen.records.push(...batch.records);
    seen.lines.push(...batch.lines);
    seen.ordinals.push(...batch.ordinals);
    seen.ends.push(...batch.ends);
  }
  return seen;
}

/** From every record boundary, a source started there gives exactly the records after it. */
async function checkEveryStart(path: string, format: 'csv' | 'tsv' | 'ndjson' | 'json'): Promise<void> {
  const skip = { onBadRecord: () => () => undefined };
  const whole = await all(await openSource(path, { format, ...skip }));
  assert.ok(whole.records.length >= 4);
  for (let k = 0; k < whole.records.length; k++) {
    const offset = whole.ends[k]!;
    const start = { offset, ordinal: whole.ordinals[k]!, line: await lineAtOffset(path, offset) };
    const rest = await all(await openSource(path, { format, start, ...skip }));
    assert.deepEqual(rest.records, whole.records.slice(k + 1), `${format} after record ${k + 1}`);
    assert.deepEqual(rest.lines, whole.lines.slice(k + 1), `${format} lines after record ${k + 1}`);
    assert.deepEqual(rest.ordinals, whole.ordinals.slice(k + 1));
    assert.deepEqual(rest.ends, whole.ends.slice(k + 1));
  }
}

describe('a source started at a byte offset (resume)', () => {
  it('CSV: the header is read from the start, then the records after the offset, with their lines', async () => {
    const path = join(dir, 'a.csv');
    // A BOM, a quoted field spanning lines, non-ASCII text, a blank line, CRLF, and a U+FEFF
    // opening a later record (data there, not a byte-order mark).
    writeFileSync(
      path,
      '\ufeffid,name\n1,"two\nlines"\n2,żółw\n\n3,x\r\n\ufeff4,bom inside\n5,"q""uote"\n6,last',
    );
    await checkEveryStart(path, 'csv');
  });

  it('TSV and NDJSON: the same records from every boundary', async () => {
    const tsv = join(dir, 'a.tsv');
    writeFileSync(tsv, 'id\tname\n1\ta\n2\tb\tc\n3\tč\n4\td\n5\te\n');
    // The bad record (3 fields) is refused by the parser before or after the offset alike.
    await checkEveryStart(tsv, 'tsv');
    const nd = join(dir, 'a.ndjson');
    writeFileSync(nd, '{"a":1}\n\n{"a":"ü"}\n{"a":3}\r\n{"a":4}\n{"a":5}');
    await checkEveryStart(nd, 'ndjson');
  });

  it('JSON arrays are scanned again and the records before the position passed over', async () => {
    const path = join(dir, 'a.json');
    writeFileSync(path, '[{"a":1},\n{"a":2}, {"a":"ß"},\n{"a":4},{"a":5}]');
    await checkEveryStart(path, 'json');
  });

  it('a bad record before the offset is not reported again', async () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'a,b\n1,2\n3\n4,5\n6,7\n');
    const bad: number[] = [];
    const whole = await all(await openSource(path, { onBadRecord: () => (r) => void bad.push(r.line) }));
    assert.deepEqual(bad, [3]);
    bad.length = 0;
    const offset = whole.ends[1]!; // after "4,5", past the bad line 3
    const rest = await all(
      await openSource(path, {
        onBadRecord: () => (r) => void bad.push(r.line),
        start: { offset, ordinal: whole.ordinals[1]!, line: await lineAtOffset(path, offset) },
      }),
    );
    assert.deepEqual(bad, []);
    assert.deepEqual(rest.records, [['6', '7']]);
    assert.deepEqual(rest.lines, [5]);
  });
});

describe('resume bookkeeping', () => {
  it('the rejects file keeps the lines before the checkpoint, once, in their order', async () => {
    const path = join(dir, 'rejects.csv');
    writeFileSync(
      path,
      'line,code,reason,record\n7,BAD_INPUT,expected 2 fields,"a\nb"\n3,LOAD_FAILED,dup,x\n12,BAD_INPUT,r,"q""x"\n9,BAD_INPUT,r,y\n',
    );
    assert.equal(await keepRejectsBefore(path, 9), 2);
    assert.equal(
      readFileSync(path, 'utf8'),
      'line,code,reason,record\n7,BAD_INPUT,expected 2 fields,"a\nb"\n3,LOAD_FAILED,dup,x\n',
    );
    assert.equal(await keepRejectsBefore(join(dir, 'none.csv'), 5), 0);
  });

  it('options that change what is loaded are named when they differ; method and batch size may change', () => {
    const before = resumeOptionsKey({ onError: 'abort', method: 'copy', batchSize: 10 }, 'csv');
    const same = resumeOptionsKey({ method: 'values', commitEvery: 5 }, 'csv');
    assert.deepEqual(optionDifferences(before, same), []);
    const other = resumeOptionsKey({ onError: 'skip', columns: 'a=b' }, 'csv');
    assert.deepEqual(optionDifferences(before, other), [
      '--columns was "", now "a=b"',
      '--on-error was "abort", now "skip"',
    ]);
  });
});
