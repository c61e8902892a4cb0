/**
 * The COPY text encoder, byte for byte, against expected bytes written out by hand (the format is
 * PostgreSQL's "Text Format" of COPY: tab between fields, newline after each row, \N for NULL,
 * backslash escapes for backslash, tab, newline and carriage return).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CopyEncodingError,
  copyField,
  encodeCopyRows,
  encodeCopyText,
} from '../../src/dialects/postgres/copy-encoder.js';
import { dateText, pgText } from '../../src/dialects/postgres/pg-text.js';
import { isoUtc, toIsoString } from '../../src/util/iso-time.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('COPY text encoder: one value per case', () => {
  const cases: [string, unknown, string][] = [
    ['plain text', 'alice', 'alice'],
    ['empty string (not NULL)', '', ''],
    ['null', null, '\\N'],
    ['undefined', undefined, '\\N'],
    ['the two characters \\N as text', '\\N', '\\\\N'],
    ['the word NULL as text', 'NULL', 'NULL'],
    ['tab', 'a\tb', 'a\\tb'],
    ['newline', 'a\nb', 'a\\nb'],
    ['carriage return', 'a\rb', 'a\\rb'],
    ['CRLF', 'a\r\nb', 'a\\r\\nb'],
    ['backslash', 'C:\\dir\\', 'C:\\\\dir\\\\'],
    ['every escape at once, at both ends', '\\\t\n\rx\r\n\t\\', '\\\\\\t\\n\\rx\\r\\n\\t\\\\'],
    ['quotes and commas stay as they are', 'say "hi", then \'bye\'', 'say "hi", then \'bye\''],
    [
      'other control characters stay as they are',
      '\u0001\u0008\u000b\u000c\u001f',
      '\u0001\u0008\u000b\u000c\u001f',
    ],
    ['unicode', 'Zoë Ådal 東京 Ωμέγα', 'Zoë Ådal 東京 Ωμέγα'],
    ['a 4-byte emoji (surrogate pair)', 'ok 👍🏽!', 'ok 👍🏽!'],
    ['a byte order mark inside a value', '\uFEFFx', '\uFEFFx'],
    ['integer', 42, '42'],
    ['negative zero keeps its sign', -0, '-0'],
    ['a double that needs 17 digits', 0.1 + 0.2, '0.30000000000000004'],
    ['the smallest subnormal', 5e-324, '5e-324'],
    ['a large double', 1.7976931348623157e308, '1.7976931348623157e+308'],
    ['NaN', NaN, 'NaN'],
    ['Infinity', -Infinity, '-Infinity'],
    ['bigint past 2^53', 9007199254740993n, '9007199254740993'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    [
      'Date, ISO-8601 UTC with milliseconds',
      new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 7)),
      '2024-02-29T23:59:58.007Z',
    ],
    ['Date after year 9999', new Date(Date.UTC(10000, 0, 1)), '10000-01-01T00:00:00.000Z'],
    ['Date in year 0 is 1 BC', new Date('0000-01-01T00:00:00.000Z'), '0001-01-01T00:00:00.000Z BC'],
    ['Buffer as bytea hex, its backslash escaped', Buffer.from([0, 1, 0xab, 0xff]), '\\\\x0001abff'],
    ['Uint8Array as bytea hex', new Uint8Array([10, 13, 9]), '\\\\x0a0d09'],
    ['empty Buffer', Buffer.alloc(0), '\\\\x'],
    ['object as JSON', { a: 1, b: 'x', c: null, d: [true] }, '{"a":1,"b":"x","c":null,"d":[true]}'],
    ['array as JSON', [1, 'two', { three: 3 }], '[1,"two",{"three":3}]'],
    [
      'JSON whose strings hold escapes: their backslashes are escaped again',
      { s: 'a\nb\t"c"\\' },
      '{"s":"a\\\\nb\\\\t\\\\"c\\\\"\\\\\\\\"}',
    ],
    [
      'nested Date inside an object goes through toJSON',
      { at: new Date(Date.UTC(2020, 0, 1)) },
      '{"at":"2020-01-01T00:00:00.000Z"}',
    ],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => {
      assert.equal(copyField(value), expected);
      assert.deepEqual(encodeCopyText([[value]]), bytes(expected + '\n'));
    });
  }
});

describe('COPY text encoder: rows', () => {
  it('separates fields with tabs and ends every row with a newline', () => {
    const rows = [
      ['a', 1, null, true],
      ['', -2.5, 'x\ty', false],
    ];
    assert.deepEqual(encodeCopyText(rows), bytes('a\t1\t\\N\ttrue\n\t-2.5\tx\\ty\tfalse\n'));
  });

  it('encodes a 100k-character value whole, escapes included', () => {
    const long = 'ab\\'.repeat(33_333) + 'z';
    const out = encodeCopyText([[long, 'end']]);
    assert.deepEqual(out, bytes('ab\\\\'.repeat(33_333) + 'z\tend\n'));
  });

  it('encodes rows from start to end only', () => {
    assert.deepEqual(encodeCopyText([['a'], ['b'], ['c'], ['d']], 1, 3), bytes('b\nc\n'));
  });

  it('stops after the row that passes maxChars, and says where to go on', () => {
    const rows = [['aaaa'], ['bbbb'], ['cccc']];
    const first = encodeCopyRows(rows, 0, 3, 6);
    assert.deepEqual(first, { bytes: bytes('aaaa\nbbbb\n'), next: 2 });
    assert.deepEqual(encodeCopyRows(rows, first.next, 3, 6), { bytes: bytes('cccc\n'), next: 3 });
  });

  it('returns whole rows, so a multi-byte character is never cut between two messages', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [`${i}€😀`]);
    const pieces: Buffer[] = [];
    for (let start = 0; start < rows.length;) {
      const slice = encodeCopyRows(rows, start, rows.length, 7);
      pieces.push(slice.bytes);
      start = slice.next;
    }
    assert.ok(pieces.length > 10);
    for (const piece of pieces) assert.equal(piece.toString('utf8').endsWith('\n'), true);
    for (const piece of pieces) assert.deepEqual(Buffer.from(piece.toString('utf8'), 'utf8'), piece);
    assert.deepEqual(Buffer.concat(pieces), encodeCopyText(rows));
  });

  it('refuses a lone surrogate instead of writing U+FFFD, naming the row', () => {
    assert.throws(
      () => encodeCopyText([['ok'], ['ok'], ['bad \uD800 half']]),
      (e: unknown) =>
        e instanceof CopyEncodingError && e.rowIndex === 2 && /lone UTF-16 surrogate/.test(e.message),
    );
  });

  it('names the row of a value it cannot encode', () => {
    assert.throws(
      () => encodeCopyText([[new Date(0)], [new Date(NaN)]]),
      (e: unknown) => e instanceof CopyEncodingError && e.rowIndex === 1 && /invalid Date/.test(e.message),
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(
      () => encodeCopyText([['x'], [cycle]]),
      (e: unknown) => e instanceof CopyEncodingError && e.rowIndex === 1 && /circular/.test(e.message),
    );
    // A bigint inside JSON is written exactly (JSON.stringify would throw on it).
    assert.equal(encodeCopyText([[{ n: 2n ** 64n }]]).toString(), '{"n":18446744073709551616}\n');
    assert.throws(
      () => encodeCopyText([[Symbol('s')]]),
      (e: unknown) => e instanceof CopyEncodingError && e.rowIndex === 0 && /symbol/.test(e.message),
    );
  });
});

describe('pgText: the text form every method sends', () => {
  it('is the COPY field before escaping', () => {
    assert.equal(pgText('a\tb'), 'a\tb');
    assert.equal(pgText(null), null);
    assert.equal(pgText(Buffer.from('hi')), '\\x6869');
    assert.equal(pgText(12n), '12');
  });

  it('spells dates outside years 1..9999 the way PostgreSQL reads them', () => {
    assert.equal(dateText(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), '2024-01-02T03:04:05.006Z');
    assert.equal(dateText(new Date('+012345-06-07T08:09:10.011Z')), '12345-06-07T08:09:10.011Z');
    assert.equal(dateText(new Date('-000044-03-15T12:00:00.000Z')), '0045-03-15T12:00:00.000Z BC');
    assert.throws(() => dateText(new Date('nope')), /invalid Date/);
  });

  it('refuses a lone surrogate in text; JSON spells it as an escape the server judges', () => {
    assert.throws(() => pgText('\uDC00'), /lone UTF-16 surrogate/);
    assert.equal(pgText({ k: '\uD800' }), '{"k":"\\ud800"}');
    assert.equal(pgText('\uD83D\uDE00'), '😀');
  });
});

describe('isoUtc: toISOString, faster', () => {
  it('agrees with Date.prototype.toISOString across years 1..9999', () => {
    const times = [
      -62135596800000, // 0001-01-01T00:00:00.000Z
      253402300799999, // 9999-12-31T23:59:59.999Z
      0,
      -1,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(1900, 1, 28, 12),
      Date.UTC(2100, 2, 1),
      Date.UTC(1582, 9, 4),
    ];
    // A deterministic sweep: a step that is prime in milliseconds lands on every kind of instant.
    for (let t = -62135596800000; t < 253402300800000; t += 79_197_777_777) times.push(t);
    for (let t = Date.UTC(1969, 11, 25); t < Date.UTC(1970, 0, 8); t += 3_599_999) times.push(t);
    assert.ok(times.length > 4000);
    for (const time of times) assert.equal(isoUtc(time), new Date(time).toISOString(), String(time));
  });

  it('toIsoString is toISOString for every Date, out-of-range years and invalid Dates included', () => {
    for (const time of [
      -62135596800001,
      253402300800000,
      8.64e15,
      -8.64e15,
      0,
      Date.UTC(2024, 5, 1, 2, 3, 4, 5),
    ])
      assert.equal(toIsoString(new Date(time)), new Date(time).toISOString(), String(time));
    assert.throws(() => toIsoString(new Date(NaN)), RangeError);
  });
});
