import { errorChain, SOCKET_ERRORS } from '../../util/error-chain.js';
import { isWriteSetTooBig } from './galera.js';
import { ServerWarning } from './mysql-warnings.js';

const ER_ERROR_DURING_COMMIT = 1180;

interface DriverError {
  message?: unknown;
  sqlMessage?: unknown;
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
}

/**
 * The server's own words and its codes: mysql2 errors carry the symbolic code (ER_DUP_ENTRY), the
 * errno (1062) and the SQLSTATE (23000); warnings turned into errors carry their number.
 */
export function describeMysqlError(error: unknown): { message: string; code?: string } {
  if (error instanceof ServerWarning) {
    return { message: error.detail, code: `${error.level.toLowerCase()} ${error.errno}` };
  }
  if (!(error instanceof Error)) return { message: String(error) };
  const e = error as DriverError;
  // "at row N" counts rows of the failing statement; sluice names the source line instead.
  const message = (typeof e.sqlMessage === 'string' ? e.sqlMessage : error.message).replace(
    / at row \d+$/,
    '',
  );
  const parts: string[] = [];
  if (typeof e.code === 'string') parts.push(e.code);
  // Only server errors have a SQLSTATE; a socket error's errno is the OS's, not the server's.
  if (typeof e.sqlState === 'string') parts.push(`errno ${String(e.errno)}`, `SQLSTATE ${e.sqlState}`);
  return parts.length === 0 ? { message } : { message, code: parts.join(', ') };
}

/**
 * Errors worth a reconnect and a retry from the last checkpoint: the connection was lost or
 * killed (KILL, server shutdown, gone away, lost during query), or the transaction lost a race
 * (deadlock, lock wait timeout). Nothing about the rows themselves.
 */
const TRANSIENT_ERRNOS = new Set([1213, 1205, 1927, 1053, 2006, 2013, 1047, 1040]);
const TRANSIENT_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ER_CONNECTION_KILLED', 'ER_SERVER_SHUTDOWN']);

export function isTransientMysqlError(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (typeof e.errno === 'number' && TRANSIENT_ERRNOS.has(e.errno)) return true;
    // Galera: a commit that failed while the cluster lost a node ("Not connected to Primary
    // Component") was rolled back and passes once a Primary view forms again; a write set over the
    // cluster's limits fails the same way at any retry (isWriteSetTooBig: split instead).
    if (e.errno === ER_ERROR_DURING_COMMIT && !isWriteSetTooBig(error)) return true;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code !== undefined && (TRANSIENT_CODES.has(code) || SOCKET_ERRORS.has(code))) return true;
    // mysql2 refuses commands on a connection that a fatal error closed.
    if (typeof e.message === 'string' && /connection is in closed state/i.test(e.message)) return true;
  }
  return false;
}
