import type { LogicalType } from './dialects/dialect.js';
import { SluiceError } from './errors.js';
import { defaultCsvDialect, type CsvDialect } from './util/csv-dialect.js';

/** The library's options that say how a CSV/TSV file is written (see LoadOptions). */
export interface CsvOptions {
  /** One character between fields (default `,`, a tab for TSV). */
  readonly delimiter?: string;
  /** The quote character (default `"`); '' for none. */
  readonly quote?: string;
  /** An escape character, MySQL-style (`\t \n \r \0 \b \Z`, `\N` alone is NULL); default none. */
  readonly escape?: string;
  /** false: the first line is a record (names from `columns: [...]` or the table's order). */
  readonly header?: boolean;
  /** Preamble lines before the header (or the first record); line numbers still count them. */
  readonly skipLines?: number;
  /** Unquoted fields written as one of these are NULL (default `['']`; `[]`: none). */
  readonly nullStrings?: readonly string[];
  /** Quoted fields matching a null string are NULL too (default false). */
  readonly nullQuoted?: boolean;
}

/** Each option's CLI flag, for messages. */
export const CSV_FLAGS_BY_OPTION: Record<keyof CsvOptions, string> = {
  delimiter: '--delimiter',
  quote: '--quote',
  escape: '--escape',
  header: '--no-header',
  skipLines: '--skip-lines',
  nullStrings: '--null',
  nullQuoted: '--null-quoted',
};

export const CSV_OPTION_NAMES = [
  'delimiter',
  'quote',
  'escape',
  'header',
  'skipLines',
  'nullStrings',
  'nullQuoted',
] as const satisfies readonly (keyof CsvOptions)[];

export const LOGICAL_TYPES: readonly LogicalType[] = [
  'integer',
  'real',
  'decimal',
  'boolean',
  'date',
  'timestamp',
  'timestamptz',
  'json',
  'text',
  'bytes',
];

/** The CSV options given (not undefined), as flags: for refusing them on NDJSON or JSON. */
export function csvOptionsGiven(options: CsvOptions): string[] {
  return CSV_OPTION_NAMES.filter((name) => options[name] !== undefined).map(
    (name) => CSV_FLAGS_BY_OPTION[name],
  );
}

/**
 * The dialect a CSV/TSV file is read with: the format's defaults with the options given. Checks
 * what cannot work together (BAD_USAGE): these are the checks `validateOptions` runs first.
 */
export function csvDialectFor(options: CsvOptions, format: 'csv' | 'tsv'): CsvDialect {
  const base = defaultCsvDialect(format);
  const delimiter = options.delimiter ?? base.delimiter;
  const quote = options.quote ?? base.quote;
  // An escape equal to the quote is CSV's own doubling ("" inside quotes), which is the default.
  const escape = options.escape === undefined || options.escape === quote ? '' : options.escape;
  character('delimiter', delimiter, false);
  character('quote', quote, true);
  character('escape', escape, true);
  if (quote === delimiter)
    throw usage(`the quote and the delimiter are both ${show(delimiter)}`, 'choose two different characters');
  if (escape !== '' && escape === delimiter)
    throw usage(
      `the escape character and the delimiter are both ${show(delimiter)}`,
      'choose two different characters',
    );
  const skipLines = options.skipLines ?? 0;
  if (!Number.isSafeInteger(skipLines) || skipLines < 0)
    throw usage(`skipLines must be a whole number of at least 0, got ${String(options.skipLines)}`);
  const nullStrings = options.nullStrings ?? base.nullStrings;
  if (!Array.isArray(nullStrings) || nullStrings.some((n) => typeof n !== 'string'))
    throw usage('nullStrings must be an array of strings');
  for (const text of nullStrings) {
    const inside = [delimiter, quote, '\n', '\r'].find((c) => c !== '' && text.includes(c));
    if (inside !== undefined)
      throw usage(
        `the NULL string ${show(text)} holds ${show(inside)}, so no unquoted field can be written as it`,
      );
  }
  const nullQuoted = options.nullQuoted ?? false;
  if (nullQuoted && quote === '')
    throw usage(
      'quoted NULL strings (--null-quoted) need a quote character',
      'drop --null-quoted or give --quote',
    );
  return { delimiter, quote, escape, header: options.header ?? true, skipLines, nullStrings, nullQuoted };
}

/** Checks the CSV options on their own (the format is not known yet): the TSV defaults are the CSV ones. */
export function validateCsvOptions(
  options: CsvOptions & { columns?: unknown; types?: unknown; limit?: unknown },
): void {
  // The pairs (quote against delimiter, ...) are checked when the file opens and its format is known.
  if (options.delimiter !== undefined) character('delimiter', options.delimiter, false);
  if (options.quote !== undefined) character('quote', options.quote, true);
  if (options.escape !== undefined) character('escape', options.escape, true);
  if (options.skipLines !== undefined && (!Number.isSafeInteger(options.skipLines) || options.skipLines < 0))
    throw usage(`skipLines must be a whole number of at least 0, got ${String(options.skipLines)}`);
  if (
    options.nullStrings !== undefined &&
    (!Array.isArray(options.nullStrings) || options.nullStrings.some((n) => typeof n !== 'string'))
  )
    throw usage('nullStrings must be an array of strings');
  if (options.header !== undefined && typeof options.header !== 'boolean')
    throw usage('header must be true or false');
  const columns = options.columns;
  if (Array.isArray(columns)) {
    if (options.header !== false)
      throw usage(
        'a list of column names applies to a file without a header',
        'add --no-header (header: false), or give renames as src=dst',
      );
    if (columns.length === 0) throw usage('the column list names no column');
    const seen = new Set<string>();
    for (const name of columns as unknown[]) {
      if (typeof name !== 'string' || name === '') throw usage('a column name in the list is empty');
      if (seen.has(name)) throw usage(`the column ${show(name)} is named twice`);
      seen.add(name);
    }
  } else if (options.header === false && columns !== undefined) {
    throw usage(
      'without a header, --columns names the fields in file order (a,b,c); renames (src=dst) need a header',
      'give the names the table has, in file order',
    );
  }
  if (options.types !== undefined) {
    if (typeof options.types !== 'object' || options.types === null) throw usage('types must be an object');
    for (const [column, type] of Object.entries(options.types)) {
      if (column === '') throw usage('a type override names no column');
      if (!LOGICAL_TYPES.includes(type as LogicalType))
        throw usage(
          `unknown type ${show(String(type))} for column ${show(column)}`,
          `use one of ${LOGICAL_TYPES.join(', ')}`,
        );
    }
  }
}

function character(name: string, value: unknown, optional: boolean): void {
  if (typeof value !== 'string') throw usage(`${name} must be a string`);
  if (value === '' && optional) return;
  if ([...value].length !== 1 || value.length !== 1)
    throw usage(
      `the ${name} must be one character, got ${show(value)}`,
      name === 'delimiter' ? 'use a single character such as ";" or "|", or \\t for a tab' : undefined,
    );
  if (value === '\n' || value === '\r') throw usage(`the ${name} cannot be a line break`);
}

function show(text: string): string {
  return text === '\t' ? '"\\t" (tab)' : JSON.stringify(text);
}

function usage(message: string, hint?: string): SluiceError {
  return new SluiceError('BAD_USAGE', message, hint === undefined ? {} : { hint });
}
