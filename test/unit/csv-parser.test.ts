import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvParser, MAX_RECORD_CHARS } from '../../src/sources/csv-parser.js';
import type { BadRecord, RecordBatch, TextField } from '../../src/sources/source.js';
import { SluiceError } from '../../src/errors.js';
import { defaultCsvDialect, type CsvDialect } from '../../src/util/csv-dialect.js';

interface Parsed {
  header: string[] | undefined;
  records: TextField[][];
  lines: number[];
  bad: BadRecord[];
}

/** Parses `text` fed in pieces cut at `cuts` (or whole), collecting bad records instead of throwing. */
function parse(text: string, options: { delimiter?: string; cuts?: number[] } = {}): Parsed {
  const bad: BadRecord[] = [];
  const parser = new CsvParser(options.delimiter ?? ',', (b) => bad.push(b));
  const out: RecordBatch<TextField[]> = { records: [], lines: [], ordinals: [], ends: [] };
  let from = 0;
  for (const cut of [...(options.cuts ?? []), text.length]) {
    parser.push(text.slice(from, cut), out);
    from = cut;
  }
  parser.end(out);
  return { header: parser.header, records: out.records, lines: out.lines, bad };
}

describe('CsvParser', () => {
  it('reads a header and plain records, empty unquoted fields as null', () => {
    const r = parse('a,b,c\n1,2,3\n4,,6\n');
    assert.deepEqual(r.header, ['a', 'b', 'c']);
    assert.deepEqual(r.records, [
      ['1', '2', '3'],
      ['4', null, '6'],
    ]);
    assert.deepEqual(r.lines, [2, 3]);
  });

  it('keeps a quoted empty field as the empty string', () => {
    assert.deepEqual(parse('a,b\n"",x\n').records, [['', 'x']]);
  });

  it('reads quoted delimiters, doubled quotes and newlines inside quotes', () => {
    const r = parse('a,b\n"x, y","say ""hi"""\n"multi\nline",z\nlast,1\n');
    assert.deepEqual(r.records, [
      ['x, y', 'say "hi"'],
      ['multi\nline', 'z'],
      ['last', '1'],
    ]);
    assert.deepEqual(r.lines, [2, 3, 5]);
  });

  it('accepts CRLF line ends, also inside quoted fields (kept as written)', () => {
    const r = parse('a,b\r\n1,2\r\n"x\r\ny",3\r\n');
    assert.deepEqual(r.records, [
      ['1', '2'],
      ['x\r\ny', '3'],
    ]);
  });

  it('reads a last record without a trailing newline', () => {
    assert.deepEqual(parse('a,b\n1,2').records, [['1', '2']]);
    assert.deepEqual(parse('a,b\n1,"2"').records, [['1', '2']]);
  });

  it('skips blank lines but counts them', () => {
    const r = parse('a,b\n\n1,2\n\r\n3,4\n');
    assert.deepEqual(r.records, [
      ['1', '2'],
      ['3', '4'],
    ]);
    assert.deepEqual(r.lines, [3, 5]);
  });

  it('treats a quote inside an unquoted field as text', () => {
    assert.deepEqual(parse('a,b\n5" pipe,x\n').records, [['5" pipe', 'x']]);
  });

  it('gives the same records wherever the input is cut into chunks', () => {
    const text = 'id,name,note\n1,"a,b","he said ""no""\nthen left"\r\n2,,""\n3,é🚀,"x"\n4,last,end';
    const whole = parse(text);
    for (let cut = 0; cut <= text.length; cut++) {
      const pieces = parse(text, { cuts: [cut] });
      assert.deepEqual(pieces.records, whole.records, `cut at ${cut}`);
      assert.deepEqual(pieces.lines, whole.lines, `lines, cut at ${cut}`);
    }
    for (let size = 1; size <= 7; size++) {
      const cuts = Array.from({ length: Math.floor(text.length / size) }, (_, i) => (i + 1) * size);
      assert.deepEqual(parse(text, { cuts }).records, whole.records, `chunks of ${size}`);
    }
  });

  it('reads tab-delimited text with the same quoting rules', () => {
    const r = parse('a\tb\nx y\t"tab\there"\n', { delimiter: '\t' });
    assert.deepEqual(r.records, [['x y', 'tab\there']]);
  });

  it('reports a record with the wrong number of fields, with its line', () => {
    const r = parse('a,b\n1,2\n3\n4,5,6\n7,8\n');
    assert.deepEqual(r.records, [
      ['1', '2'],
      ['7', '8'],
    ]);
    assert.deepEqual(
      r.bad.map((b) => [b.line, b.reason, b.raw]),
      [
        [3, 'expected 2 fields, found 1', '3'],
        [4, 'expected 2 fields, found 3', '4,5,6'],
      ],
    );
  });

  it('reports an unterminated quote at the line where the record starts', () => {
    const r = parse('a,b\n1,2\n3,"open\nmore\n');
    assert.deepEqual(r.records, [['1', '2']]);
    assert.equal(r.bad[0]!.line, 3);
    assert.match(r.bad[0]!.reason, /unterminated quoted field/);
    // Reading goes on at the next line, which is then judged on its own.
    assert.deepEqual([r.bad[1]!.line, r.bad[1]!.reason], [4, 'expected 2 fields, found 1']);
  });

  it('reports text after a closing quote and goes on with the next record', () => {
    const r = parse('a,b\n"x"y,1\n2,3\n');
    assert.deepEqual(r.records, [['2', '3']]);
    assert.equal(r.bad[0]!.line, 2);
    assert.match(r.bad[0]!.reason, /after the closing quote/);
  });

  it('reports a NUL byte in a field with its line and column', () => {
    const r = parse('a,b\n1,2\n3,x\0y\n');
    assert.deepEqual(r.records, [['1', '2']]);
    assert.deepEqual([r.bad[0]!.line, r.bad[0]!.column], [3, 2]);
    assert.match(r.bad[0]!.reason, /NUL byte/);
  });

  it('keeps 100k-character fields whole across chunks', () => {
    const big = 'x'.repeat(100_000);
    const text = `a,b\n"${big}",${big}\n`;
    const cuts = Array.from({ length: 30 }, (_, i) => (i + 1) * 7001);
    assert.deepEqual(parse(text, { cuts }).records, [[big, big]]);
  });
});

