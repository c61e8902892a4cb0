import type { Conflict, TableInfo } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { OnConflict } from '../options.js';

/**
 * The upsert's key and update columns, checked against the table: the key defaults to the primary
 * key and must be exactly the columns of a unique index or constraint (so the database can tell a
 * row exists); the update columns default to every loaded column but the key. Pure.
 */
export function resolveConflict(
  options: OnConflict,
  table: TableInfo,
  tableName: string,
  columns: readonly string[],
): Conflict {
  const uniqueKeys = table.uniqueKeys ?? [];
  const listed =
    uniqueKeys.length === 0
      ? 'it has no unique key'
      : `its unique keys: ${uniqueKeys.map((k) => `(${k.join(', ')})`).join(', ')}`;
  const key = options.key ?? uniqueKeys[0];
  if (key === undefined) {
    throw new SluiceError('BAD_USAGE', `table ${tableName} has no primary key or unique key to upsert on`, {
      hint: 'add a unique index (or a primary key) on the columns that identify a row, then give --key',
    });
  }
  const same = (k: readonly string[]): boolean => k.length === key.length && k.every((c) => key.includes(c));
  if (!uniqueKeys.some(same)) {
    throw new SluiceError(
      'BAD_USAGE',
      `--key ${key.join(',')}: table ${tableName} has no unique index or constraint on exactly these columns; ${listed}`,
      { hint: 'use one of its unique keys as --key, or add a unique index on these columns' },
    );
  }
  for (const c of key) {
    if (!columns.includes(c))
      throw new SluiceError(
        'BAD_USAGE',
        `the key column ${JSON.stringify(c)} is not among the loaded columns`,
        {
          hint: 'every row must carry its key: map a source column to it (--columns) or choose another --key',
        },
      );
  }
  const update = options.update ?? columns.filter((c) => !key.includes(c));
  for (const c of update) {
    if (!columns.includes(c))
      throw new SluiceError('BAD_USAGE', `--update ${JSON.stringify(c)} is not among the loaded columns`, {
        hint: `use some of: ${columns.filter((x) => !key.includes(x)).join(', ')}`,
      });
    if (key.includes(c))
      throw new SluiceError('BAD_USAGE', `--update ${JSON.stringify(c)} is part of the key`, {
        hint: 'a key column identifies the row and is never rewritten',
      });
  }
  const types = new Map(table.columns.map((c) => [c.name, c.type]));
  return { key: [...key], action: options.action, update: [...update], types };
}
