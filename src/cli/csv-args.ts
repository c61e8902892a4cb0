import { SluiceError } from '../errors.js';
import type { LogicalType } from '../dialects/dialect.js';
import type { LoadOptions } from '../options.js';

/**
 * The flags that say how a CSV/TSV file is written, and --type and --limit: declared here, in one
 * place, and spread into LOAD_OPTIONS (options.ts), so that load and explain share them.
 */
export const CSV_FLAGS = {
  delimiter: {
    type: 'string',
    help: 'CSV/TSV field delimiter: one character (\\t or tab for a tab)',
    arg: 'C',
  },
  quote: { type: 'string', help: "the quote character (default \"; '' for none)", arg: 'C' },
  escape: {
    type: 'string',
    help: 'an escape character, as in MySQL dumps: \\t \\n \\\\ and \\N (NULL) (default: none)',
    arg: 'C',
  },
  'no-header': {
    type: 'boolean',
    help: "the first line is a record: names from --columns a,b,c or the table's order",
  },
  'skip-lines': { type: 'string', help: 'skip N lines before the header (or the first record)', arg: 'N' },
  null: {
    type: 'string',
    multiple: true,
    help: "an unquoted field written as this is NULL (repeatable; default: empty '')",
    arg: 'S',
  },
  'null-quoted': {
    type: 'boolean',
    help: 'with --null: a quoted field written as a NULL string is NULL too',
  },
  type: {
    type: 'string',
    multiple: true,
    help: 'with --create: the column type instead of the inferred one (col=integer|text|...)',
    arg: 'C=T',
  },
  limit: { type: 'string', help: 'load only the first N records', arg: 'N' },
} as const;

/** The CSV flags as library options; `columns` is the --columns text (renames or, headerless, names). */
export function csvOptionsFrom(
  values: Record<string, unknown>,
  columns: string | undefined,
): Partial<LoadOptions> {
  const header = values['no-header'] === true ? false : undefined;
  const nulls = values.null as string[] | undefined;
  return {
    delimiter: character('--delimiter', values.delimiter, { '\\t': '\t', tab: '\t' }),
    quote: character('--quote', values.quote, {}),
    escape: character('--escape', values.escape, { '\\\\': '\\' }),
    header,
    skipLines: whole('--skip-lines', values['skip-lines'], 0),
    nullStrings: nulls,
    nullQuoted: values['null-quoted'] === true ? true : undefined,
    types: typesFrom(values.type as string[] | undefined),
    limit: whole('--limit', values.limit, 1),
    columns: header === false && columns !== undefined ? namesFrom(columns) : columns,
  };
}

/** One character, or a spelling of one (`\t`, `tab`). The library checks the rest. */
function character(flag: string, value: unknown, spellings: Record<string, string>): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  return spellings[text] ?? text;
}

/** Headerless: --columns a,b,c names the fields in file order; `=` means a rename, which needs a header. */
function namesFrom(columns: string): string[] {
  const names = columns.split(',').map((c) => c.trim());
  if (names.some((n) => n.includes('=')))
    throw new SluiceError('BAD_USAGE', 'with --no-header, --columns names the fields in file order: a,b,c', {
      hint: 'renames (src=dst) need a header line to rename from',
    });
  return names.filter((n) => n !== '');
}

function typesFrom(items: string[] | undefined): Record<string, LogicalType> | undefined {
  if (items === undefined) return undefined;
  const types: Record<string, LogicalType> = {};
  for (const item of items.flatMap((i) => i.split(','))) {
    const eq = item.lastIndexOf('=');
    if (eq <= 0 || eq === item.length - 1)
      throw new SluiceError('BAD_USAGE', `--type expects col=TYPE, got ${JSON.stringify(item)}`);
    types[item.slice(0, eq).trim()] = item
      .slice(eq + 1)
      .trim()
      .toLowerCase() as LogicalType;
  }
  return types;
}

function whole(flag: string, value: unknown, least: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isSafeInteger(n) || n < least) {
    throw new SluiceError(
      'BAD_USAGE',
      `${flag} takes a whole number of at least ${least}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}
