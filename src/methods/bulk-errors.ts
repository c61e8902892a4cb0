import type { SourceLocation } from '../errors.js';
import type { CsvRecordAt } from '../sources/csv-record-line.js';

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
 * The record of a raw CSV the database blamed: `copyLine`, a line of the file (header = line 1),
 * or `copyRow`, a data record number (header not counted), whichever the bulk path reports.
 */
export function rawCsvRecordOf(error: unknown): CsvRecordAt | undefined {
  const line = (error as { copyLine?: unknown } | null)?.copyLine;
  if (typeof line === 'number') return { line };
  const row = copyRowOf(error);
  return row === undefined ? undefined : { record: row };
}

/** The bulk path would read a raw CSV differently from sluice's parser (see BulkCopy.copyCsv). */
export function isRawCsvUnsafe(error: unknown): boolean {
  return (error as { rawCsvUnsafe?: unknown } | null)?.rawCsvUnsafe === true;
}
