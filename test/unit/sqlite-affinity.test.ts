import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalIntegerOrText, hasIntegerAffinity } from '../../src/dialects/sqlite/sqlite-affinity.js';

describe('SQLite affinity for CSV text', () => {
  it('INTEGER affinity is any declared type containing INT, as SQLite decides it', () => {
    // POINT has INTEGER affinity in SQLite too: the rule is a substring match.
    for (const type of ['integer', 'INT', 'bigint', 'tinyint', 'POINT', 'int_data'])
      assert.equal(hasIntegerAffinity(type), true, type);
    for (const type of ['text', 'real', 'numeric', 'timestamp', '', 'blob'])
      assert.equal(hasIntegerAffinity(type), false, type);
  });

  it('canonical integers that a double holds exactly become numbers', () => {
    for (const [text, value] of [
      ['0', 0],
      ['7', 7],
      ['-42', -42],
      ['999999999999999', 999999999999999],
      ['-999999999999999', -999999999999999],
    ] as const) {
      assert.equal(canonicalIntegerOrText(text), value, text);
    }
  });

  it('everything else stays text', () => {
    for (const text of [
      '',
      '-',
      '-0',
      '007',
      '00',
      '+5',
      ' 5',
      '5 ',
      '1e3',
      '1.0',
      '0x10',
      '12a',
      '1000000000000000',
      '-1000000000000000',
      '٣',
    ])
      assert.equal(canonicalIntegerOrText(text), text, JSON.stringify(text));
  });
});
