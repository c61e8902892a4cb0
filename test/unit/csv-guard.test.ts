/**
 * The raw-CSV guard: which files COPY (FORMAT csv) would read differently from sluice's parser.
 * Every case is also fed one byte at a time, so checks cut by a chunk boundary are covered.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvGuard, RawCsvUnsafe } from '../../src/dialects/postgres/csv-guard.js';

function verdict(text: string, pieces: 'whole' | 'bytes', delimiter = ','): string {
  const guard = new CsvGuard(delimiter.charCodeAt(0));
  const bytes = Buffer.from(text, 'utf8');
  try {
    if (pieces === 'whole') guard.check(bytes);
    else for (let i = 0; i < bytes.length; i++) guard.check(bytes.subarray(i, i + 1));
    guard.end();
    return 'safe';
  } catch (error) {
    assert.ok(error instanceof RawCsvUnsafe);
    return error.message.replace('COPY would read this CSV differently: ', '');
  }
}

const SAFE: [string, string][] = [
  ['plain records', 'a,b\n1,2\n3,4\n'],
  ['no newline at the end', 'a,b\n1,2'],
  ['quoted fields with delimiters, quotes, newlines, CR', 'a,b\n"x,y","say ""hi"""\n"l1\nl2\r\nl3",""\n'],
  ['CRLF throughout', 'a,b\r\n1,2\r\n"q\r\n",3\r\n'],
  ['empty fields', 'a,b,c\n,,\n1,,\n'],
  ['\\. inside a field or quoted', 'a\nx\\.\n"\\."\n\\.x\n'],
  ['\\N and backslashes are data in CSV', 'a,b\n\\N,C:\\dir\\\n'],
  ['unicode and a byte order mark', '\uFEFFa,b\n東京,👍🏽\n'],
  ['a byte order mark before a quoted header (the parser drops the mark)', '\uFEFF"a",b\n1,2\n'],
];

const UNSAFE: [string, string, string][] = [
  [
    '\\. alone on a line ends COPY',
    'a\nx\n\\.\ny\n',
    '\\. alone on a line, which COPY reads as the end of the data',
  ],
  [
    '\\. alone on a CRLF line',
    'a\r\nx\r\n\\.\r\ny\r\n',
    '\\. alone on a line, which COPY reads as the end of the data',
  ],
  ['\\. alone on the last line', 'a\nx\n\\.', '\\. alone on the last line'],
  ['a quote inside an unquoted field', 'a,b\n1,5"x"7\n', 'a quote inside an unquoted field'],
  ['text after a closing quote', 'a,b\n"ab"c,1\n', 'text after a closing quote'],
  ['a blank line', 'a,b\n1,2\n\n3,4\n', 'a blank line'],
  ['a blank CRLF line', 'a,b\r\n1,2\r\n\r\n3,4\r\n', 'a blank line'],
  ['a carriage return alone', 'a,b\n1,x\ry\n', 'a carriage return without a newline'],
  ['LF, then CRLF', 'a,b\n1,2\r\n', 'line ends that change between LF and CRLF'],
  ['CRLF, then LF', 'a,b\r\n1,2\n', 'line ends that change between LF and CRLF'],
  [
    'a quoted field that never closes (COPY skipped the rest with the header line: 0 rows, no error)',
    '"a,b\n1,2\n3,4\n',
    'a quoted field that never closes',
  ],
  ['a quoted field that never closes in a record', 'a,b\n1,"2\n', 'a quoted field that never closes'],
  [
    'a byte order mark alone on the first line (blank to the parser, the header to COPY)',
    '\uFEFF\na,b\n1,2\n',
    'a blank line',
  ],
  [
    'a second byte order mark before a quote (text to the parser)',
    '\uFEFF\uFEFF"a",b\n',
    'a quote inside an unquoted field',
  ],
];

describe('CsvGuard', () => {
  for (const [name, text] of SAFE) {
    it(`passes ${name}`, () => {
      assert.equal(verdict(text, 'whole'), 'safe');
      assert.equal(verdict(text, 'bytes'), 'safe');
    });
  }
  for (const [name, text, reason] of UNSAFE) {
    it(`stops at ${name}`, () => {
      assert.equal(verdict(text, 'whole'), reason);
      assert.equal(verdict(text, 'bytes'), reason);
    });
  }
  it('knows a tab-delimited file', () => {
    assert.equal(verdict('a\tb\n"x\ty"\t1\n', 'whole', '\t'), 'safe');
    assert.equal(verdict('a\tb\nx"\t1\n', 'whole', '\t'), 'a quote inside an unquoted field');
  });
  it('finds a blank line across a chunk boundary on the fast path', () => {
    const guard = new CsvGuard(44);
    guard.check(Buffer.from('a,b\n1,2\n'));
    assert.throws(() => guard.check(Buffer.from('\n3,4\n')), RawCsvUnsafe);
  });
});
