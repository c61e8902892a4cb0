/**
 * Issue 16, part B: the stages below the parser. Encodings (names, decoding in chunks, byte ends),
 * the invalid-UTF-8 hint, decompression (magic bytes, multi-member gzip, zstd frames, corrupt
 * data, refused formats) and the delimiter sniff. Files: test/fixtures/byte-layer/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SluiceError } from '../../src/errors.js';
import { decodeChunks } from '../../src/sources/byte-chunks.js';
import { compressionFromMagic, compressionOf, decompressStage } from '../../src/sources/decompress.js';
import { guessEncoding } from '../../src/sources/encoding-guess.js';
import { formatFromPath, openSource, tableFromPath } from '../../src/sources/from-input.js';
import { sniffDialect } from '../../src/sources/sniff-dialect.js';
import type { TextField } from '../../src/sources/source.js';
import { chunkDecoder, InvalidBytes } from '../../src/sources/text-decoders.js';
import { resolveEncoding } from '../../src/sources/text-encoding.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'byte-layer');
const fixture = (name: string) => join(FIXTURES, name);

/** The Encoding Standard's index-windows-1252 for 0x80-0x9F (the only bytes that differ from latin1). */
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

async function records(
  path: string,
  options: { encoding?: string; sniff?: boolean; csv?: { delimiter?: string; quote?: string } } = {},
) {
  const source = await openSource(path, options);
  assert.equal(source.kind, 'text');
  const rows: TextField[][] = [];
  const ends: number[] = [];
  const lines: number[] = [];
  for await (const batch of source.batches()) {
    rows.push(...(batch.records as TextField[][]));
    ends.push(...batch.ends);
    lines.push(...batch.lines);
  }
  return { source, header: source.header, rows, ends, lines };
}

function decodeAll(name: string, bytes: Buffer, cuts: number[], lenient = false): string {
  const decoder = chunkDecoder(resolveEncoding(name), lenient);
  let out = '';
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out += decoder.decode(bytes.subarray(from, cut));
    from = cut;
  }
  return out + decoder.end();
}

describe('encoding names', () => {
  it('takes any WHATWG label and gives the standard name and kind', () => {
    assert.deepEqual(
      ['latin1', 'ISO-8859-1', 'cp1252', 'sjis', 'utf-16', 'UTF-16BE', 'iso-8859-15', 'gb2312', 'utf8'].map(
        (n) => {
          const e = resolveEncoding(n);
          return `${e.name}:${e.kind}`;
        },
      ),
      [
        'windows-1252:single-byte',
        'windows-1252:single-byte',
        'windows-1252:single-byte',
        'shift_jis:multi-byte',
        'utf-16le:utf-16',
        'utf-16be:utf-16',
        'iso-8859-15:single-byte',
        'gbk:multi-byte',
        'utf-8:utf-8',
      ],
    );
  });

  it('refuses an unknown name with BAD_USAGE listing known ones', () => {
    assert.throws(
      () => resolveEncoding('klingon'),
      (error: SluiceError) => {
        assert.equal(error.code, 'BAD_USAGE');
        assert.equal(error.detail, 'unknown encoding "klingon"');
        assert.match(error.hint ?? '', /windows-1252, iso-8859-15, utf-16le, utf-16be, shift_jis, gbk/);
        return true;
      },
    );
  });
});

