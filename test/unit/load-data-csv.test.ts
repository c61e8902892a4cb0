import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvBytesError, LoadDataCsvRewriter } from '../../src/dialects/mysql/load-data-csv.js';
import { CsvParser, MAX_RECORD_CHARS } from '../../src/sources/csv-parser.js';
import type { BadRecord, RecordBatch, TextField } from '../../src/sources/source.js';
import { decodeLoadData } from '../support/load-data-decode.js';

interface Parsed {
  records: TextField[][];
  lines: number[];
  bad: { line: number; reason: string }[];
}

/** What sluice's own CSV parser finds in `text` (bad records skipped and listed). */
function parse(text: string, delimiter: string): Parsed {
  const bad: Parsed['bad'] = [];
  const parser = new CsvParser(
    delimiter,
    (b: BadRecord) => void bad.push({ line: b.line, reason: b.reason }),
  );
  const out: RecordBatch<TextField[]> = { records: [], lines: [], ordinals: [], ends: [] };
  // The source's UTF-8 decoder drops a leading BOM before the parser sees the text.
  parser.push(text.replace(/^\uFEFF/, ''), out);
  parser.end(out);
  return { records: out.records, lines: out.lines, bad };
}

/** What LOAD DATA reads from the rewritten bytes, the input cut into chunks at `cuts`. */
function rewrite(bytes: Buffer, delimiter: string, cuts: readonly number[] = []): Parsed {
  const bad: Parsed['bad'] = [];
  const rewriter = new LoadDataCsvRewriter(
    delimiter,
    (b) => void bad.push({ line: b.line, reason: b.reason }),
  );
  const outputs: Buffer[] = [];
  const lines: number[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    const part = rewriter.push(bytes.subarray(from, cut));
    outputs.push(part.bytes);
    lines.push(...part.lines);
    from = cut;
  }
  const last = rewriter.end();
  outputs.push(last.bytes);
  lines.push(...last.lines);
  return { records: decodeLoadData(Buffer.concat(outputs), delimiter), lines, bad };
}

function same(text: string, delimiter = ',', cuts: readonly number[] = []): void {
  const expected = parse(text, delimiter);
  const actual = rewrite(Buffer.from(text), delimiter, cuts);
  assert.deepEqual(actual, expected, `input ${JSON.stringify(text)} cut at ${cuts.join(',')}`);
}

