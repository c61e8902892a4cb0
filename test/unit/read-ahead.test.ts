import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAhead } from '../../src/methods/read-ahead.js';

describe('readAhead', () => {
  it('prepares the next item while the caller works on the current one, one ahead and no more', async () => {
    const log: string[] = [];
    async function* source(): AsyncGenerator<number> {
      for (let i = 1; i <= 3; i++) {
        log.push(`pull ${i}`);
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const item of readAhead(source(), (n) => n * 10)) {
      // Let the read ahead run: it waits a turn of the event loop before it pulls.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`work ${item}`);
      seen.push(item);
    }
    assert.deepEqual(seen, [10, 20, 30]);
    assert.deepEqual(log, ['pull 1', 'pull 2', 'work 10', 'pull 3', 'work 20', 'work 30']);
  });

  it("holds the source's error until the caller asks for the item it stands for", async () => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      throw new Error('bad record');
    }
    const seen: number[] = [];
    let unhandled = false;
    const onUnhandled = (): void => {
      unhandled = true;
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await assert.rejects(async () => {
        for await (const item of readAhead(source(), (n) => n)) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          seen.push(item);
        }
      }, /bad record/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(seen, [1]);
    assert.equal(unhandled, false);
  });

  it('closes the source when the caller stops early, after the pull under way', async () => {
    let closed = false;
    let pulled = 0;
    async function* source(): AsyncGenerator<number> {
      try {
        for (let i = 1; i <= 100; i++) {
          pulled++;
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    await assert.rejects(async () => {
      for await (const item of readAhead(source(), (n) => n)) {
        if (item === 2) throw new Error('statement refused');
      }
    }, /statement refused/);
    assert.equal(closed, true);
    assert.ok(pulled <= 3, `pulled ${pulled}`);
  });
});
