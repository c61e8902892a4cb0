import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parameterBytes, rowBytes, statementEnd } from '../../src/methods/statement-size.js';

describe('statement size (max_allowed_packet)', () => {
  it('counts strings in UTF-8 bytes, Buffers by length, plus a per-parameter overhead', () => {
    assert.equal(parameterBytes('abc') - parameterBytes(''), 3);
    assert.equal(parameterBytes('😀') - parameterBytes(''), 4);
    assert.equal(parameterBytes(Buffer.alloc(100)) - parameterBytes(''), 100);
    assert.ok(parameterBytes(null) > 0);
    assert.equal(rowBytes(['ab', 'é']), parameterBytes('ab') + parameterBytes('é'));
  });

  it('ends a statement at the row limit when there is no byte limit', () => {
    const rows = Array.from({ length: 10 }, () => ['x'.repeat(1000)]);
    assert.equal(statementEnd(rows, 0, 4, undefined), 4);
    assert.equal(statementEnd(rows, 8, 4, undefined), 10);
  });

  it('ends a statement before its parameters pass the byte limit', () => {
    const rows = Array.from({ length: 10 }, () => ['x'.repeat(1000)]);
    const one = rowBytes(rows[0]!);
    assert.equal(statementEnd(rows, 0, 10, 3 * one), 3);
    assert.equal(statementEnd(rows, 0, 10, 3 * one - 1), 2);
    assert.equal(statementEnd(rows, 9, 10, 3 * one), 10);
  });

  it('sends a row bigger than the limit alone, for the caller to refuse', () => {
    const rows = [['x'.repeat(5000)], ['y']];
    assert.equal(statementEnd(rows, 0, 10, 100), 1);
  });
});
