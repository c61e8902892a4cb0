/**
 * Rows made up to fit a user's table (`sluice bench --table T`): one value maker per column, chosen
 * from the column's declared type, and foreign key columns filled from the parent's existing keys.
 * The recipe is plain data, so the bench hands it to the child process that loads the rows, and
 * the rows are made there lazily: memory stays flat whatever the row count.
 *
 * Row i (1-based) gets values derived from i, so values of a column are distinct wherever the type
 * has room (a unique index holds), and the same i gives the same row in every run.
 */
import type { ColumnInfo, TableInfo } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { ForeignKey } from './scratch-sql.js';

export type ValueMaker =
  | { readonly kind: 'integer'; readonly max: number }
  | { readonly kind: 'decimal'; readonly integerDigits: number; readonly scale: number }
  | { readonly kind: 'real' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'time' }
  | { readonly kind: 'year' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'json' }
  | { readonly kind: 'bytes'; readonly max: number | undefined }
  | { readonly kind: 'text'; readonly max: number | undefined; readonly prefix: string }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** Column `part` of a tuple of the parent's keys (foreign key `key`), cycled through. */
  | { readonly kind: 'foreign'; readonly key: number; readonly part: number }
  /** Column `part` of a tuple of values sampled from the user's table (group `group`), cycled. */
  | { readonly kind: 'sampled'; readonly group: number; readonly part: number }
  | { readonly kind: 'null' };

export interface RowRecipe {
  readonly columns: readonly string[];
  readonly makers: readonly ValueMaker[];
  /** Per foreign key, the parent's key tuples the column values are drawn from. */
  readonly parentKeys: readonly (readonly (readonly unknown[])[])[];
  /**
   * Per group of columns whose generated values broke a CHECK constraint, tuples of their values
   * read from the user's table (as text), which pass it (check-fit.ts).
   */
  readonly samples: readonly (readonly (readonly unknown[])[])[];
  /** Columns that may vary between an upsert's first load and its second (not in a unique key). */
  readonly varying: readonly boolean[];
  /** What the recipe left out or could not fill, for the bench's notes. */
  readonly notes: readonly string[];
}

const INTEGER_MAX: readonly [RegExp, number][] = [
  [/tinyint/, 127],
  [/smallint|int2\b|smallserial/, 32_767],
  [/mediumint/, 8_388_607],
  [/bigint|int8\b|bigserial/, Number.MAX_SAFE_INTEGER],
];

/** The maker for a column of this type, or undefined when sluice cannot make values for it. */
export function makerForType(type: string, column: string): ValueMaker | undefined {
  const t = type.toLowerCase().trim();
  const length = /\((\d+)\)/.exec(t)?.[1];
  const max = length === undefined ? undefined : Number(length);
  const enumValues = /^enum\((.*)\)$/.exec(t)?.[1];
  if (enumValues !== undefined) {
    const values = [...enumValues.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replaceAll("''", "'"));
    return values.length > 0 ? { kind: 'enum', values } : undefined;
  }
  if (/^(bool|boolean|tinyint\(1\))/.test(t)) return { kind: 'boolean' };
  if (/int|serial/.test(t)) {
    const found = INTEGER_MAX.find(([pattern]) => pattern.test(t));
    return { kind: 'integer', max: found?.[1] ?? 2_147_483_647 };
  }
  const decimal = /^(?:numeric|decimal|dec|number)(?:\((\d+)(?:,\s*(\d+))?\))?/.exec(t);
  if (decimal !== null) {
    const precision = decimal[1] === undefined ? 15 : Number(decimal[1]);
    const scale = decimal[2] === undefined ? 0 : Number(decimal[2]);
    return { kind: 'decimal', integerDigits: Math.min(precision - scale, 15), scale };
  }
  if (/real|float|double/.test(t)) return { kind: 'real' };
  if (/^date$/.test(t)) return { kind: 'date' };
  if (/timestamp|datetime/.test(t)) return { kind: 'timestamp' };
  if (/^time\b/.test(t)) return { kind: 'time' };
  if (/^year/.test(t)) return { kind: 'year' };
  if (/^uuid$/.test(t)) return { kind: 'uuid' };
  if (/^jsonb?$/.test(t)) return { kind: 'json' };
  if (/bytea|blob|binary/.test(t)) return { kind: 'bytes', max };
  if (t === '' || /char|text|clob|string/.test(t)) {
    const prefix =
      column
        .replace(/[^a-z0-9]/gi, '')
        .slice(0, 8)
        .toLowerCase() || 'v';
    return { kind: 'text', max, prefix };
  }
  return undefined;
}

/**
 * The recipe for `table`: every column without a default gets a maker (a column with a default,
 * such as an identity or serial id, is left to the database); foreign key columns take the
 * parent's keys, `parentKeys[k]` for `foreignKeys[k]`.
 */
