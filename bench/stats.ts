/** The bench's arithmetic lives in src/bench/stats.ts, shared with `sluice bench`. */
export {
  adjacentRatios,
  median,
  medianInterval,
  spread,
  summarize,
  type Spread,
  type TimedRun,
} from '../src/bench/stats.js';
