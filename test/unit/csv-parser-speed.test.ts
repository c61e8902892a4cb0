/**
 * The CSV parser's fast path (quote-free records cut with split, quoted records character by
 * character) must give exactly what one pass over the whole text gives, wherever the input is cut
 * into chunks; and it must stay linear in the chunk size (a V8 11 optimisation once made it
 * quadratic: 30 s for 1M rows read in 1 MiB chunks).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { CsvParser } from '../../src/sources/csv-parser.js';
import type { BadRecord, RecordBatch, TextField } from '../../src/sources/source.js';

interface Parsed {
  readonly header: string[] | undefined;
  readonly records: TextField[][];
  readonly lines: number[];
  readonly bad: BadRecord[];
}

function parseInPieces(text: string, cuts: readonly number[]): Parsed {
  const bad: BadRecord[] = [];
  const parser = new CsvParser(',', (b) => bad.push(b));
  const out: RecordBatch<TextField[]> = { records: [], lines: [], ordinals: [], ends: [] };
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    parser.push(text.slice(from, cut), out);
    from = cut;
  }
  parser.end(out);
  return { header: parser.header, records: out.records, lines: out.lines, bad };
}

/** The RFC 4180 cases, mixed so quoted and plain records follow each other. */
const INPUTS: Record<string, string> = {
  'plain records, empty fields as null': 'a,b,c\n1,2,3\n4,,6\n,,\n',
  'quoted delimiters, doubled quotes, newlines inside quotes':
    'a,b\n"x, y","say ""hi"""\nplain,1\n"multi\nline",z\n"",""\nlast,2\n',
  'CRLF everywhere, also inside quotes': 'a,b\r\n1,2\r\n"x\r\ny",3\r\n4,5\r\n',
  'a quote inside an unquoted field is text': 'a,b\nab"c,d\n1,2\n',
  'no newline after the last record': 'a,b\n1,2\n"q",3',
  'no newline after a plain last record': 'a,b\n"q",1\n2,3',
  'blank lines are skipped': 'a,b\n\n1,2\n\r\n3,4\n',
  'wrong field counts are bad records, plain and quoted': 'a,b\n1\n"x",2\n"y"\n3,4,5\nok,6\n',
  'text after a closing quote is a bad record': 'a,b\n"x"y,1\nok,2\n',
  'an unterminated quote at the end': 'a,b\n1,2\n"open,3\n4,5\n',
  'a doubled quote right at the end of input': 'a\n"x"""',
};

function everySplit(text: string): number[][] {
  const cuts: number[][] = [];
  for (let i = 0; i <= text.length; i++) cuts.push([i]);
  for (let i = 0; i <= text.length; i++) for (let j = i; j <= text.length; j++) cuts.push([i, j]);
  cuts.push(Array.from({ length: text.length }, (_, i) => i + 1)); // one character at a time
  return cuts;
}

describe('CsvParser at every chunk boundary', () => {
  for (const [name, text] of Object.entries(INPUTS)) {
    it(name, () => {
      const whole = parseInPieces(text, []);
      for (const cuts of everySplit(text)) {
        assert.deepEqual(parseInPieces(text, cuts), whole, `cut at ${cuts.join(',')}`);
      }
    });
  }

  it('gives the same records and lines for a long mixed input cut into random chunk sizes', () => {
    let text = 'id,name,note\n';
    const expected: TextField[][] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 97 === 0) {
        text += `${i},"name ""${i}""","line one\r\nline two"\n`;
        expected.push([String(i), `name "${i}"`, 'line one\r\nline two']);
      } else {
        text += `${i},name${i},\n`;
        expected.push([String(i), `name${i}`, null]);
      }
    }
    const whole = parseInPieces(text, []);
    assert.deepEqual(whole.records, expected);
    let seed = 7;
    for (let round = 0; round < 20; round++) {
      const cuts: number[] = [];
      for (let at = 0; at < text.length;) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        at += 1 + (seed % 5000);
        if (at < text.length) cuts.push(at);
      }
      assert.deepEqual(parseInPieces(text, cuts), whole);
    }
  });
});

/**
 * Runs in a fresh process: the slowdown struck only when the parser had never seen a quote (V8
 * compiled the quote search without type feedback), which the cases above would hide.
 */
const LINEAR_PROBE = `
  const { CsvParser } = await import(process.argv[1]);
  const line = 'maria48213,maria.lopez@example.org,2019-07-14 03:22:51,3\\n';
  const chunk = line.repeat(Math.ceil((2 << 20) / line.length));
  const parser = new CsvParser(',', (bad) => { throw new Error(bad.reason); });
  parser.push('username,email,created_at,role_id\\n', { records: [], lines: [], ordinals: [], ends: [] });
  const started = performance.now();
  let records = 0;
  for (let i = 0; i < 12; i++) {
    const out = { records: [], lines: [], ordinals: [], ends: [] };
    parser.push(chunk, out);
    records += out.records.length;
  }
  console.log(JSON.stringify({ records, seconds: (performance.now() - started) / 1000 }));
`;

describe('CsvParser speed', () => {
  it('parses 2 MiB chunks of quote-free records in linear time (no rescan per record)', () => {
    const parser = fileURLToPath(new URL('../../src/sources/csv-parser.ts', import.meta.url));
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', LINEAR_PROBE, pathToFileURL(parser).href],
      { encoding: 'utf8' },
    );
    const { records, seconds } = JSON.parse(out) as { records: number; seconds: number };
    assert.equal(records, 12 * 36_793);
    // Linear: about 0.3 s. The quadratic version took over a second per chunk once optimised.
    assert.ok(seconds < 5, `took ${seconds.toFixed(2)} s`);
  });
});
