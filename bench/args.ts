import { parseArgs } from 'node:util';
import { DBS, type Db } from './targets.js';

export interface BenchArgs {
  readonly rows: number;
  readonly runs: number;
  readonly only: readonly Db[];
  /** Run only trials whose id or label contains one of these (the baseline always runs). */
  readonly filter: readonly string[];
  readonly quick: boolean;
  readonly write: boolean;
  /** Row counts for the memory trials; none with --quick. */
  readonly memoryRows: readonly number[];
}

export const USAGE = `npm run bench -- [--rows N] [--runs K] [--only sqlite,postgres,mysql] [--filter text,...]
                  [--memory-rows 1000000,5000000] [--quick] [--write]

  --rows N        rows in the users CSV (default 1000000; --quick: 100000)
  --runs K        interleaved runs per trial after the warm-up (default 3; --quick: 1)
  --only LIST     databases to measure (default: all three)
  --filter LIST   only the trials whose name contains one of these words
  --memory-rows   row counts for the peak-RSS trials (default 1000000,5000000; none with --quick)
  --quick         a short run for trying the bench itself
  --write         regenerate docs/BENCHMARKS.md from this run
`;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rows: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      filter: { type: 'string' },
      'memory-rows': { type: 'string' },
      quick: { type: 'boolean' },
      write: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const only = list(values.only).map((d) => {
    if (!(DBS as readonly string[]).includes(d)) throw new Error(`--only: unknown database ${d}`);
    return d as Db;
  });
  return {
    rows: count('--rows', values.rows) ?? (quick ? 100_000 : 1_000_000),
    runs: count('--runs', values.runs) ?? (quick ? 1 : 3),
    only: only.length > 0 ? only : DBS,
    filter: list(values.filter),
    quick,
    write: values.write === true,
    memoryRows:
      values['memory-rows'] !== undefined
        ? list(values['memory-rows']).map((n) => count('--memory-rows', n)!)
        : quick
          ? []
          : [1_000_000, 5_000_000],
  };
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1`);
  return n;
}
