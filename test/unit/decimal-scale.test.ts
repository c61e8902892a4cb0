/**
 * The digits after the point a decimal literal needs, and the scale a numeric type declares: the
 * check that keeps PostgreSQL from rounding a value into numeric(p,s).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredScale, scaleCheck, scaleNeeded } from '../../src/dialects/decimal-scale.js';
import { UnstorableValue } from '../../src/dialects/unstorable.js';
import { JsonNumber } from '../../src/util/json-number.js';

describe('decimal scale', () => {
  it('reads the scale format_type writes, and nothing from other types', () => {
    assert.equal(declaredScale('numeric(5,2)'), 2);
    assert.equal(declaredScale('numeric(10,0)'), 0);
    assert.equal(declaredScale('numeric(5,-2)'), -2);
    assert.equal(declaredScale('decimal(12,4)'), 4);
    assert.equal(declaredScale('numeric'), undefined);
    assert.equal(declaredScale('numeric(5,2)[]'), undefined);
    assert.equal(declaredScale('integer'), undefined);
  });

  it('counts the digits a literal needs after the point, zeros at the end not counted', () => {
    const cases: [string, number][] = [
      ['1.005', 3],
      ['1.2500', 2],
      ['7', 0],
      ['7.', 0],
      ['.5', 1],
      ['-0.50', 1],
      ['+3.14', 2],
      ['125e-2', 2],
      ['1.2e2', -1],
      ['1200', -2],
      ['1E-7', 7],
      ['  2.5 ', 1],
    ];
    for (const [literal, needed] of cases) assert.equal(scaleNeeded(literal), needed, literal);
    assert.equal(scaleNeeded('0.000'), Number.NEGATIVE_INFINITY);
    for (const other of ['', '.', 'NaN', 'Infinity', '1,5', '0x1A', '1e', 'abc']) {
      assert.equal(scaleNeeded(other), undefined, other);
    }
  });

  it('refuses what the column would round, keeps the value as given, passes the rest', () => {
    const check = scaleCheck('numeric(5,2)', 2);
    assert.equal(check('1.25'), '1.25');
    assert.equal(check('NaN'), 'NaN');
    assert.equal(check(null), null);
    assert.equal(check(10n), 10n);
    const refused = check('1.005');
    assert.ok(refused instanceof UnstorableValue);
    assert.equal(refused.original, '1.005');
    assert.match(refused.reason, /"1\.005" has more digits than a numeric\(5,2\) column keeps \(2 digits/);
    assert.ok(check(0.125) instanceof UnstorableValue);
    assert.ok(check(new JsonNumber('1.0000000000000000000001')) instanceof UnstorableValue);
    assert.equal(check(1.5), 1.5);
  });
});
