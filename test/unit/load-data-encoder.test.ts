import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoadDataEncodeError, encodeLoadDataRows } from '../../src/dialects/mysql/load-data-encoder.js';
import { decodeLoadData } from '../support/load-data-decode.js';

const hex = (bytes: Buffer): string => bytes.toString('hex');
const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('encodeLoadDataRows: byte for byte', () => {
  const cases: [string, unknown, Buffer][] = [
    ['plain text', 'abc', bytes('abc')],
    ['empty string is an empty field', '', bytes('')],
    ['null is \\N', null, bytes('\\N')],
    ['undefined is \\N', undefined, bytes('\\N')],
    ['the text \\N', '\\N', bytes('\\\\N')],
    ['the word NULL stays text', 'NULL', bytes('NULL')],
    ['tab', 'a\tb', bytes('a\\tb')],
    ['newline', 'a\nb', bytes('a\\nb')],
    ['CRLF', 'a\r\nb', bytes('a\\r\\nb')],
    ['backslash', 'c:\\dir\\', bytes('c:\\\\dir\\\\')],
    ['NUL', 'a\0b', bytes('a\\0b')],
    ['quotes and commas need nothing', `"it's", ok`, bytes(`"it's", ok`)],
    ['BOM character', '\uFEFFx', bytes([0xef, 0xbb, 0xbf], 'x')],
    ['4-byte emoji', '😀', bytes([0xf0, 0x9f, 0x98, 0x80])],
    ['integer', 42, bytes('42')],
    ['negative zero', -0, bytes('0')],
    ['shortest round-trip decimal', 0.1 + 0.2, bytes('0.30000000000000004')],
    ['large double', 1e21, bytes('1e+21')],
    ['bigint', 12345678901234567890n, bytes('12345678901234567890')],
    ['true', true, bytes('1')],
    ['false', false, bytes('0')],
    ['Date in UTC', new Date('2024-01-02T03:04:05.678Z'), bytes('2024-01-02 03:04:05.678')],
    [
      'Buffer with bytes to escape',
      Buffer.from([0x00, 0x09, 0x0a, 0x0d, 0x5c, 0x41, 0xff]),
      bytes([0x5c, 0x30, 0x5c, 0x74, 0x5c, 0x6e, 0x5c, 0x72, 0x5c, 0x5c, 0x41, 0xff]),
    ],
    ['Uint8Array', new Uint8Array([0xe3, 0x5c]), bytes([0xe3, 0x5c, 0x5c])],
    ['object as JSON, its escapes escaped', { a: 'x\ty' }, bytes('{"a":"x\\\\ty"}')],
    ['array as JSON', [1, 'b'], bytes('[1,"b"]')],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => {
      assert.equal(hex(encodeLoadDataRows([[value]])), hex(Buffer.concat([expected, bytes('\n')])));
    });
  }

  it('separates fields with tabs and rows with newlines', () => {
    const out = encodeLoadDataRows([
      ['a', null, 1],
      ['', 'b\tc', Buffer.from('z')],
    ]);
    assert.equal(out.toString('utf8'), 'a\t\\N\t1\n\tb\\tc\tz\n');
  });

  it('refuses a lone surrogate and names its row', () => {
    assert.throws(
      () => encodeLoadDataRows([['ok'], ['fine', 'bad \uD800 text']]),
      (error: unknown) =>
        error instanceof LoadDataEncodeError && error.row === 1 && /surrogate/.test(error.message),
    );
  });

  it('refuses values with no stored form', () => {
    assert.throws(
      () => encodeLoadDataRows([['x'], [Symbol('s')]]),
      (error: unknown) => error instanceof LoadDataEncodeError && error.row === 1,
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(
      () => encodeLoadDataRows([[cycle]]),
      (error: unknown) => error instanceof LoadDataEncodeError && /JSON/.test(error.message),
    );
    // A bigint inside JSON is written exactly (JSON.stringify would throw on it).
    assert.equal(encodeLoadDataRows([[{ n: 2n ** 64n }]]).toString(), '{"n":18446744073709551616}\n');
  });

  it('round-trips any text through LOAD DATA reading rules', () => {
    const alphabet = ['a', '\\', 'N', '\t', '\n', '\r', '\0', '"', ',', 'é', '😀', ' ', 'NULL', '\\N'];
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const rows: (string | null)[][] = [];
    for (let r = 0; r < 300; r++) {
      const row: (string | null)[] = [];
      for (let c = 0; c < 3; c++) {
        if (random(8) === 0) row.push(null);
        else row.push(Array.from({ length: random(6) }, () => alphabet[random(alphabet.length)]).join(''));
      }
      rows.push(row);
    }
    assert.deepEqual(decodeLoadData(encodeLoadDataRows(rows), '\t'), rows);
  });
});
