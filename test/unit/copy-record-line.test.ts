/**
 * Finding the line a CSV record starts on from the line number COPY gave it. The numbers below are
 * what PostgreSQL 15 reports for these files (its CONTEXT line), checked on a real server by
 * test/integration/csv-scanners-databases.test.ts for random files.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { copyRecordStartLine } from '../../src/dialects/postgres/copy-record-line.js';
import { dialectOf } from '../support/csv-scanners.js';

function startOf(text: string, copyLine: number, delimiter = ','): Promise<number | undefined> {
  return copyRecordStartLine(Readable.from([Buffer.from(text)]), dialectOf(delimiter), copyLine);
}

describe('copyRecordStartLine', () => {
  it('is the line itself when no field spans lines', async () => {
    const text = 'a,b\n1,2\n3,4\n5,6\n';
    assert.equal(await startOf(text, 1), 1);
    assert.equal(await startOf(text, 3), 3);
    assert.equal(await startOf(text, 4), 4);
  });

  it('gives the first line of a record whose quoted fields span lines, CRLF included', async () => {
    const text = 'a,b\r\n"x\r\ny\r\nz",1\r\n"say ""hi""",2\r\nlast,3\r\n';
    // COPY names the last line of a record: any line inside it gives its first.
    assert.equal(await startOf(text, 4), 2);
    assert.equal(await startOf(text, 3), 2);
    assert.equal(await startOf(text, 2), 2);
    assert.equal(await startOf(text, 5), 5);
    assert.equal(await startOf(text, 6), 6);
  });

  it('numbers a CRLF file whose quoted fields hold bare LFs (as Excel writes them) as COPY does', async () => {
    // COPY counts CRs inside quotes in a CRLF file: the LF in "x\ny" is not a line to it.
    const text = 'a,b\r\n"x\ny",2\r\n3,4\r\nbad\r\n';
    assert.equal(await startOf(text, 2), 2);
    assert.equal(await startOf(text, 3), 4);
    assert.equal(await startOf(text, 4), 5);
  });

  it('numbers a CRLF file whose quoted fields hold bare CRs as COPY does', async () => {
    const text = 'a,b\r\n"x\ry",2\r\n3,4\r\nbad\r\n';
    assert.equal(await startOf(text, 3), 2);
    assert.equal(await startOf(text, 4), 3);
    assert.equal(await startOf(text, 5), 4);
  });

  it('numbers the lines after a header with a quoted newline as COPY does', async () => {
    // While the header is read the line end style is unknown, and COPY counts CRs inside quotes.
    assert.equal(await startOf('"a\nb",c\n1,2\nbad\n', 1), 1);
    assert.equal(await startOf('"a\nb",c\n1,2\nbad\n', 2), 3);
    assert.equal(await startOf('"a\nb",c\n1,2\nbad\n', 3), 4);
    assert.equal(await startOf('"a\rb",c\n1,2\nbad\n', 4), 3);
  });

  it('reads past a byte order mark before a quoted header', async () => {
    assert.equal(await startOf('\uFEFF"a",b\n1,2\n"x\ny",3\n', 4), 3);
  });

  it('knows a tab-delimited file', async () => {
    assert.equal(await startOf('a\tb\n"x\ty\nz"\t1\n2\t3\n', 4, '\t'), 4);
    assert.equal(await startOf('a\tb\n"x\ty\nz"\t1\n2\t3\n', 4, ','), undefined);
  });

  it('finds a last record with no newline after it', async () => {
    assert.equal(await startOf('a\n1\n"2\n2"', 4), 3);
  });

  it('is undefined past the end or for a nonsense line', async () => {
    assert.equal(await startOf('a\n1\n', 9), undefined);
    assert.equal(await startOf('a\n1\n', 0), undefined);
  });
});
