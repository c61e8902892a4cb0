/**
 * Every record knows where it came from (issue 11): each source gives each record its ordinal and
 * the byte offset just after it, whatever the text (multi-byte UTF-8, a byte-order mark, CRLF,
 * newlines inside quotes, blank lines) and wherever the chunks are cut.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { openSource } from '../../src/sources/from-input.js';
import type { Format } from '../../src/sources/source.js';

interface Expected {
  readonly lines: number[];
  readonly ordinals: number[];
  readonly ends: number[];
}

/** Reads every batch of `bytes` cut into `cuts`, and collects the positions. */
async function positionsOf(bytes: Buffer, format: Format, cuts: number[]): Promise<Expected> {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(from, cut));
    from = cut;
  }
  const source = await openSource(Readable.from(pieces), { format });
  const got: Expected = { lines: [], ordinals: [], ends: [] };
  for await (const batch of source.batches()) {
    got.lines.push(...batch.lines);
    got.ordinals.push(...batch.ordinals);
    got.ends.push(...batch.ends);
  }
  return got;
}

/** A file built from pieces: `record` pieces are records (their end is expected), others not. */
function build(parts: { text: string; record?: number }[]): { bytes: Buffer; expected: Expected } {
  const expected: Expected = { lines: [], ordinals: [], ends: [] };
  let bytes = Buffer.alloc(0);
  let line = 1;
  let ordinal = 0;
  for (const part of parts) {
    const piece = Buffer.from(part.text, 'utf8');
    if (part.record !== undefined) {
      expected.lines.push(line);
      expected.ordinals.push(++ordinal);
      expected.ends.push(bytes.length + piece.length - part.record);
    }
    bytes = Buffer.concat([bytes, piece]);
    line += (part.text.match(/\n/g) ?? []).length;
  }
  return { bytes, expected };
}

async function atEveryCut(bytes: Buffer, format: Format, expected: Expected): Promise<void> {
  assert.deepEqual(await positionsOf(bytes, format, []), expected, 'one chunk');
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(await positionsOf(bytes, format, [cut]), expected, `cut at byte ${cut}`);
  }
  const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
  assert.deepEqual(await positionsOf(bytes, format, cuts), expected, 'one byte per chunk');
}

describe('record positions', () => {
  it('CSV: ordinals and byte ends through multi-byte text, a BOM, CRLF, quoted newlines and blank lines', async () => {
    const { bytes, expected } = build([
      { text: '\uFEFFname,city\r\n' },
      { text: 'Zoë,Zürich\r\n', record: 0 },
      { text: '"multi\nline, ☃",日本\n', record: 0 },
      { text: '\n' }, // a blank line is no record
      { text: 'plain,ascii\n', record: 0 },
      { text: '"😀 ""q""",x', record: 0 }, // the last record, without a newline
    ]);
    await atEveryCut(bytes, 'csv', expected);
  });

  it('NDJSON: the end of each line, a blank one skipped', async () => {
    const { bytes, expected } = build([
      { text: '{"a":"ünï"}\n', record: 0 },
      { text: '\n' },
      { text: '{"a":"☃ 😀"}\r\n', record: 0 },
      { text: '{"a":1}', record: 0 },
    ]);
    await atEveryCut(bytes, 'ndjson', expected);
  });

  it('JSON array: the end of each element', async () => {
    const { bytes, expected } = build([
      { text: '[\n' },
      { text: '{"a":"ü"}', record: 0 },
      { text: ',\n' },
      { text: '{"a":"☃\\n 😀"}', record: 0 },
      { text: ']\n' },
    ]);
    await atEveryCut(bytes, 'json', expected);
  });

  it('JS collections: the position is counted in items', async () => {
    const source = await openSource([{ a: 1 }, { a: 2 }, { a: 3 }]);
    for await (const batch of source.batches()) {
      assert.deepEqual(batch.ordinals, [1, 2, 3]);
      assert.deepEqual(batch.ends, [1, 2, 3]);
    }
  });
});
