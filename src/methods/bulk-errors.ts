import type { SourceLocation } from '../errors.js';

/** The 1-based row within the bulk operation the database blamed, when the bulk path reports it. */
export function copyRowOf(error: unknown): number | undefined {
  const row = (error as { copyRow?: unknown } | null)?.copyRow;
  return typeof row === 'number' ? row : undefined;
}

/** The column the database blamed (`copyColumn`), when the bulk path reports it. */
export function copyColumnOf(error: unknown): (Partial<SourceLocation> & { columnName: string }) | undefined {
  const column = (error as { copyColumn?: unknown } | null)?.copyColumn;
  return typeof column === 'string' ? { columnName: column } : undefined;
}

/**
 * The line of a raw CSV the database blamed: `copyRow` when the bulk path knows the line the record
 * starts on (sluice parsed the bytes on their way), or `copyLine`, the line in the database's own
 * count (PostgreSQL's is not the file's newlines: BulkCopy.recordStartLine translates).
 */
export function rawCsvLineOf(
  error: unknown,
): { exact: number } | { within: number } | { record: number } | undefined {
  const row = copyRowOf(error);
  if (row !== undefined) return { exact: row };
  const line = (error as { copyLine?: unknown } | null)?.copyLine;
  if (typeof line === 'number') return { within: line };
  // The n-th record of the file (LOAD DATA's "at row n" in one statement over the whole file).
  const record = (error as { copyRecord?: unknown } | null)?.copyRecord;
  return typeof record === 'number' ? { record } : undefined;
}

/** The bulk path would read a raw CSV differently from sluice's parser (see BulkCopy.copyCsv). */
export function isRawCsvUnsafe(error: unknown): boolean {
  return (error as { rawCsvUnsafe?: unknown } | null)?.rawCsvUnsafe === true;
}
