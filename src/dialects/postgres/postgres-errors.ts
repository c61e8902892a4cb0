import { redactSecret } from '../../util/redact-url.js';
import { errorChain, SOCKET_ERRORS } from '../../util/error-chain.js';

/** The fields of a server ErrorResponse that pg's DatabaseError keeps (pg-protocol messages.ts). */
export interface PostgresServerError extends Error {
  /** SQLSTATE, e.g. 23505 unique_violation, 22P02 invalid_text_representation. */
  readonly code: string;
  readonly severity?: string;
  readonly detail?: string;
  readonly hint?: string;
  /** CONTEXT: for COPY, "COPY users, line 7, column email: "…"". */
  readonly where?: string;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly constraint?: string;
}

export function isServerError(error: unknown): error is PostgresServerError {
  if (!(error instanceof Error) || !('severity' in error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * A server ErrorResponse after which the connection is still in step: the server refused one
 * statement and answers ReadyForQuery next. Not a FATAL or PANIC (the backend is gone), a
 * connection exception (class 08) or an operator's shutdown or termination (57P01
 * pg_terminate_backend, 57P02, 57P03, 57P04), which end the session. The SQLSTATE is checked as
 * well as the severity, which the server translates with lc_messages.
 */
export function isStatementError(error: unknown): boolean {
  if (!isServerError(error)) return false;
  if (error.severity === 'FATAL' || error.severity === 'PANIC') return false;
  return !error.code.startsWith('08') && !error.code.startsWith('57P');
}

/**
 * The server's own words: its message, then its DETAIL ("Key (username)=(bob) already exists."),
 * with the SQLSTATE as code. Other errors (a socket reset, a value sluice cannot send) keep their
 * message and Node's code. Any trace of the connection password is removed.
 */
export function describePostgresError(
  error: unknown,
  url: string | undefined,
): { message: string; code?: string } {
  if (isServerError(error)) {
    const message = error.detail ? `${error.message}: ${error.detail}` : error.message;
    return { message: redactSecret(message, url), code: error.code };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = redactSecret(error.message, url);
    return typeof code === 'string' ? { message, code } : { message };
  }
  return { message: redactSecret(String(error), url) };
}

/**
 * Where in a COPY the server stopped, from the CONTEXT line "COPY <table>, line N[, column C: …]".
 * Table and column names are matched against the ones sent, so a hostile name holding ", line 9"
 * cannot mislead; only the untranslated parts are matched (pgloader's copy-retry-batch does the
 * same), so a server speaking another language (lc_messages) yields nothing rather than a wrong line.
 */
export function copyPosition(
  error: unknown,
  table: string,
  columns: readonly string[],
): { line: number; column: string | undefined } | undefined {
  const where = isServerError(error) ? error.where : undefined;
  if (where === undefined) return undefined;
  const prefix = `COPY ${table}, line `;
  for (const entry of where.split('\n')) {
    if (!entry.startsWith(prefix)) continue;
    const digits = /^\d+/.exec(entry.slice(prefix.length));
    if (digits === null) continue;
    const rest = entry.slice(prefix.length + digits[0].length);
    // The longest name that fits, so columns "a" and "a: b" cannot be confused.
    const column = [...columns]
      .sort((x, y) => y.length - x.length)
      .find((c) => rest === `, column ${c}` || rest.startsWith(`, column ${c}: `));
    return { line: Number(digits[0]), column };
  }
  return undefined;
}

/**
 * SQLSTATEs worth a reconnect and a retry from the last checkpoint: the connection or the server
 * went away (class 08, admin/crash shutdown, cannot connect now, too many connections), or the
 * transaction lost a race (serialization failure, deadlock). Nothing about the rows themselves.
 */
const TRANSIENT_STATES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300']);

export function isTransientPostgresError(error: unknown): boolean {
  for (const e of errorChain(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (
      code !== undefined &&
      (TRANSIENT_STATES.has(code) || code.startsWith('08') || SOCKET_ERRORS.has(code))
    )
      return true;
    // pg reports a socket closed under it by message only.
    if (
      typeof e.message === 'string' &&
      /connection terminated|not queryable|Connection ended/i.test(e.message)
    )
      return true;
  }
  return false;
}
