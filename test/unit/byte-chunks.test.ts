/** Bytes to text for the text sources: the byte order mark, and invalid UTF-8 in file order. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { SluiceError } from '../../src/errors.js';
import { openDelimited } from '../../src/sources/delimited-source.js';
import { openNdjson } from '../../src/sources/ndjson-source.js';
import type { BadRecord } from '../../src/sources/source.js';

async function readCsv(chunks: Buffer[], onBadRecord: (bad: BadRecord) => void = () => undefined) {
  const source = await openDelimited(Readable.from(chunks), { name: 'input', format: 'csv', onBadRecord });
  const records: unknown[] = [];
  for await (const batch of source.batches()) records.push(...batch.records);
  return { header: source.header, records };
}

function abort(bad: BadRecord): never {
  throw new SluiceError('BAD_INPUT', bad.reason, { location: { source: 'input', line: bad.line } });
}

describe('decoding text sources', () => {
  it('drops one byte order mark: a second one is data (the decoder and decodeChunks each dropped one)', async () => {
    const { header } = await readCsv([Buffer.from('\uFEFF\uFEFFa,b\n1,2\n')]);
    assert.deepEqual(header, ['\uFEFFa', 'b']);
  });

  it('drops a byte order mark cut in two by the first chunk', async () => {
    const bytes = Buffer.from('\uFEFFa,b\n1,2\n');
    for (const cut of [1, 2]) {
      const { header } = await readCsv([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(header, ['a', 'b'], `cut at ${cut}`);
    }
  });

  it('names a bad record before an invalid byte in the same chunk first (it named the byte)', async () => {
    const bytes = Buffer.concat([
      Buffer.from('a,b\n1,2\n3,4,5\n6,7'),
      Buffer.from([0xff]),
      Buffer.from('\n'),
    ]);
    await assert.rejects(readCsv([bytes], abort), (error: SluiceError) => {
      assert.equal(error.detail, 'expected 2 fields, found 3');
      assert.equal(error.location?.line, 3);
      return true;
    });
  });

  it('names the line of an invalid byte once the records before it are read', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n"x\ny",'), Buffer.from([0xff]), Buffer.from('\n')]);
    for (const cut of [0, 5, 12]) {
      const chunks = cut === 0 ? [bytes] : [bytes.subarray(0, cut), bytes.subarray(cut)];
      await assert.rejects(readCsv(chunks, abort), (error: SluiceError) => {
        assert.match(error.detail, /invalid UTF-8/);
        assert.equal(error.location?.line, 4, `cut at ${cut}`);
        return true;
      });
    }
  });

  it('NDJSON: names a bad line before an invalid byte in the same chunk first', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":1}\nnot json\n{"a":"'),
      Buffer.from([0xff]),
      Buffer.from('"}\n'),
    ]);
    const source = openNdjson(Readable.from([bytes]), { name: 'input', onBadRecord: abort });
    await assert.rejects(
      (async () => {
        for await (const _ of source.batches());
      })(),
      (error: SluiceError) => error.location?.line === 2 && !/UTF-8/.test(error.detail),
    );
  });
});
