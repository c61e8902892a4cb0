import { query, type CoreConnection } from './mysql-client.js';

/**
 * MySQL and MariaDB report many changed or dropped values as warnings rather than errors: strict
 * mode turns most into errors for INSERT, but LOAD DATA LOCAL downgrades them all again (a
 * truncated string, a bad date stored as a zero date, a clamped number, a skipped duplicate or
 * foreign-key failure, a missing or extra field). sluice treats every warning and note on a write
 * as a failure: this is the error it raises for one.
 */
export class ServerWarning extends Error {
  override readonly name = 'ServerWarning';
  constructor(
    message: string,
    /** The server's number for it (1265 data truncated, 1062 duplicate entry …). */
    readonly errno: number,
    readonly level: string,
    /** 1-based row within the statement, when the message names one ("at row 3", "Row 3 …"). */
    readonly row: number | undefined,
  ) {
    super(message);
  }

  /** The server's words, without the statement-relative row number that sluice maps to a line. */
  get detail(): string {
    return this.message.replace(/ at row \d+$/, '').replace(/^Row \d+ /, 'the row ');
  }
}

interface WarningRow {
  Level: string;
  Code: number;
  Message: string;
}

/** The warnings of the last statement (at most max_error_count of them, 64 by default). */
export async function readWarnings(connection: CoreConnection): Promise<ServerWarning[]> {
  const rows = await query<WarningRow[]>(connection, 'SHOW WARNINGS');
  return rows.map((w) => new ServerWarning(w.Message, Number(w.Code), w.Level, rowOf(w.Message)));
}

export function rowOf(message: string): number | undefined {
  const match = / at row (\d+)$/.exec(message) ?? /^Row (\d+) /.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The counts in a LOAD DATA OK packet: "Records: 3  Deleted: 0  Skipped: 1  Warnings: 1". */
export function loadDataCounts(info: string | undefined): { records: number; skipped: number } | undefined {
  const match = /Records: (\d+)\s+Deleted: \d+\s+Skipped: (\d+)/.exec(info ?? '');
  return match ? { records: Number(match[1]), skipped: Number(match[2]) } : undefined;
}

/** A LOAD DATA that applied fewer rows than it was sent, without a warning saying why. */
export class RowsNotStored extends Error {
  override readonly name = 'RowsNotStored';
}
