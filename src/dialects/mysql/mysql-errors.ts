import { ServerWarning } from './mysql-warnings.js';

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