describe('decoders', () => {
  it('windows-1252 follows the standard for 0x80-0x9F (Node 20 non-streaming TextDecoder reads them as latin1)', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    for (const cuts of [[], [1], [5, 17, 31]]) {
      const text = decodeAll('windows-1252', bytes, cuts);
      assert.deepEqual(
        [...text].map((c) => c.codePointAt(0)),
        WINDOWS_1252_C1,
      );
    }
  });

  it('iso-8859-15 has € at 0xA4 (not ¤)', () => {
    assert.equal(decodeAll('iso-8859-15', Buffer.from([0xa4, 0x41]), []), '€A');
  });

  it('shift_jis cut at every byte decodes as a whole, 0x5C trail bytes included', () => {
    const bytes = readFileSync(fixture('shift-jis.csv'));
    const whole = 'id,name\n1,日本語\n2,ソース\n3,表示\n4,あ\n';
    for (let cut = 0; cut <= bytes.length; cut++)
      assert.equal(decodeAll('shift_jis', bytes, [cut]), whole, `cut ${cut}`);
  });

  it('utf-16le: a surrogate pair or a code unit cut by a chunk waits for the next chunk', () => {
    const bytes = Buffer.from('a😀b\n', 'utf16le');
    for (let cut = 0; cut <= bytes.length; cut++) assert.equal(decodeAll('utf-16le', bytes, [cut]), 'a😀b\n');
    const be = Buffer.from(bytes);
    be.swap16();
    for (let cut = 0; cut <= be.length; cut++) assert.equal(decodeAll('utf-16be', be, [cut]), 'a😀b\n');
  });

  it('utf-16: a real U+FFFD is data; a lone surrogate is invalid (strict) or a NUL (lenient)', () => {
    assert.equal(decodeAll('utf-16le', Buffer.from('x\uFFFDy', 'utf16le'), []), 'x\uFFFDy');
    const lone = Buffer.from([0x78, 0x00, 0x00, 0xd8, 0x79, 0x00]); // x, a lone high surrogate, y
    assert.throws(
      () => decodeAll('utf-16le', lone, []),
      (error: InvalidBytes) => error instanceof InvalidBytes && error.validPrefix === 'x',
    );
    assert.equal(decodeAll('utf-16le', lone, [], true), 'x\0y');
    assert.throws(() => decodeAll('utf-16le', Buffer.from([0x78, 0x00, 0x79]), []), InvalidBytes);
  });

  it('an undefined byte is invalid, never a silent U+FFFD; lenient mode makes it a NUL', () => {
    // 0xA5 is undefined in iso-8859-3; 0x85 0x20 is not a Shift_JIS pair.
    assert.throws(
      () => decodeAll('iso-8859-3', Buffer.from([0x61, 0xa5, 0x62]), []),
      (error: InvalidBytes) => error.validPrefix === 'a',
    );
    assert.equal(decodeAll('iso-8859-3', Buffer.from([0x61, 0xa5, 0x62]), [], true), 'a\0b');
    assert.equal(decodeAll('shift_jis', Buffer.from([0x61, 0x85, 0x2c, 0x62]), [], true), 'a\0,b');
  });
});

describe('text sources in other encodings', () => {
  it('windows-1252 with semicolons (sniffed from a .csv header without comma): values and byte ends exact', async () => {
    const path = fixture('latin1-semicolon.csv');
    const { source, header, rows, ends, lines } = await records(path, { encoding: 'windows-1252' });
    assert.deepEqual(header, ['id', 'name', 'note']);
    assert.deepEqual(rows, [
      ['1', 'Café Müller', '“quoted” — 5 €'],
      ['2', 'Œuvre', 'naïve ÿ ‰ š'],
      ['3', 'plain', 'ascii only'],
    ]);
    assert.deepEqual(lines, [2, 3, 4]);
    // One byte per character: the ends are offsets in the file, just after each CRLF.
    const bytes = readFileSync(path);
    const newlines = [...bytes.entries()].filter(([, b]) => b === 0x0a).map(([i]) => i + 1);
    assert.deepEqual(ends, newlines.slice(1));
    assert.equal(source.kind === 'text' && source.delimiter, ';');
    assert.deepEqual(source.kind === 'text' && source.sniffed, { delimiter: ';', quote: '"', by: 'auto' });
    assert.equal(source.byteLayer?.decoding.encoding.name, 'windows-1252');
    // The dialect the raw paths get holds the guess and the encoding (COPY's ENCODING, LOAD DATA's
    // CHARACTER SET).
    assert.equal(source.kind === 'text' && source.dialect.delimiter, ';');
    assert.equal(source.kind === 'text' && source.dialect.encoding, 'windows-1252');
  });

  it('the five bytes windows-1252 leaves undefined decode to C1 controls, as the standard says', async () => {
    const { rows } = await records(fixture('cp1252-undefined-bytes.csv'), { encoding: 'windows-1252' });
    assert.deepEqual(rows, [['1', 'a\u0081\u008d\u008f\u0090\u009db']]);
  });

  it('UTF-16LE and UTF-16BE are read from their byte-order mark with no --encoding', async () => {
    const le = await records(fixture('utf16le-bom.csv'));
    assert.deepEqual(le.header, ['id', 'name']);
    assert.deepEqual(le.rows, [
      ['1', 'Zoë'],
      ['2', '日本'],
      ['3', '😀 smile'],
    ]);
    assert.deepEqual(le.source.byteLayer?.decoding.encoding, { name: 'utf-16le', kind: 'utf-16', by: 'bom' });
    const be = await records(fixture('utf16be-bom.csv'));
    assert.deepEqual(be.rows, [
      ['1', 'Zoë'],
      ['2', '日本'],
    ]);
  });

  it('shift_jis', async () => {
    const { rows } = await records(fixture('shift-jis.csv'), { encoding: 'shift_jis' });
    assert.deepEqual(rows, [
      ['1', '日本語'],
      ['2', 'ソース'],
      ['3', '表示'],
      ['4', 'あ'],
    ]);
  });

  it('invalid bytes in the given encoding name the line and the encoding', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0x85, 0x2c]), Buffer.from('\n')]);
    const source = await openSource(Readable.from([bytes]), { format: 'csv', encoding: 'shift_jis' });
    await assert.rejects(
      (async () => {
        for await (const batch of source.batches()) void batch;
      })(),
      (error: SluiceError) => {
        assert.equal(error.detail, 'invalid byte sequence for the encoding shift_jis');
        assert.equal(error.location?.line, 3);
        return true;
      },
    );
  });
});