describe('CsvParser recovery', () => {
  it('refuses only the line an unterminated quote opens on, and reads on', () => {
    const r = parse('a,b\n1,2\n"x,4\n5,6\n');
    assert.deepEqual(r.records, [
      ['1', '2'],
      ['5', '6'],
    ]);
    assert.deepEqual(
      r.bad.map((b) => [b.line, b.raw]),
      [[3, '"x,4']],
    );
  });

  // The text after the start of a record that never ends, in 1 MiB chunks, then two more lines.
  const longRecord = (head: string): string[] => {
    const filler = 'x'.repeat(1 << 20);
    const chunks = [head];
    for (let n = 0; n <= MAX_RECORD_CHARS >> 20; n++) chunks.push(filler);
    return [...chunks, '\n1,2\n'];
  };

  it('refuses a record whose quoted field holds a newline and whose last line never ends (it buffered without bound)', () => {
    const chunks = longRecord('a,b\n"x\ny",');
    const r = parse(chunks.join(''), {
      cuts: chunks.slice(1).map((_, i) => chunks.slice(0, i + 1).join('').length),
    });
    assert.deepEqual(
      r.bad.map((b) => [b.line, b.reason]),
      [
        [2, `record longer than ${MAX_RECORD_CHARS} characters`],
        [3, 'expected 2 fields, found 1'],
      ],
    );
    assert.deepEqual(r.records, [['1', '2']]);
    assert.deepEqual(r.lines, [4]);
  });

  it('refuses text after a closing quote that spans lines and never ends (it buffered without bound)', () => {
    const chunks = longRecord('a,b\n"x\ny"z');
    const r = parse(chunks.join(''), {
      cuts: chunks.slice(1).map((_, i) => chunks.slice(0, i + 1).join('').length),
    });
    assert.deepEqual(r.bad[0]?.line, 2);
    assert.deepEqual(r.bad[0]?.reason, 'unexpected text after the closing quote of field 1');
    assert.deepEqual(r.records, [['1', '2']]);
  });
});

