import { CSV_FLAGS_BY_OPTION, CSV_OPTION_NAMES } from '../csv-options.js';
import { resolveEncoding } from '../sources/text-encoding.js';
import type { LoadOptions } from '../options.js';
import type { Format } from '../sources/source.js';

/**
 * The options that change what a load stores, as JSON in the checkpoint: a resume with other ones
 * would load the rest of the file differently from its start (or, for --parallel, cut it into
 * other parts). The method, batch size, chunk size
 * and retries may change between runs: they change how, not what.
 */
export function resumeOptionsKey(options: LoadOptions, format: Format): string {
  const columns =
    typeof options.columns === 'string' || options.columns === undefined
      ? (options.columns ?? '')
      : Object.entries(options.columns)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
  return JSON.stringify({
    format,
    columns,
    onError: options.onError ?? 'abort',
    defaults: Object.keys(options.defaults ?? {}).sort(),
    // Only when given, so the checkpoints of loads without them keep their key.
    ...(options.encoding !== undefined ? { encoding: resolveEncoding(options.encoding).name } : {}),
    ...(options.sniff !== undefined ? { sniff: options.sniff } : {}),
    // A parallel load's shares are cut by N: a resume with another N would cut other parts.
    ...((options.parallel ?? 1) > 1 ? { parallel: options.parallel } : {}),
    // The CSV dialect decides where records end and what is NULL: only the options given.
    ...Object.fromEntries(
      CSV_OPTION_NAMES.filter((name) => options[name] !== undefined).map((name) => [name, options[name]]),
    ),
  });
}

/** The options that differ, named as the CLI spells them. */
export function optionDifferences(saved: string, now: string): string[] {
  let before: Record<string, unknown>;
  try {
    before = JSON.parse(saved) as Record<string, unknown>;
  } catch {
    return ['the checkpoint was written by another version of sluice'];
  }
  const after = JSON.parse(now) as Record<string, unknown>;
  const flag: Record<string, string> = {
    format: '--format',
    columns: '--columns',
    onError: '--on-error',
    defaults: 'defaults',
    encoding: '--encoding',
    sniff: '--sniff',
    parallel: '--parallel',
    ...CSV_FLAGS_BY_OPTION,
  };
  return Object.keys(flag)
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${flag[k]} was ${JSON.stringify(before[k])}, now ${JSON.stringify(after[k])}`);
}
