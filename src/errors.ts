import { jsonText } from './util/json-text.js';

/**
 * Every error sluice raises carries a stable code from this union. The CLI's exit status follows from
 * the code and from whether anything had been written when it happened (see `exitCodeFor`).
 * docs/errors.md has one section per code.
 */
export type ErrorCode =
  | 'BAD_USAGE' // options that cannot work together, an unknown format, a missing argument
  | 'BAD_INPUT' // the source itself is malformed: unterminated quote, wrong field count, bad JSON
  | 'UNKNOWN_COLUMN' // a source column the target table does not have
  | 'TABLE_NOT_FOUND' // the table is missing and creating it was not allowed
  | 'CONNECTION_FAILED' // the database could not be reached or refused the login
  | 'METHOD_UNAVAILABLE' // the requested method is not offered by this database
  | 'LOAD_FAILED' // the database refused a row or a statement while loading
  | 'DEADLOCK' // the load lost a lock race (deadlock, serialization failure) and could not retry it
  | 'TOO_MANY_REJECTS'; // --on-error skip reached --max-errors

/** Where in the input an error was found. `line` is 1-based; for JS inputs it is the row number. */
export interface SourceLocation {
  readonly source: string;
  readonly line?: number;
  /** 1-based field position in the record, where known. */
  readonly column?: number;
  readonly columnName?: string;
  readonly value?: unknown;
  /** 'line' for text inputs (file:line), 'row' for arrays and iterables (row N of the input). */
  readonly unit?: 'line' | 'row';
}

export interface SluiceErrorOptions {
  readonly location?: SourceLocation;
  readonly hint?: string;
  readonly cause?: unknown;
  /** Rows that are committed in the target when the error surfaced. */
  readonly rowsCommitted?: number;
  /** True once any row has been sent to the database (decides exit 1 vs 2). */
  readonly writeStarted?: boolean;
}

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set([
  'BAD_USAGE',
  'UNKNOWN_COLUMN',
  'TABLE_NOT_FOUND',
  'METHOD_UNAVAILABLE',
]);

export class SluiceError extends Error {
  override readonly name = 'SluiceError';
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;
  readonly rowsCommitted: number | undefined;
  readonly writeStarted: boolean;
  /** The message without its location prefix. */
  readonly detail: string;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(
      formatMessage(message, options.location),
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.code = code;
    this.detail = message;
    this.location = options.location;
    this.hint = options.hint;
    this.rowsCommitted = options.rowsCommitted;
    this.writeStarted = options.writeStarted ?? false;
    // The offending value may be personal data: keep it off enumerable properties so loggers that
    // serialise errors don't copy it around (the message already shows a short excerpt).
    Object.defineProperty(this, 'location', { enumerable: false });
  }

  /** 2: bad usage or bad input found before anything was written; 1: the load failed. */
  get exitCode(): 1 | 2 {
    if (USAGE_CODES.has(this.code)) return 2;
    if (this.code === 'BAD_INPUT' && !this.writeStarted) return 2;
    if (this.code === 'CONNECTION_FAILED' && !this.writeStarted) return 2;
    return 1;
  }

  /** A copy of this error with more context, keeping code, cause and location. */
  with(options: SluiceErrorOptions): SluiceError {
    const error = new SluiceError(this.code, this.detail, {
      location: this.location,
      hint: this.hint,
      cause: this.cause,
      rowsCommitted: this.rowsCommitted,
      writeStarted: this.writeStarted,
      ...options,
    });
    error.stack = this.stack;
    return error;
  }
}

export function formatLocation(location: SourceLocation): string {
  const parts: string[] = [];
  if (location.unit === 'row') {
    parts.push(location.line === undefined ? location.source : `${location.source} row ${location.line}`);
  } else {
    parts.push(location.source);
    if (location.line !== undefined) parts.push(String(location.line));
    if (location.line !== undefined && location.column !== undefined) parts.push(String(location.column));
  }
  return parts.join(':');
}

function formatMessage(message: string, location: SourceLocation | undefined): string {
  if (!location) return message;
  const column = location.columnName === undefined ? '' : `column "${location.columnName}": `;
  return `${formatLocation(location)}: ${column}${message}`;
}

/** Short, printable excerpt of a value for an error message. */
export function excerpt(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : (jsonText(value) ?? String(value));
  const shown = text.length > max ? text.slice(0, max) + '…' : text;
  return JSON.stringify(shown);
}

export function isSluiceError(error: unknown): error is SluiceError {
  return error instanceof SluiceError;
}