export function recipeFor(
  table: TableInfo,
  foreignKeys: readonly ForeignKey[],
  parentKeys: readonly (readonly (readonly unknown[])[])[],
): RowRecipe {
  const columns: string[] = [];
  const makers: ValueMaker[] = [];
  const varying: boolean[] = [];
  const notes: string[] = [];
  const unique = new Set((table.uniqueKeys ?? []).flat());
  const defaults = table.columns.filter((c) => c.hasDefault).map((c) => c.name);
  if (defaults.length > 0) notes.push(`left to their defaults: ${defaults.join(', ')}`);
  for (const column of table.columns) {
    if (column.hasDefault) continue;
    const maker = foreignMaker(column, foreignKeys, parentKeys, notes) ?? makerFor(column, notes);
    columns.push(column.name);
    makers.push(maker);
    varying.push(maker.kind !== 'foreign' && !unique.has(column.name));
  }
  return { columns, makers, parentKeys, samples: [], varying, notes };
}

function foreignMaker(
  column: ColumnInfo,
  foreignKeys: readonly ForeignKey[],
  parentKeys: readonly (readonly (readonly unknown[])[])[],
  notes: string[],
): ValueMaker | undefined {
  const key = foreignKeys.findIndex((fk) => fk.columns.includes(column.name));
  if (key === -1) return undefined;
  const fk = foreignKeys[key]!;
  if ((parentKeys[key] ?? []).length > 0)
    return { kind: 'foreign', key, part: fk.columns.indexOf(column.name) };
  const parent = [fk.parent.schema, fk.parent.name].filter((p) => p !== undefined).join('.');
  if (column.nullable) {
    notes.push(`${column.name}: NULL (its parent table ${parent} has no rows to point at)`);
    return { kind: 'null' };
  }
  throw new SluiceError(
    'BAD_USAGE',
    `column "${column.name}" must point at a row of ${parent}, and ${parent} is empty`,
    { hint: `load some rows into ${parent} first, or bench the guide's schema (leave out --table)` },
  );
}

function makerFor(column: ColumnInfo, notes: string[]): ValueMaker {
  const maker = makerForType(column.type, column.name);
  if (maker !== undefined) return maker;
  if (column.nullable) {
    notes.push(`${column.name}: NULL (sluice makes no values of type ${column.type})`);
    return { kind: 'null' };
  }
  throw new SluiceError(
    'BAD_USAGE',
    `sluice bench cannot make up values for column "${column.name}" of type ${column.type} (NOT NULL, no default)`,
    { hint: "give the column a default, or bench the guide's schema (leave out --table)" },
  );
}

const DAY_MS = 86_400_000;
const DATE_BASE = Date.UTC(2000, 0, 1);
const TIMESTAMP_BASE = Date.UTC(2020, 0, 1);
/** Added to i for the values of an upsert's second load, so they differ from the first's. */
const VARIANT_OFFSET = 1_000_003;

/** The value of `maker` for row i; `variant` 1 gives the second load of an upsert other values. */
export function makeValue(maker: ValueMaker, recipe: RowRecipe, i: number, variant: number): unknown {
  const n = i + variant * VARIANT_OFFSET;
  switch (maker.kind) {
    case 'integer':
      return ((n - 1) % maker.max) + 1;
    case 'decimal': {
      const whole = maker.integerDigits > 0 ? String(n % 10 ** maker.integerDigits) : '0';
      return maker.scale > 0 ? `${whole}.${'5'.padEnd(maker.scale, '0')}` : whole;
    }
    case 'real':
      return n + 0.5;
    case 'boolean':
      return n % 2 === 0;
    case 'date':
      return new Date(DATE_BASE + (n % 36_500) * DAY_MS).toISOString().slice(0, 10);
    case 'timestamp':
      return new Date(TIMESTAMP_BASE + n * 1000);
    case 'time': {
      const s = n % 86_400;
      const two = (x: number): string => String(x).padStart(2, '0');
      return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
    }
    case 'year':
      return 1901 + (n % 254);
    case 'uuid':
      return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    case 'json':
      return { n, source: 'sluice bench' };
    case 'bytes':
      return Buffer.from(fit(`b${n}`, maker.max));
    case 'text':
      return fit(`${maker.prefix}-${n}`, maker.max, n);
    case 'enum':
      return maker.values[n % maker.values.length];
    case 'foreign': {
      const tuples = recipe.parentKeys[maker.key]!;
      return tuples[(i - 1) % tuples.length]![maker.part];
    }
    case 'sampled': {
      const tuples = recipe.samples[maker.group]!;
      return tuples[(i - 1) % tuples.length]![maker.part];
    }
    case 'null':
      return null;
  }
}

/** Text within `max` characters: the full form, else the row number in base 36 (still distinct). */
function fit(text: string, max: number | undefined, n?: number): string {
  if (max === undefined || text.length <= max) return text;
  const short = n === undefined ? text : n.toString(36);
  return short.slice(0, max);
}

/** `count` rows of the recipe as objects, lazily. */
export function* recipeRows(
  recipe: RowRecipe,
  count: number,
  variant = 0,
): Generator<Record<string, unknown>> {
  for (let i = 1; i <= count; i++) yield recipeRow(recipe, i, variant);
}

/** Row i (1-based) of the recipe. */
export function recipeRow(recipe: RowRecipe, i: number, variant = 0): Record<string, unknown> {
  const { columns, makers, varying } = recipe;
  const row: Record<string, unknown> = {};
  for (let c = 0; c < columns.length; c++)
    row[columns[c]!] = makeValue(makers[c]!, recipe, i, varying[c] ? variant : 0);
  return row;
}