describe('the invalid-UTF-8 hint', () => {
  it('names the most likely encoding of the sample', async () => {
    const cases: [string, string][] = [
      ['latin1-semicolon.csv', 'windows-1252'],
      ['shift-jis.csv', 'shift_jis'],
    ];
    for (const [name, guess] of cases) {
      await assert.rejects(records(fixture(name)), (error: SluiceError) => {
        assert.equal(error.detail, 'invalid UTF-8 byte sequence (the input must be UTF-8)');
        assert.equal(error.location?.line, 2);
        assert.equal(error.hint, `the file is most likely ${guess}: add --encoding ${guess}`);
        return true;
      });
    }
  });

  it('guesses UTF-16 from zero bytes, GBK from Han runs, nothing from ASCII', () => {
    assert.equal(guessEncoding(Buffer.from('id,name\n1,abc\n', 'utf16le')), 'utf-16le');
    const be = Buffer.from('id,name\n1,abc\n', 'utf16le');
    be.swap16();
    assert.equal(guessEncoding(be), 'utf-16be');
    // 中文 数据 in GBK: D6 D0 CE C4, CA FD BE DD.
    assert.equal(
      guessEncoding(Buffer.from([0x61, 0x2c, 0xd6, 0xd0, 0xce, 0xc4, 0x2c, 0xca, 0xfd, 0xbe, 0xdd, 0x0a])),
      'gbk',
    );
    assert.equal(guessEncoding(Buffer.from('plain ascii\n')), undefined);
    assert.equal(guessEncoding(Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x0a])), 'windows-1252');
  });

  it('decodeChunks: the hint is built from the chunk that held the bad byte', async () => {
    const chunks = [Buffer.from('a,b\n'), Buffer.from([0x31, 0x2c, 0xe9, 0x0a])];
    const counter = { bytes: 0 };
    await assert.rejects(
      (async () => {
        for await (const t of decodeChunks(Readable.from(chunks), counter, 'input', () => 2)) void t;
      })(),
      (error: SluiceError) =>
        error.hint === 'the file is most likely windows-1252: add --encoding windows-1252',
    );
  });
});

describe('compressed input', () => {
  it('knows gzip, zstd, bzip2 and xz by their magic bytes', () => {
    assert.equal(compressionFromMagic(gzipSync('x')), 'gzip');
    assert.equal(compressionFromMagic(readFileSync(fixture('users.csv.zst'))), 'zstd');
    assert.equal(compressionFromMagic(Buffer.from('BZh91AY')), 'bzip2');
    assert.equal(compressionFromMagic(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
    assert.equal(compressionFromMagic(Buffer.from('id,name')), undefined);
  });

  it('refuses a .gz that is not gzip data', () => {
    assert.throws(
      () => compressionOf(Buffer.from('id,name\n'), 'users.csv.gz'),
      (error: SluiceError) => error.code === 'BAD_INPUT' && /named as gzip data/.test(error.detail),
    );
  });

  it('names the format after the compression extension', () => {
    assert.equal(formatFromPath('users.csv.gz'), 'csv');
    assert.equal(formatFromPath('events.ndjson.zst'), 'ndjson');
    assert.equal(tableFromPath('/data/users.csv.gz'), 'users');
  });

  it('reads every member of a multi-member gzip file, counting compressed bytes', async () => {
    const { source, header, rows, lines } = await records(fixture('multi-member.csv.gz'));
    assert.deepEqual(header, ['id', 'name']);
    assert.deepEqual(rows, [
      ['1', 'one'],
      ['2', 'two'],
      ['3', 'three'],
      ['4', 'four'],
    ]);
    assert.deepEqual(lines, [2, 3, 4, 5]);
    assert.equal(source.bytesRead(), readFileSync(fixture('multi-member.csv.gz')).length);
    assert.equal(source.totalBytes, source.bytesRead());
    assert.equal(source.byteLayer?.compression, 'gzip');
  });

  it('reads every frame of a zstd file', async () => {
    const { rows } = await records(fixture('users.csv.zst'));
    assert.deepEqual(rows, [
      ['maria1', 'maria@example.org'],
      ['wei2', 'wei@example.org'],
      ['olga3', 'olga@example.org'],
    ]);
  });

  it('knows gzip on a stream by its magic bytes, even in one-byte chunks', async () => {
    const bytes = readFileSync(fixture('multi-member.csv.gz'));
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const source = await openSource(Readable.from(chunks), { format: 'csv' });
    let n = 0;
    for await (const batch of source.batches()) n += batch.records.length;
    assert.equal(n, 4);
  });

  it('gzip cut short is BAD_INPUT naming the file', async () => {
    const bytes = gzipSync('id,name\n' + '1,one\n'.repeat(10000));
    const source = await openSource(Readable.from([bytes.subarray(0, bytes.length - 20)]), { format: 'csv' });
    await assert.rejects(
      (async () => {
        for await (const batch of source.batches()) void batch;
      })(),
      (error: SluiceError) => {
        assert.equal(error.code, 'BAD_INPUT');
        assert.match(error.detail, /^input: the gzip data is corrupt or cut short: /);
        return true;
      },
    );
  });

  it('refuses bzip2 and xz with how to decompress on the way in', async () => {
    for (const [magic, tool] of [
      [Buffer.from('BZh91AY&SY'), 'bunzip2 -c'],
      [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00]), 'xz -dc'],
    ] as const) {
      await assert.rejects(
        decompressStage(Readable.from([magic]), 'input', undefined, { bytes: 0 }),
        (error: SluiceError) =>
          error.code === 'BAD_USAGE' && error.hint!.startsWith(`decompress it on the way in: ${tool}`),
      );
    }
  });
});

