import { SluiceError } from '../errors.js';
import type { OnConflict } from '../options.js';

/** --on-conflict error|ignore|update with --key and --update, as the library's onConflict. */
export function onConflictFrom(values: Record<string, unknown>): OnConflict | undefined {
  const action = values['on-conflict'] as string | undefined;
  const key = list(values.key);
  const update = list(values.update);
  if (action === undefined || action === 'error') {
    if (key !== undefined || update !== undefined)
      throw new SluiceError('BAD_USAGE', '--key and --update only apply to an upsert', {
        hint: 'add --on-conflict update (or ignore)',
      });
    return undefined;
  }
  if (action !== 'update' && action !== 'ignore')
    throw new SluiceError('BAD_USAGE', `unknown --on-conflict ${JSON.stringify(action)}`, {
      hint: 'use error, ignore or update',
    });
  return { action, ...(key === undefined ? {} : { key }), ...(update === undefined ? {} : { update }) };
}

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return String(value)
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}