describe('CsvParser dialects (issue 16)', () => {
  const base = defaultCsvDialect('csv');
  function parseIn(
    text: string,
    dialect: Partial<CsvDialect>,
    options: { columns?: string[]; limit?: number; cuts?: number[] } = {},
  ): Parsed & { ordinals: number[] } {
    const bad: BadRecord[] = [];
    const parser = new CsvParser({ ...base, ...dialect }, (b) => bad.push(b), false, options);
    const out: RecordBatch<TextField[]> = { records: [], lines: [], ordinals: [], ends: [] };
    let from = 0;
    for (const cut of [...(options.cuts ?? []), text.length]) {
      parser.push(text.slice(from, cut), out);
      from = cut;
    }
    parser.end(out);
    return { header: parser.header, records: out.records, lines: out.lines, bad, ordinals: out.ordinals };
  }

  it('null strings match unquoted fields as written; a quoted one only with nullQuoted', () => {
    const text = 'a,b,c\nNA,"NA",\n';
    assert.deepEqual(parseIn(text, { nullStrings: ['NA'] }).records, [[null, 'NA', '']]);
    assert.deepEqual(parseIn(text, { nullStrings: ['NA', ''] }).records, [[null, 'NA', null]]);
    assert.deepEqual(parseIn(text, { nullStrings: ['NA'], nullQuoted: true }).records, [[null, null, '']]);
    assert.deepEqual(parseIn(text, { nullStrings: [] }).records, [['NA', 'NA', '']]);
    // The header keeps its names whatever the null strings.
    assert.deepEqual(parseIn('NA,b\n1,2\n', { nullStrings: ['NA'] }).header, ['NA', 'b']);
  });

  it('decodes MySQL escapes anywhere in a field, inside quotes too, cut anywhere', () => {
    const text = 'a\tb\nx\\ty\\\\z\t\\N\nl1\\\nl2\t"q\\"uote"\nN\\N\tcr\\r\r\n';
    const expected = [
      ['x\ty\\z', null],
      ['l1\nl2', 'q"uote'],
      ['NN', 'cr\r'],
    ];
    const dialect = { delimiter: '\t', escape: '\\' };
    for (let cut = 0; cut <= text.length; cut++) {
      const r = parseIn(text, dialect, { cuts: [cut] });
      assert.deepEqual(r.records, expected, `cut at ${cut}`);
      assert.deepEqual(r.lines, [2, 3, 5], `cut at ${cut}`);
    }
    // An escaped NUL is refused like a raw one.
    assert.match(parseIn('a\nx\\0y\n', { escape: '\\' }).bad[0]!.reason, /NUL byte/);
  });

  it('quote: another character, or none', () => {
    assert.deepEqual(parseIn("a|b\n'x|y'|'it''s'\n", { delimiter: '|', quote: "'" }).records, [
      ['x|y', "it's"],
    ]);
    assert.deepEqual(parseIn('a,b\n"x",y"\n', { quote: '' }).records, [['"x"', 'y"']]);
  });

  it('skips preamble lines and counts them in line numbers', () => {
    const text = 'title "x\nmore, text\nid,v\n1,a\n2,b\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const r = parseIn(text, { skipLines: 2 }, { cuts: [cut] });
      assert.deepEqual(r.header, ['id', 'v'], `cut at ${cut}`);
      assert.deepEqual(r.lines, [4, 5], `cut at ${cut}`);
    }
  });

  it('headerless: the names given, every line a record, the first one checked against them', () => {
    const r = parseIn('1,a\n2,b\n', { header: false }, { columns: ['id', 'v'] });
    assert.deepEqual(r.header, ['id', 'v']);
    assert.deepEqual(r.records, [
      ['1', 'a'],
      ['2', 'b'],
    ]);
    assert.deepEqual(r.lines, [1, 2]);
    assert.throws(
      () => parseIn('1,a,x\n', { header: false }, { columns: ['id', 'v'] }),
      (e: SluiceError) => e.code === 'BAD_USAGE' && /3 fields, but 2 column names/.test(e.message),
    );
  });

  it('limit: stops after N records, bad ones counted, and reports nothing after them', () => {
    const r = parseIn('a\n1\n"x"y\n3\n4\n"open\n', {}, { limit: 3 });
    assert.deepEqual(r.ordinals, [1, 3]);
    assert.equal(r.bad.length, 1);
  });
});
