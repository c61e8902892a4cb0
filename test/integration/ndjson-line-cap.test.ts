/**
 * Issue 11, defect 11: an NDJSON line had no length cap, so a huge file without a newline grew
 * memory without bound. A line is capped as CSV records are (MAX_RECORD_CHARS), with an error
 * naming the line; in skip mode the long line is rejected and the lines after it load. The long
 * line is generated lazily, a megabyte at a time, so neither the test nor sluice holds it whole.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { open, SluiceError, type Handle } from '../../src/index.js';
import type { Reject } from '../../src/rejects/reject.js';
import { MAX_RECORD_CHARS } from '../../src/sources/csv-parser.js';
import { freshTarget, type TestTarget } from '../support/targets.js';

const MB = 1 << 20;

/** Line 1 and 3 are good; line 2 is `{"a":"xxx…` of `megabytes` MiB; `pulled` counts its chunks. */
function ndjson(megabytes: number, pulled: { chunks: number }): Readable {
  const filler = Buffer.alloc(MB, 'x');
  return Readable.from(
    (async function* () {
      yield Buffer.from('{"id":1}\n{"id":2,"pad":"');
      for (let i = 0; i < megabytes; i++) {
        pulled.chunks++;
        yield filler;
      }
      yield Buffer.from('"}\n{"id":3}\n');
    })(),
  );
}

describe('issue 11 defect 11: an NDJSON line is capped like a CSV record', () => {
  let target: TestTarget;
  let db: Handle;
  before(async () => {
    target = await freshTarget('sqlite');
    db = await open(target.url);
  });
  after(async () => {
    await db.close();
    await target.close();
  });

  it('abort: a line past the cap is BAD_INPUT naming the line, and reading stops there', async () => {
    const pulled = { chunks: 0 };
    const megabytes = 64;
    await assert.rejects(
      db.load('capped', ndjson(megabytes, pulled), { format: 'ndjson' }),
      (error: unknown) =>
        error instanceof SluiceError &&
        error.code === 'BAD_INPUT' &&
        error.message === `input:2: line longer than ${MAX_RECORD_CHARS} characters`,
    );
    // Stopped at the cap (16 MiB of 64), not after reading the whole line into memory.
    assert.ok(pulled.chunks <= MAX_RECORD_CHARS / MB + 2, `${pulled.chunks} MiB read`);
  });

  it('skip: the long line is rejected, the lines after it load', async () => {
    const rejects: Reject[] = [];
    const report = await db.load('skipped', ndjson(24, { chunks: 0 }), {
      format: 'ndjson',
      onError: 'skip',
      rejects: (r) => rejects.push(r),
    });
    assert.deepEqual([report.rowsRead, report.rowsLoaded, report.rowsRejected], [3, 2, 1]);
    assert.equal(rejects.length, 1);
    assert.equal(rejects[0]!.line, 2);
    assert.equal(rejects[0]!.reason, `line longer than ${MAX_RECORD_CHARS} characters`);
    assert.ok(rejects[0]!.record.length <= 200);
    assert.deepEqual(await target.query('SELECT id FROM skipped ORDER BY id'), [{ id: 1 }, { id: 3 }]);
  });
});
