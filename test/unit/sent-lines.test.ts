/** Naming the source line of row N of a bulk operation, however long ago the row was sent. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SentLines } from '../../src/methods/sent-lines.js';

describe('SentLines', () => {
  it('maps rows of contiguous and gapped chunks to their lines', () => {
    const sent = new SentLines();
    sent.add([2, 3, 4]); // rows 1-3
    sent.add([5, 8, 9]); // rows 4-6: a record spanning lines 5-7
    sent.add([]);
    sent.add([10, 11]); // rows 7-8
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((r) => sent.lineOf(r)),
      [2, 3, 4, 5, 8, 9, 10, 11],
    );
    assert.equal(sent.lineOf(0), undefined);
    assert.equal(sent.lineOf(9), undefined);
  });

  it('remembers rows sent long before the error (regression: only the last 64 chunks were kept)', () => {
    const sent = new SentLines();
    for (let chunk = 0; chunk < 5_000; chunk++)
      sent.add(Array.from({ length: 1000 }, (_, i) => chunk * 1000 + i + 1));
    assert.equal(sent.lineOf(2), 2);
    assert.equal(sent.lineOf(4_999_999), 4_999_999);
  });

  it('forgets the oldest gapped lines past a million rows rather than grow without bound', () => {
    const sent = new SentLines();
    const gapped = (start: number): number[] => Array.from({ length: 1000 }, (_, i) => start + 2 * i);
    for (let chunk = 0; chunk < 1_100; chunk++) sent.add(gapped(chunk * 2000 + 2));
    assert.equal(sent.lineOf(1), undefined);
    assert.equal(sent.lineOf(1_100_000), 1_099 * 2000 + 2 + 2 * 999);
  });
});
