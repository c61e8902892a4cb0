import assert from 'node:assert/strict';
import { test } from 'node:test';
import { committedRanges } from '../../src/parallel/committed-ranges.js';

test('committed batches as ranges of row numbers: adjacent ones joined, gaps kept, in input order', () => {
  assert.equal(
    committedRanges([
      { first: 3001, count: 1000 },
      { first: 1, count: 1000 },
      { first: 1001, count: 1000 },
      { first: 6001, count: 1 },
      { first: 9001, count: 0 },
    ]),
    '1-2000, 3001-4000, 6001',
  );
  assert.equal(committedRanges([]), '');
});
