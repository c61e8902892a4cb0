/**
 * rechunk cuts the mapped chunks into the batches the statement driver writes: whatever sizes the
 * parser's chunks have and whatever sizes are asked for (a commit point shortens the next batch),
 * every row comes out once, in order, with its own line, ordinal, end and shape.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rechunk } from '../../src/methods/runs.js';
import type { MappedChunk } from '../../src/rows/row-mapper.js';

/** A deterministic sequence, so a failing case can be run again. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `sizes` chunks of rows numbered from 1; rows with a number divisible by 7 lack a field when `shaped`. */
function chunksOf(sizes: readonly number[], shaped: (chunk: number) => boolean): MappedChunk[] {
  let n = 0;
  return sizes.map((size, c) => {
    const ids = Array.from({ length: size }, () => ++n);
    return {
      rows: ids.map((id) => [id]),
      lines: ids.map((id) => id * 2),
      ordinals: ids.map((id) => id),
      ends: ids.map((id) => id * 10),
      shapes: shaped(c) ? ids.map((id) => (id % 7 === 0 ? '1' : '')) : undefined,
    };
  });
}

async function* from(chunks: readonly MappedChunk[]): AsyncGenerator<MappedChunk> {
  yield* chunks;
}

async function collect(chunks: readonly MappedChunk[], sizes: () => number): Promise<MappedChunk[]> {
  const out: MappedChunk[] = [];
  for await (const chunk of rechunk(from(chunks), sizes)) out.push(chunk);
  return out;
}

function check(out: readonly MappedChunk[], total: number, asked: readonly number[]): void {
  const ids = out.flatMap((chunk) => chunk.rows.map((row) => row[0] as number));
  assert.deepEqual(
    ids,
    Array.from({ length: total }, (_, i) => i + 1),
  );
  for (const [i, chunk] of out.entries()) {
    const rows = chunk.rows.map((row) => row[0] as number);
    assert.deepEqual(
      chunk.lines,
      rows.map((id) => id * 2),
    );
    assert.deepEqual(chunk.ordinals, rows);
    assert.deepEqual(
      chunk.ends,
      rows.map((id) => id * 10),
    );
    if (chunk.shapes !== undefined) {
      assert.equal(chunk.shapes.length, rows.length);
      for (const [r, id] of rows.entries()) {
        // A row from a chunk without shapes had every field.
        if (chunk.shapes[r] === '1') assert.equal(id % 7, 0);
      }
    }
    // Every chunk but the last has the size asked for when it began.
    if (i < out.length - 1) assert.equal(rows.length, asked[i], `chunk ${i}`);
    else assert.ok(rows.length <= asked[i]!);
  }
}

describe('rechunk', () => {
  it('passes a chunk of the size asked for through as it is', async () => {
    const chunks = chunksOf([5, 5, 5], () => false);
    const out = await collect(chunks, () => 5);
    assert.equal(out.length, 3);
    for (const [i, chunk] of out.entries()) assert.equal(chunk, chunks[i]);
  });

  it('cuts and joins chunks of any size into the sizes asked for, positions and shapes kept', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = lcg(seed);
      const sizes = Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 40));
      const total = sizes.reduce((a, b) => a + b, 0);
      const shaped = seed % 3 === 0;
      const chunks = chunksOf(sizes, (c) => shaped && c % 2 === 1);
      const asked: number[] = [];
      const out = await collect(chunks, () => {
        const want = 1 + Math.floor(random() * 30);
        asked.push(want);
        return want;
      });
      check(out, total, asked);
      // A row that lacked a field still says so after the cut.
      const lacking = out.flatMap((chunk) =>
        chunk.rows.flatMap((row, r) => (chunk.shapes?.[r] === '1' ? [row[0] as number] : [])),
      );
      const expected = chunks.flatMap((chunk) =>
        chunk.rows.flatMap((row, r) => (chunk.shapes?.[r] === '1' ? [row[0] as number] : [])),
      );
      assert.deepEqual(lacking, expected, `seed ${seed}`);
    }
  });

  it('hands on the rows gathered before a failing source, then the failure', async () => {
    async function* failing(): AsyncGenerator<MappedChunk> {
      yield* chunksOf([3, 4], () => false);
      throw new Error('bad input');
    }
    const out: MappedChunk[] = [];
    await assert.rejects(async () => {
      for await (const chunk of rechunk(failing(), () => 5)) out.push(chunk);
    }, /bad input/);
    assert.deepEqual(
      out.map((chunk) => chunk.rows.map((row) => row[0])),
      [
        [1, 2, 3, 4, 5],
        [6, 7],
      ],
    );
  });
});
