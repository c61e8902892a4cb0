import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adjacentRatios, median, medianInterval, spread, type TimedRun } from '../../bench/stats.js';

const b = (seconds: number): TimedRun => ({ kind: 'baseline', id: 'baseline', seconds });
const t = (id: string, seconds: number): TimedRun => ({ kind: 'trial', id, seconds });

describe('bench stats', () => {
  it('takes the median of odd and even lists, NaN of none', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('compares each trial run with the mean of the baseline runs around it', () => {
    // baseline 4 s, sluice 5 s, baseline 6 s: the baseline around it averaged 5 s, ratio 1.
    const ratios = adjacentRatios([b(4), t('sluice', 5), b(6), t('peer', 10), b(4)]);
    assert.deepEqual(ratios.get('sluice'), [1]);
    assert.deepEqual(ratios.get('peer'), [0.5]);
  });

  it('uses the one baseline run there is at either end, and skips a trial with none', () => {
    assert.deepEqual(adjacentRatios([t('first', 2), b(4)]).get('first'), [2]);
    assert.deepEqual(adjacentRatios([b(3), t('last', 6)]).get('last'), [0.5]);
    assert.equal(adjacentRatios([t('alone', 1)]).get('alone'), undefined);
  });

  it('looks past other trials for the nearest baseline run, one ratio per trial run', () => {
    const ratios = adjacentRatios([b(2), t('x', 1), t('generate', 9), b(4), t('x', 3), b(2)]);
    assert.deepEqual(ratios.get('x'), [3, 1]);
    assert.deepEqual(ratios.get('generate'), [3 / 9]);
  });

  it('measures spread as (max - min) / median', () => {
    assert.equal(spread([1, 2, 3]), 1);
    assert.equal(spread([5]), 0);
  });

  it('puts a bootstrap interval around the median that narrows as runs agree, the same every time', () => {
    const noisy = [0.93, 1.31, 1.02, 0.97, 1.12, 1.05, 0.99, 1.2, 0.95, 1.08];
    const wide = medianInterval(noisy);
    assert.ok(wide.low <= median(noisy) && median(noisy) <= wide.high);
    assert.ok(wide.low >= Math.min(...noisy) && wide.high <= Math.max(...noisy));
    assert.deepEqual(medianInterval(noisy), wide);
    const steady = medianInterval([1.01, 1.02, 1.02, 1.03, 1.02, 1.01, 1.03, 1.02, 1.02, 1.01]);
    assert.ok(steady.high - steady.low < (wide.high - wide.low) / 4);
    assert.deepEqual(medianInterval([1.5]), { low: 1.5, high: 1.5 });
    assert.ok(Number.isNaN(medianInterval([]).low));
  });
});