describe('sniffing the delimiter and quote', () => {
  it('finds the delimiter whose field count is the same on every line', () => {
    assert.deepEqual(sniffDialect('a;b;c\n1;2;3\n4;5;6\n'), { delimiter: ';', quote: '"' });
    assert.deepEqual(sniffDialect('a\tb\n1\t2\n'), { delimiter: '\t', quote: '"' });
    assert.deepEqual(sniffDialect('a|b\n1|2\n'), { delimiter: '|', quote: '"' });
    // Commas inside quotes do not count; the semicolons agree.
    assert.deepEqual(sniffDialect('name;note\n"Smith, J";"a, b"\nx;y\n'), { delimiter: ';', quote: '"' });
    // Commas are consistent too, and come first.
    assert.deepEqual(sniffDialect('a,b;c\n1,2;3\n'), { delimiter: ',', quote: '"' });
  });

  it('guesses \' as the quote when fields are wrapped in it and none in "', () => {
    assert.deepEqual(sniffDialect("a;b\n'x;y';2\n"), { delimiter: ';', quote: "'" });
  });

  it('guesses nothing for one column or counts that disagree', () => {
    assert.equal(sniffDialect('name\nalice\nbob\n'), undefined);
    assert.equal(sniffDialect('a;b\n1;2;3\n1\n'), undefined);
  });

  it('counts the last line of a whole input without a newline', () => {
    assert.equal(sniffDialect('a;b', false), undefined);
    assert.deepEqual(sniffDialect('a;b', true), { delimiter: ';', quote: '"' });
  });

  it("a sniffed ' quote is the dialect's quote: the parser reads the fields it wraps", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sniff-'));
    const path = join(dir, 'q.csv');
    writeFileSync(path, "id;note\n1;'a;b'\n2;'c'\n");
    const { source, rows } = await records(path, { sniff: true });
    assert.equal(source.kind === 'text' && source.dialect.quote, "'");
    assert.deepEqual(rows, [
      ['1', 'a;b'],
      ['2', 'c'],
    ]);
    // A quote given is kept over the guess.
    const other = join(dir, 'r.csv');
    writeFileSync(other, "id;note\n1;'a'\n2;'c'\n");
    const given = await records(other, { sniff: true, csv: { quote: '' } });
    assert.equal(given.source.kind === 'text' && given.source.dialect.quote, '');
    assert.deepEqual(given.rows, [
      ['1', "'a'"],
      ['2', "'c'"],
    ]);
  });

  it('a --delimiter given turns the automatic sniff off, and is refused with --sniff', async () => {
    const path = fixture('latin1-semicolon.csv');
    const { source } = await records(path, { encoding: 'windows-1252', csv: { delimiter: ';' } });
    assert.equal(source.kind === 'text' && source.sniffed, undefined);
    assert.equal(source.kind === 'text' && source.dialect.delimiter, ';');
    await assert.rejects(
      () => openSource(path, { encoding: 'windows-1252', sniff: true, csv: { delimiter: ';' } }),
      /--sniff guesses the delimiter that --delimiter gives/,
    );
  });

  it('a .csv whose header has a comma is not sniffed; --sniff sniffs it', async () => {
    const plain = await records(fixture('multi-member.csv.gz'));
    assert.equal(plain.source.kind === 'text' && plain.source.sniffed, undefined);
    const sniffed = await records(fixture('multi-member.csv.gz'), { sniff: true });
    assert.deepEqual(sniffed.source.kind === 'text' && sniffed.source.sniffed, {
      delimiter: ',',
      quote: '"',
      by: 'sniff',
    });
  });
});
