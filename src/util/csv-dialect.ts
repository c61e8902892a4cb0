/**
 * How a delimited file is written: the settings the CSV parser (src/sources/csv-parser.ts), the raw
 * COPY guard (dialects/postgres/csv-guard.ts) and the LOAD DATA rewriter
 * (dialects/mysql/load-data-csv.ts) share. Here, in util/, because sources and dialects both read
 * it and dialects import nothing from sources.
 */
export interface CsvDialect {
  /** One character between fields: `,` for CSV, a tab for TSV, or what --delimiter says. */
  readonly delimiter: string;
  /** One character around a field that holds delimiters, quotes or newlines; '' for none. */
  readonly quote: string;
  /**
   * '' for none (the default). Otherwise the character that escapes the next one, anywhere in a
   * field, as MySQL's ESCAPED BY does: `\0 \b \n \r \t \Z` are NUL, backspace, LF, CR, tab and
   * Ctrl-Z, a field that is exactly `\N` is NULL, and any other escaped character stands for itself.
   */
  readonly escape: string;
  /** The first record (after the skipped lines) names the columns. */
  readonly header: boolean;
  /** Lines (newline-terminated) before the header or the first record, read past unparsed. */
  readonly skipLines: number;
  /**
   * An unquoted field written exactly as one of these is NULL. Default `['']`: an empty unquoted
   * field is NULL (and `""` the empty string). `[]`: nothing is NULL but an escaped `\N`.
   */
  readonly nullStrings: readonly string[];
  /** A quoted field whose text is one of the null strings is NULL too (default false). */
  readonly nullQuoted: boolean;
  /**
   * The file's encoding (a WHATWG name, as --encoding gives it) when it is not UTF-8; undefined
   * for UTF-8. The raw paths read it: COPY's ENCODING, LOAD DATA's CHARACTER SET.
   */
  readonly encoding?: string;
}

export const DEFAULT_NULL_STRINGS: readonly string[] = [''];

/** The RFC 4180 defaults with the format's delimiter. */
export function defaultCsvDialect(format: 'csv' | 'tsv'): CsvDialect {
  return {
    delimiter: format === 'tsv' ? '\t' : ',',
    quote: '"',
    escape: '',
    header: true,
    skipLines: 0,
    nullStrings: DEFAULT_NULL_STRINGS,
    nullQuoted: false,
  };
}

/** Only the delimiter differs from RFC 4180: what the raw paths took before dialect options. */
export function isPlainCsv(dialect: CsvDialect): boolean {
  return (
    dialect.quote === '"' &&
    dialect.escape === '' &&
    dialect.header &&
    dialect.skipLines === 0 &&
    !dialect.nullQuoted &&
    dialect.nullStrings.length === 1 &&
    dialect.nullStrings[0] === ''
  );
}

/** One character that is a single UTF-8 byte (ASCII): what COPY and LOAD DATA take as is. */
export function isSingleByte(char: string): boolean {
  return char.length === 1 && char.charCodeAt(0) < 0x80;
}

/** The escaped character's meaning (MySQL's ESCAPED BY sequences); `N` is handled by the caller. */
export function unescapeChar(char: string): string {
  switch (char) {
    case '0':
      return '\0';
    case 'b':
      return '\b';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'Z':
      return '\x1a';
    default:
      return char;
  }
}

/**
 * The dialect of a later part of a file (a raw copy cut into statements of N records, or resumed
 * at a checkpoint): the same delimiter, quote, escape and NULL strings, but no header line and no
 * preamble lines, which only the part that opens the file holds (a byte order mark too: callers
 * pass `opensFile` false for that).
 */
export function partDialect(dialect: CsvDialect, opensFile: boolean): CsvDialect {
  return opensFile ? dialect : { ...dialect, header: false, skipLines: 0 };
}
