import { SluiceError } from '../errors.js';

/** Parses `--columns src=dst,...` into a rename map (source name → table column). */
export function parseColumnMap(
  spec: string | readonly string[] | Record<string, string> | undefined,
): Map<string, string> {
  const map = new Map<string, string>();
  if (spec === undefined) return map;
  if (typeof spec === 'object' && !Array.isArray(spec)) {
    for (const [from, to] of Object.entries(spec)) map.set(from, to);
    return map;
  }
  const items =
    typeof spec === 'string' ? spec.split(',') : (spec as readonly string[]).flatMap((s) => s.split(','));
  for (const item of items) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) {
      throw new SluiceError(
        'BAD_USAGE',
        `--columns expects src=dst pairs separated by commas, got ${JSON.stringify(item)}`,
        eq === -1
          ? { hint: 'names without = (a,b,c) are for a file with no header line: add --no-header' }
          : {},
      );
    }
    map.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return map;
}
