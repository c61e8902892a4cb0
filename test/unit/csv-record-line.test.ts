/** Finding the line a CSV record starts on, from any line inside it. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { csvRecordStartLine } from '../../src/sources/csv-record-line.js';

function csv(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-lines-')), 'f.csv');
  writeFileSync(path, text);
  return path;
}

describe('csvRecordStartLine', () => {
  it('is the line itself when no field spans lines', async () => {
    const path = csv('a,b\n1,2\n3,4\n5,6\n');
    assert.equal(await csvRecordStartLine(path, 1), 1);
    assert.equal(await csvRecordStartLine(path, 3), 3);
    assert.equal(await csvRecordStartLine(path, 4), 4);
  });

  it('gives the first line of a record whose quoted fields span lines, CRLF included', async () => {
    const path = csv('a,b\r\n"x\r\ny\r\nz",1\r\n"say ""hi""",2\r\nlast,3\r\n');
    // PostgreSQL names the last line of a record: any line inside it gives its first.
    assert.equal(await csvRecordStartLine(path, 4), 2);
    assert.equal(await csvRecordStartLine(path, 3), 2);
    assert.equal(await csvRecordStartLine(path, 2), 2);
    assert.equal(await csvRecordStartLine(path, 5), 5);
    assert.equal(await csvRecordStartLine(path, 6), 6);
  });

  it('counts a quoted header that spans lines as one record', async () => {
    const path = csv('"a\nb",c\n1,2\n');
    assert.equal(await csvRecordStartLine(path, 2), 1);
    assert.equal(await csvRecordStartLine(path, 3), 3);
  });

  it('finds a last record with no newline after it', async () => {
    const path = csv('a\n1\n"2\n2"');
    assert.equal(await csvRecordStartLine(path, 4), 3);
  });

  it('is undefined past the end or for a nonsense line', async () => {
    const path = csv('a\n1\n');
    assert.equal(await csvRecordStartLine(path, 9), undefined);
    assert.equal(await csvRecordStartLine(path, 0), undefined);
  });
});
