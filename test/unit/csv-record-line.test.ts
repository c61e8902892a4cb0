/** Finding the line a CSV record starts on, from a database's record number or line number. */
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
  it('is the record number plus the header, or the line itself, when no field spans lines', async () => {
    const path = csv('a,b\n1,2\n3,4\n5,6\n');
    assert.equal(await csvRecordStartLine(path, { record: 1 }), 2);
    assert.equal(await csvRecordStartLine(path, { record: 3 }), 4);
    assert.equal(await csvRecordStartLine(path, { line: 3 }), 3);
  });

  it('skips the newlines inside quoted fields, CRLF included', async () => {
    const path = csv('a,b\r\n"x\r\ny\r\nz",1\r\n"say ""hi""",2\r\nlast,3\r\n');
    assert.equal(await csvRecordStartLine(path, { record: 1 }), 2);
    assert.equal(await csvRecordStartLine(path, { record: 2 }), 5);
    assert.equal(await csvRecordStartLine(path, { record: 3 }), 6);
    // Any line inside a record (PostgreSQL names its last) gives the line it starts on.
    assert.equal(await csvRecordStartLine(path, { line: 4 }), 2);
    assert.equal(await csvRecordStartLine(path, { line: 3 }), 2);
    assert.equal(await csvRecordStartLine(path, { line: 6 }), 6);
  });

  it('counts a quoted header that spans lines as one record', async () => {
    const path = csv('"a\nb",c\n1,2\n');
    assert.equal(await csvRecordStartLine(path, { record: 1 }), 3);
    assert.equal(await csvRecordStartLine(path, { line: 2 }), 1);
  });

  it('finds a last record with no newline after it', async () => {
    const path = csv('a\n1\n"2\n2"');
    assert.equal(await csvRecordStartLine(path, { record: 2 }), 3);
    assert.equal(await csvRecordStartLine(path, { line: 4 }), 3);
  });

  it('is undefined past the end or for a nonsense number', async () => {
    const path = csv('a\n1\n');
    assert.equal(await csvRecordStartLine(path, { record: 5 }), undefined);
    assert.equal(await csvRecordStartLine(path, { line: 9 }), undefined);
    assert.equal(await csvRecordStartLine(path, { record: 0 }), undefined);
  });
});
