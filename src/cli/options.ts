import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SluiceError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import type { MethodChoice } from '../plan/plan.js';
import type { Format } from '../sources/source.js';
import { tableFromPath } from '../sources/from-input.js';
import { onConflictFrom } from './conflict-args.js';
import { CSV_FLAGS, csvOptionsFrom } from './csv-args.js';
import { BYTE_LAYER_OPTIONS, byteLayerFrom } from './byte-layer-args.js';

/** The load options, declared once for `load` and `explain` (one line of help each). */
export const LOAD_OPTIONS = {
  db: { type: 'string', help: 'database URL (default: $DATABASE_URL, else sqlite:sluice.db)', arg: 'URL' },
  table: { type: 'string', help: "target table (default: the file's base name)", arg: 'NAME' },
  format: { type: 'string', help: "csv, tsv, ndjson or json (default: the file's extension)", arg: 'FMT' },
  ...BYTE_LAYER_OPTIONS,
  method: { type: 'string', help: 'auto (default), copy, values, pipeline or row', arg: 'M' },
  'batch-size': { type: 'string', help: 'rows per INSERT (values) or per batch (pipeline, copy)', arg: 'N' },
  columns: {
    type: 'string',
    multiple: true,
    help: 'rename input columns: src=dst,... (with --no-header: the names, a,b,c)',
    arg: 'MAP',
  },
  create: { type: 'boolean', help: 'create a missing table from inferred types (always on for SQLite)' },
  ...CSV_FLAGS,
  'on-error': {
    type: 'string',
    help: 'abort (default): stop at the first bad row; skip: reject it, load the rest',
    arg: 'MODE',
  },
  rejects: {
    type: 'string',
    help: 'with --on-error skip: write rejected rows here (CSV: line,code,reason,record)',
    arg: 'FILE',
  },
  'max-errors': { type: 'string', help: 'with --on-error skip: stop after N rejected rows', arg: 'N' },
  'on-conflict': {
    type: 'string',
    help: 'error (default): a duplicate key fails; update: upsert; ignore: keep existing rows',
    arg: 'MODE',
  },
  key: {
    type: 'string',
    help: 'with --on-conflict: the unique key columns (default: the primary key)',
    arg: 'COLS',
  },
  update: {
    type: 'string',
    help: 'with --on-conflict update: the columns to rewrite (default: all but the key)',
    arg: 'COLS',
  },
  'commit-every': {
    type: 'string',
    help: 'commit every N rows, each chunk with a checkpoint in the sluice_checkpoints table (0: one transaction)',
    arg: 'N',
  },
  resume: {
    type: 'boolean',
    help: 'go on from the checkpoint of an interrupted load of this file and table',
  },
  retries: {
    type: 'string',
    help: 'with --commit-every: reconnect and go on after N transient failures (default 3, 0: off)',
    arg: 'N',
  },
  ref: {
    type: 'string',
    multiple: true,
    help: 'fill a foreign key from a natural key: field=table.column[:fk_column] (a,b=table.x,y composite)',
    arg: 'REF',
  },
  'create-missing-refs': { type: 'boolean', help: 'with --ref: insert the parents whose key is unknown' },
  parallel: {
    type: 'string',
    help: 'load a file over N connections, each a part of it, committed in chunks (not one transaction)',
    arg: 'N',
  },
  'defer-constraints': {
    type: 'boolean',
    help: 'drop keys, indexes and foreign keys after BEGIN, rebuild them before COMMIT (one transaction)',
  },
  json: { type: 'boolean', help: 'print one JSON object with the report on stdout' },
  quiet: { type: 'boolean', help: 'no progress bar, no summary' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies Record<
  string,
  { type: 'string' | 'boolean'; help: string; arg?: string; multiple?: boolean; short?: string }
>;

export interface ParsedLoadArgs {
  readonly input: string;
  readonly db: string;
  readonly table: string;
  readonly options: LoadOptions;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
}

export const DEFAULT_DB = 'sqlite:sluice.db';

export function parseLoadArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedLoadArgs {
  const config: ParseArgsConfig = {
    args: [...argv],
    options: stripHelp(LOAD_OPTIONS),
    allowPositionals: true,
    strict: true,
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw new SluiceError(
      'BAD_USAGE',
      (error as Error).message.replace(/\. To specify a positional.*$/s, ''),
      {
        hint: 'see sluice load --help',
      },
    );
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values.help === true;
  if (help) return { input: '', db: '', table: '', options: {}, json: false, quiet: false, help };
  if (parsed.positionals.length !== 1) {
    throw new SluiceError(
      'BAD_USAGE',
      parsed.positionals.length === 0
        ? 'missing the input file (or - for stdin)'
        : `expected one input, got ${parsed.positionals.length}`,
      {
        hint: 'usage: sluice load <file|-> [options]',
      },
    );
  }
  const input = parsed.positionals[0]!;
  const table = (values.table as string | undefined) ?? (input === '-' ? undefined : tableFromPath(input));
  if (table === undefined)
    throw new SluiceError('BAD_USAGE', 'reading stdin needs --table', { hint: 'add --table NAME' });
  const options: LoadOptions = {
    format: values.format as Format | undefined,
    method: values.method as MethodChoice | undefined,
    batchSize: integer('--batch-size', values['batch-size']),
    ...csvOptionsFrom(values, (values.columns as string[] | undefined)?.join(',')),
    create: values.create === true ? true : undefined,
    commitEvery: count('--commit-every', values['commit-every']),
    onError: values['on-error'] as 'abort' | 'skip' | undefined,
    rejects: values.rejects as string | undefined,
    maxErrors: integer('--max-errors', values['max-errors']),
    resume: values.resume === true ? true : undefined,
    retries: count('--retries', values.retries),
    onConflict: onConflictFrom(values),
    refs: refsFrom(values.ref as string[] | undefined),
    createMissingRefs: values['create-missing-refs'] === true ? true : undefined,
    deferConstraints: values['defer-constraints'] === true ? true : undefined,
    parallel: integer('--parallel', values.parallel),
    ...byteLayerFrom(values),
  };
  return {
    input,
    // An empty DATABASE_URL counts as unset, as in most tools that read it.
    db: (values.db as string | undefined) ?? (env.DATABASE_URL || DEFAULT_DB),
    table,
    options,
    json: values.json === true,
    quiet: values.quiet === true,
    help,
  };
}

/** `--ref field=table.column` (repeatable) as the library's `refs` object. */
function refsFrom(specs: readonly string[] | undefined): Record<string, string> | undefined {
  if (specs === undefined) return undefined;
  const refs: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1)
      throw new SluiceError('BAD_USAGE', `--ref ${JSON.stringify(spec)}: expected field=table.column`, {
        hint: 'e.g. --ref role=roles.name, --ref role=roles.name:role_id, --ref region,code=areas.region,code',
      });
    refs[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  return refs;
}

function integer(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isSafeInteger(n) || n < 1) {
    throw new SluiceError(
      'BAD_USAGE',
      `${flag} takes a whole number of at least 1, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function count(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isSafeInteger(n)) {
    throw new SluiceError('BAD_USAGE', `${flag} takes a whole number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function stripHelp(options: typeof LOAD_OPTIONS): ParseArgsConfig['options'] {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(options)) {
    const { type } = spec;
    out[name] = {
      type,
      ...('multiple' in spec ? { multiple: spec.multiple } : {}),
      ...('short' in spec ? { short: spec.short } : {}),
    };
  }
  return out;
}

/** `--name ARG   help` lines, aligned, for --help and docs/cli-reference.md. */
export function optionHelp(): string {
  const rows = Object.entries(LOAD_OPTIONS).map(([name, spec]) => {
    const flag = `${'short' in spec ? `-${spec.short}, ` : ''}--${name}${'arg' in spec ? ` ${spec.arg}` : ''}`;
    return [flag, spec.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`).join('\n');
}