describe('LoadDataCsvRewriter reads as the CSV parser does', () => {
  const cases: [string, string][] = [
    ['plain', 'a,b\n1,2\n3,4\n'],
    ['no final newline', 'a,b\n1,2\n3,4'],
    ['empty field is NULL, "" is empty text', 'a,b,c\n,"",x\n"",,\n'],
    ['NULL and \\N are text', 'a,b\nNULL,\\N\n"NULL","\\N"\n'],
    ['backslashes', 'a,b\nc:\\dir\\,"x\\\\y"\n\\,\\\\\n'],
    ['quoted delimiter, quote, newline', 'a,b\n"x,y","say ""hi"""\n"line1\nline2",z\n'],
    ['CRLF', 'a,b\r\n1,2\r\n"q",\r\n,"r"\r\n'],
    ['CR inside fields', 'a,b\nx\ry,"p\rq"\n"a\r\nb",c\r\n'],
    ['blank lines', '\n\na,b\n\n1,2\r\n\r\n3,4\n\n'],
    ['quote inside an unquoted field', 'a,b\nab"c,d"e\n'],
    ['BOM', '\uFEFFa,b\n1,2\n'],
    ['BOM before a quoted header', '\uFEFF"a",b\n1,2\n'],
    ['quoted header with newline', '"a\nb",c\n1,2\n'],
    ['unicode', 'a,b\n😀,"é,ü"\n中文,\u{1F389}\n'],
    ['tabs in CSV', 'a,b\n\tx,"y\tz"\n'],
    ['wrong field count', 'a,b\n1,2,3\n4\n5,6\n'],
    ['text after closing quote', 'a,b\n"x"y,1\n2,3\n'],
    ['unterminated quote', 'a,b\n1,2\n"open,3\n'],
    ['an unterminated quote refuses only the line it opens on, as the parser does', 'a,b\n"open,3\n4,5\n6\n'],
    ['NUL byte', 'a,b\n1,x\0y\n2,3\n'],
    ['only a header', 'a,b\n'],
    ['empty', ''],
    ['one column with empty values', 'a\nx\n\n""\ny\n'],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      same(text);
      const bytes = Buffer.from(text);
      for (let cut = 1; cut < bytes.length; cut++) same(text, ',', [cut]);
    });
  }

  it('TSV: a tab is the delimiter and quoted tabs are escaped', () => {
    same('a\tb\n"x\ty"\t\n,\t"q""r"\n', '\t');
  });

  it('agrees on random files cut into random chunks', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = ['a', 'NULL', '\\', '\\N', '"', ',', '\n', '\r', '\r\n', ' ', 'é', '😀', '\t', ''];
    for (let trial = 0; trial < 400; trial++) {
      const width = 1 + random(3);
      const rows: string[] = [Array.from({ length: width }, (_, i) => `c${i}`).join(',')];
      for (let r = random(6); r >= 0; r--) {
        const fields: string[] = [];
        for (let f = 0; f < width; f++) {
          let value = '';
          for (let k = random(4); k > 0; k--) value += pieces[random(pieces.length)];
          const quote = random(3) === 0 || /[",\n\r]/.test(value);
          fields.push(quote ? `"${value.replaceAll('"', '""')}"` : value);
        }
        if (random(10) === 0) fields.push('extra');
        rows.push(fields.join(','));
      }
      const text = rows.join(random(2) === 0 ? '\n' : '\r\n') + (random(2) === 0 ? '\n' : '');
      const bytes = Buffer.from(text);
      const cuts = [random(bytes.length + 1), random(bytes.length + 1)].sort((a, b) => a - b);
      same(text, ',', cuts);
    }
  });

  it('refuses invalid UTF-8 at the line it is on', () => {
    const rewriter = new LoadDataCsvRewriter(',', () => undefined);
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n"x\ny",'), Buffer.from([0xff]), Buffer.from('\n')]);
    assert.throws(
      () => {
        rewriter.push(bytes);
        rewriter.end();
      },
      (error: unknown) => error instanceof CsvBytesError && error.line === 4,
    );
  });

  it('reports the header and the bad records before invalid UTF-8 first, as the parser does', () => {
    const bad: number[] = [];
    const rewriter = new LoadDataCsvRewriter(',', (b) => void bad.push(b.line));
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2,3\n4,'), Buffer.from([0xff]), Buffer.from('\n')]);
    assert.throws(
      () => rewriter.push(bytes),
      (error: unknown) => error instanceof CsvBytesError && error.line === 3,
    );
    assert.deepEqual(bad, [2]);
    assert.equal(rewriter.columns, 2);
  });

  it('refuses a record longer than the parser takes, as the parser does (it buffered without bound)', () => {
    for (const [head, fill] of [
      ['a,b\n"x\ny",', 'x'],
      ['a,b\n"x\ny"z', 'x'],
      ['a,b\n"open\n', 'x'],
      ['a,b\n1,', 'x'],
      ['a,b\n"é\n",', 'é'], // 2 bytes a character: refused by characters, as the parser counts
    ] as const) {
      const filler = fill.repeat(1 << 20);
      const pieces = [head, ...Array.from({ length: (MAX_RECORD_CHARS >> 20) + 1 }, () => filler), '\n1,2\n'];
      const parsed: Parsed['bad'] = [];
      const parser = new CsvParser(',', (b) => void parsed.push({ line: b.line, reason: b.reason }));
      const records: RecordBatch<TextField[]> = { records: [], lines: [], ordinals: [], ends: [] };
      for (const piece of pieces) parser.push(piece, records);
      parser.end(records);
      const rewritten: Parsed['bad'] = [];
      const rewriter = new LoadDataCsvRewriter(
        ',',
        (b) => void rewritten.push({ line: b.line, reason: b.reason }),
      );
      const out: Buffer[] = [];
      for (const piece of pieces) out.push(rewriter.push(Buffer.from(piece)).bytes);
      out.push(rewriter.end().bytes);
      assert.deepEqual(rewritten, parsed, head);
      assert.ok(parsed.length > 0, head);
      assert.deepEqual(decodeLoadData(Buffer.concat(out), ','), records.records, head);
    }
  });

  it('copies clean records through byte for byte', () => {
    const rewriter = new LoadDataCsvRewriter(',', () => undefined);
    const body =
      'user1,user1@example.com,2024-01-01 00:01:01,2\nuser2,u2@example.com,2024-01-01 00:02:02,3\n';
    const out = rewriter.push(Buffer.from('username,email,created_at,role_id\n' + body));
    const rest = rewriter.end();
    assert.equal(Buffer.concat([out.bytes, rest.bytes]).toString(), body);
    assert.deepEqual([...out.lines, ...rest.lines], [2, 3]);
  });

  it('writes the edits it makes as LOAD DATA escapes', () => {
    const rewriter = new LoadDataCsvRewriter(',', () => undefined);
    const out = rewriter.push(Buffer.from('a,b,c\r\n,"x,""y""\nz",a\\b\r\n'));
    const rest = rewriter.end();
    assert.equal(Buffer.concat([out.bytes, rest.bytes]).toString(), '\\N,x\\,"y"\\nz,a\\\\b\n');
  });
});
