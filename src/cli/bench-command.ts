import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { benchChart } from '../bench/chart-svg.js';
import { benchTable, count } from '../bench/bench-table.js';
import { runBench } from '../bench/ladder.js';
import { rungChild } from '../bench/rung.js';
import type { ScratchTables } from '../bench/scratch-tables.js';
import { SluiceError, isSluiceError } from '../errors.js';
import { tableRef } from '../options.js';
import { METHOD_CHOICES, type MethodChoice } from '../plan/plan.js';
import { redactSecret } from '../util/redact-url.js';
import { interrupts } from './bench-signals.js';
import { onConflictFrom } from './conflict-args.js';
import type { CommandContext } from './load-command.js';
import { DEFAULT_DB } from './options.js';
import { packageVersion } from './version.js';

/** The options of `sluice bench`, one line of help each (docs/cli-reference.md is made from them). */
const BENCH_OPTIONS = {
  db: { type: 'string', help: 'database URL (default: $DATABASE_URL, else sqlite:sluice.db)', arg: 'URL' },
  rows: { type: 'string', help: 'rows each rung loads (default 100000)', arg: 'N' },
  methods: {
    type: 'string',
    help: 'the rungs, in order (default row,values,pipeline,copy,auto)',
    arg: 'LIST',
  },
  table: {
    type: 'string',
    help: "bench scratch copies of this table's structure (default: the guide's users/roles)",
    arg: 'T',
  },
  chart: {
    type: 'string',
    help: 'write a bar chart of rows/s per method (log scale) to this SVG file',
    arg: 'FILE',
  },
  json: { type: 'boolean', help: 'print the results as one JSON object on stdout' },
  runs: {
    type: 'string',
    help: 'run every rung K times, interleaved; report medians and ranges (default 1)',
    arg: 'K',
  },
  sample: {
    type: 'string',
    help: 'rows the row rung loads, its time scaled to --rows (default 1000)',
    arg: 'N',
  },
  'on-conflict': {
    type: 'string',
    help: 'update or ignore: bench the upsert ladder (half the keys exist)',
    arg: 'MODE',
  },
  key: {
    type: 'string',
    help: 'with --on-conflict: the key columns (default: username; with --table, its primary key)',
    arg: 'COLS',
  },
  update: { type: 'string', help: 'with --on-conflict update: the columns to rewrite', arg: 'COLS' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies Record<
  string,
  { type: 'string' | 'boolean'; help: string; arg?: string; short?: string }
>;

const DEFAULT_METHODS: readonly MethodChoice[] = ['row', 'values', 'pipeline', 'copy', 'auto'];

function optionHelp(): string {
  const rows = Object.entries(BENCH_OPTIONS).map(([name, spec]) => {
    const flag = `${'short' in spec ? `-${spec.short}, ` : ''}--${name}${'arg' in spec ? ` ${spec.arg}` : ''}`;
    return [flag, spec.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`).join('\n');
}

export const BENCH_HELP = `Measure the guide's method ladder (row, values, pipeline, copy, auto) on your database, in scratch tables.

  sluice bench --db postgres://localhost/app --rows 100000 --chart bench.svg
  sluice bench --db mysql://root@localhost/app --table orders --runs 3

Every rung loads the same generated rows into an empty scratch table (sluice_bench_<random>_…) in
a process of its own; the scratch tables are dropped at the end, after a failure and on Ctrl-C.
Your own tables are never written. Needs the right to create a table, nothing else.

Usage: sluice bench [options]

${optionHelp()}
`;

interface BenchArgs {
  readonly db: string;
  readonly rows: number;
  readonly sample: number;
  readonly runs: number;
  readonly methods: readonly MethodChoice[];
  readonly table: string | undefined;
  readonly chart: string | undefined;
  readonly json: boolean;
  readonly values: Record<string, unknown>;
}

function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BenchArgs | 'help' {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(BENCH_OPTIONS))
    options[name] = { type: spec.type, ...('short' in spec ? { short: spec.short } : {}) };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false })
      .values as typeof values;
  } catch (error) {
    throw new SluiceError('BAD_USAGE', (error as Error).message, { hint: 'see sluice bench --help' });
  }
  if (values.help === true) return 'help';
  const methods = (values.methods as string | undefined)?.split(',').map((m) => m.trim()) ?? DEFAULT_METHODS;
  for (const method of methods)
    if (!METHOD_CHOICES.includes(method as MethodChoice))
      throw new SluiceError('BAD_USAGE', `unknown method ${JSON.stringify(method)} in --methods`, {
        hint: `use some of ${DEFAULT_METHODS.join(',')}`,
      });
  return {
    db: (values.db as string | undefined) ?? (env.DATABASE_URL || DEFAULT_DB),
    rows: whole('--rows', values.rows, 100_000),
    sample: whole('--sample', values.sample, 1000),
    runs: whole('--runs', values.runs, 1),
    methods: [...new Set(methods as MethodChoice[])],
    table: values.table as string | undefined,
    chart: values.chart as string | undefined,
    json: values.json === true,
    values,
  };
}

function whole(flag: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isSafeInteger(n) || n < 1)
    throw new SluiceError(
      'BAD_USAGE',
      `${flag} takes a whole number of at least 1, got ${JSON.stringify(value)}`,
    );
  return n;
}

/** `sluice bench`: the ladder on the user's database, printed as the guide's table (or JSON), and drawn. */
export async function benchCommand(context: CommandContext): Promise<number> {
  // One rung, in the child process the bench itself started (see src/bench/rung.ts). Ctrl-C in a
  // terminal reaches the whole process group: the parent decides, and kills this child itself.
  if (context.argv[0] === '--rung') {
    process.on('SIGINT', () => undefined);
    return rungChild(process.stdin, context.stdout);
  }
  const args = parseBenchArgs(context.argv, context.env);
  if (args === 'help') {
    context.stdout.write(BENCH_HELP);
    return 0;
  }
  const onConflict = onConflictFrom(args.values);
  const progress = progressLine(context);
  const controller = new AbortController();
  let scratch: ScratchTables | undefined;
  const signals = interrupts({
    stop: (name) => controller.abort(new SluiceError('LOAD_FAILED', `interrupted by ${name}`)),
    remaining: () => scratch?.remaining() ?? [],
    dropping: () => scratch?.dropping(),
    write: (text) => {
      progress.clear();
      context.stderr.write(text);
    },
    exit: (code) => process.exit(code),
  });
  const onSignal = (name: NodeJS.Signals): void => signals.onSignal(name);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runBench({
      url: args.db,
      rows: args.rows,
      sample: args.sample,
      methods: args.methods,
      runs: args.runs,
      table: args.table === undefined ? undefined : tableRef(args.table),
      onConflict,
      childArgv: [process.execPath, ...process.execArgv, process.argv[1]!],
      sluiceVersion: packageVersion(),
      signal: controller.signal,
      onRung: (e) => progress.show(`[${e.index + 1}/${e.total}] ${e.method}: ${count(e.rows)} rows`),
      onScratch: (s) => (scratch = s),
    });
    progress.clear();
    if (args.chart !== undefined) writeFileSync(args.chart, benchChart(result));
    if (args.json) context.stdout.write(JSON.stringify({ ...result, chart: args.chart ?? null }) + '\n');
    else {
      context.stdout.write(benchTable(result));
      if (args.chart !== undefined) context.stdout.write(`\nchart: ${args.chart}\n`);
    }
    return 0;
  } catch (error) {
    progress.clear();
    const interrupted = controller.signal.aborted;
    const sluice = isSluiceError(error) ? error : undefined;
    const message = interrupted
      ? `interrupted by ${signals.caught ?? 'a signal'}`
      : (sluice?.message ?? (error instanceof Error ? error.message : String(error)));
    const lines = [`sluice: bench: ${message}`];
    if (!interrupted && sluice?.hint) lines.push(`hint: ${sluice.hint}`);
    const left = scratch?.remaining() ?? [];
    lines.push(
      left.length === 0
        ? 'the scratch tables were removed; your tables were not touched'
        : `left behind: ${left.join(', ')} (drop with: DROP TABLE ${left.join(', ')};)`,
    );
    context.stderr.write(redactSecret(lines.join('\n'), args.db) + '\n');
    if (interrupted) return 130;
    return sluice?.exitCode ?? 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // An interrupted bench is on its way out with 130. A further Ctrl-C that lands after the
    // cleanup finished but before the process ends would otherwise meet the default action and
    // kill it by signal, losing the exit status the user (or a script) relies on.
    if (signals.caught !== undefined) {
      const leave = (): never => process.exit(130);
      process.on('SIGINT', leave);
      process.on('SIGTERM', leave);
    }
  }
}

/** Which rung runs, on stderr: a terminal only (no bar when piped or with CI set). */
function progressLine(context: CommandContext): { show(text: string): void; clear(): void } {
  const stream = context.stderrStream;
  if (!stream.isTTY || process.env.CI) return { show: () => undefined, clear: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  let shown = false;
  return {
    show(text) {
      const started = Date.now();
      clearInterval(timer);
      const draw = (): void => {
        stream.write(`\r\x1b[K${text} · ${((Date.now() - started) / 1000).toFixed(1)} s`);
        shown = true;
      };
      draw();
      timer = setInterval(draw, 200);
      timer.unref();
    },
    clear() {
      clearInterval(timer);
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
