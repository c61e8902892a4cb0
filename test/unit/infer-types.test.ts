import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferType, typeOfText } from '../../src/rows/infer-types.js';

describe('type inference', () => {
  it('recognises text forms', () => {
    const cases: [string, string][] = [
      ['42', 'integer'],
      ['-7', 'integer'],
      ['0', 'integer'],
      ['007', 'text'],
      ['3.5', 'real'],
      ['-0.25', 'real'],
      ['1e10', 'real'],
      ['1.', 'text'],
      ['.', 'text'],
      ['2024-02-29', 'date'],
      ['2023-02-29', 'text'],
      ['2024-13-01', 'text'],
      ['2024-01-02 03:04:05', 'timestamp'],
      ['2024-01-02T03:04:05.123', 'timestamp'],
      ['2024-01-02T03:04:05Z', 'timestamptz'],
      ['2024-01-02T03:04:05+02:00', 'timestamptz'],
      ['12345678901234567890', 'text'],
      ['hello', 'text'],
    ];
    for (const [text, type] of cases) assert.equal(typeOfText(text), type, text);
  });

  it('widens across values and ignores nulls', () => {
    assert.equal(inferType(['1', null, '2']), 'integer');
    assert.equal(inferType(['1', '2.5']), 'real');
    assert.equal(inferType(['1', 'x']), 'text');
    assert.equal(inferType([null, null]), 'text');
    assert.equal(inferType(['2024-01-01', '2024-01-01 10:00']), 'timestamp');
  });

  it('types JS values', () => {
    assert.equal(inferType([1, 2]), 'integer');
    assert.equal(inferType([1, 2.5]), 'real');
    assert.equal(inferType([10n]), 'integer');
    assert.equal(inferType([true, false]), 'boolean');
    assert.equal(inferType([new Date()]), 'timestamptz');
    assert.equal(inferType([{ a: 1 }, [1, 2]]), 'json');
    assert.equal(inferType([Buffer.from('x')]), 'bytes');
  });
});
