/**
 * The arithmetic behind the ratios. Times on a shared machine drift and jump, so a trial is only
 * ever compared with the baseline runs right next to it in the same sequence, and the figure
 * reported is the median of those comparisons.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One timed run in the order it ran: a baseline run, or a run of trial `id`. */
export interface TimedRun {
  readonly kind: 'baseline' | 'trial';
  readonly id: string;
  readonly seconds: number;
}

/**
 * Throughput ratios (baseline seconds / trial seconds: higher is better, 1 = as fast as the
 * baseline) of every trial run against its adjacent baseline runs: the mean of the baseline run
 * just before and the one just after, or the one that exists at either end of the sequence. A
 * trial run with no baseline run anywhere gets no ratio.
 */
export function adjacentRatios(sequence: readonly TimedRun[]): Map<string, number[]> {
  const ratios = new Map<string, number[]>();
  for (let i = 0; i < sequence.length; i++) {
    const run = sequence[i]!;
    if (run.kind !== 'trial') continue;
    const before = nearestBaseline(sequence, i, -1);
    const after = nearestBaseline(sequence, i, 1);
    const neighbours = [before, after].filter((s): s is number => s !== undefined);
    if (neighbours.length === 0 || run.seconds <= 0) continue;
    const baseline = neighbours.reduce((a, b) => a + b, 0) / neighbours.length;
    const list = ratios.get(run.id) ?? [];
    list.push(baseline / run.seconds);
    ratios.set(run.id, list);
  }
  return ratios;
}

function nearestBaseline(sequence: readonly TimedRun[], from: number, step: 1 | -1): number | undefined {
  for (let j = from + step; j >= 0 && j < sequence.length; j += step) {
    const run = sequence[j]!;
    if (run.kind === 'baseline') return run.seconds;
  }
  return undefined;
}

/** Spread of a list as (max - min) / median, to say how noisy a figure was. */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return m > 0 ? (Math.max(...values) - Math.min(...values)) / m : 0;
}

/** The median and the extremes of a list: what `--runs K` reports for each figure. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * A bootstrap interval for the median of `values`: the median of `resamples` lists drawn from
 * `values` with replacement, and the range holding the middle `level` of them. On a machine whose
 * speed swings by 20 % from one run to the next, a median ratio of 1.03 alone does not say
 * whether the trial is 3 % slower or as fast; the interval does. Drawn from a fixed seed, so the
 * same runs always give the same interval.
 */
export function medianInterval(
  values: readonly number[],
  level = 0.9,
  resamples = 2000,
  seed = 1,
): { readonly low: number; readonly high: number } {
  if (values.length === 0) return { low: Number.NaN, high: Number.NaN };
  let state = seed >>> 0;
  const next = (): number => {
    // mulberry32: small, fast and good enough to draw indexes.
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 2 ** 32;
  };
  const medians: number[] = [];
  const draw = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) draw[i] = values[Math.floor(next() * values.length)]!;
    medians.push(median(draw));
  }
  medians.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return {
    low: medians[Math.floor(tail * (resamples - 1))]!,
    high: medians[Math.ceil((1 - tail) * (resamples - 1))]!,
  };
}
