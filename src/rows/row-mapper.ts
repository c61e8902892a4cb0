import type { ColumnInfo, RowChunk, TableInfo } from '../dialects/dialect.js';
import { SluiceError, excerpt } from '../errors.js';
import type { RecordBatch, RowSource, TextField } from '../sources/source.js';
import { defaultProducer, type Defaults } from './defaults.js';
import { slicePositions } from '../util/record-positions.js';

/** Marks a field the row does not have: the column gets the database default, not NULL. */
export const MISSING: unique symbol = Symbol('sluice.missing');

/**
 * Rows aligned to `columns`. `shapes[i]` lists the column indexes row i lacks, joined with commas
 * ('' when it has every column); it is undefined when every row in the chunk has every column.
 */
export interface MappedChunk extends RowChunk {
  readonly shapes: readonly string[] | undefined;
  /**
   * A chunk with no rows that says the next pull needs the connection (refs looked up, ids
   * reserved): a bulk stream in progress ends before it pulls on, and a new one starts after.
   */
  readonly barrier?: true;
}

/** The barrier chunk (see MappedChunk.barrier). */
export const BARRIER: MappedChunk = {
  rows: [],
  lines: [],
  ordinals: [],
  ends: [],
  shapes: undefined,
  barrier: true,
};

export interface RowMapperOptions {
  readonly renames: ReadonlyMap<string, string>;
  readonly defaults: Defaults | undefined;
  /** Converts a JS value to the driver's parameter form; not applied to CSV/TSV text. */
  readonly convert: ((value: unknown) => unknown) | undefined;
  /** For CSV/TSV text bound by statements: the session's cheaper form of a column's fields. */
  readonly textFieldConverter?: (column: ColumnInfo) => ((field: string) => unknown) | undefined;
  /**
   * CSV/TSV header positions (0-based) the table has no column for: their fields are dropped, and
   * a record with a value there is refused rather than lose it (see header-names.ts).
   */
  readonly omitted?: readonly number[];
  /** For JS values: the session's conversion for a column's type (Session.valueConverter), before `convert`. */
  readonly valueConverter?: (column: ColumnInfo) => ((value: unknown) => unknown) | undefined;
}

export interface RowMapper {
  /** Table columns the rows are aligned to. */
  readonly columns: readonly string[];
  /**
   * The batch's rows aligned to the columns. A record that cannot be mapped ends the chunk before
   * it, with the error as `failure`: the rows before it are written first, so a database error on
   * one of them (the first bad row in source order) is the one reported.
   */
  map(batch: RecordBatch<TextField[]> | RecordBatch<Record<string, unknown>>): {
    chunk: MappedChunk;
    failure?: SluiceError;
  };
}

/**
 * Maps source records onto table columns: renames (--columns), client-side defaults for missing
 * fields, and a check that every source field names a real column. CSV/TSV rows pass through as
 * the same arrays (no copy) unless defaults add columns.
 */
export function createRowMapper(
  source: RowSource,
  sourceColumns: readonly string[],
  table: TableInfo,
  options: RowMapperOptions,
): RowMapper {
  const omitted = [...(options.omitted ?? [])].sort((a, b) => b - a);
  const kept = omitted.length === 0 ? sourceColumns : sourceColumns.filter((_, i) => !omitted.includes(i));
  const targetOf = resolveColumns(source.name, kept, options.renames, table.columns);
  const defaults = Object.entries(options.defaults ?? {}).map(([name, value]) => ({
    column: matchColumn(name, table.columns) ?? unknownColumn(source.name, name, table.columns, 'defaults'),
    produce: defaultProducer(value),
  }));

  if (source.kind === 'text') {
    const fromHeader = kept.map((c) => targetOf.get(c)!);
    const extra = defaults.filter((d) => !fromHeader.includes(d.column));
    const columns = [...fromHeader, ...extra.map((d) => d.column)];
    const converted = textConversions(fromHeader, table.columns, options.textFieldConverter);
    return {
      columns,
      map(batch) {
        const records = batch.records as TextField[][];
        if (omitted.length > 0) dropOmitted(source.name, records, batch.lines, omitted);
        for (const { index, convert } of converted) {
          for (const record of records) {
            const field = record[index];
            if (field != null) (record as unknown[])[index] = convert(field);
          }
        }
        if (extra.length > 0) {
          for (const record of records) for (const d of extra) (record as unknown[]).push(d.produce());
        }
        const { lines, ordinals, ends } = batch;
        return { chunk: { rows: records, lines, ordinals, ends, shapes: undefined } };
      },
    };
  }

  // Objects: the sample's keys resolve as above (renames, case); any other table column is filled
  // by a field of exactly its name, so a key first seen after the sample still finds its column.
  const keyOf = new Map<string, string>();
  for (const column of table.columns) keyOf.set(column.name, column.name);
  for (const [key, column] of targetOf) keyOf.set(column, key);
  for (const [from, to] of options.renames) keyOf.set(to, from);
  const columns = table.columns.map((c) => c.name);
  const keys = columns.map((c) => keyOf.get(c));
  const producers = columns.map((c) => defaults.find((d) => d.column === c)?.produce);
  const converts = table.columns.map((column) => valueConversion(column, options));
  const known = new Set(keyOf.values());

  return {
    columns,
    map(batch) {
      const records = batch.records as Record<string, unknown>[];
      const rows: unknown[][] = new Array<unknown[]>(records.length);
      let shapes: string[] | undefined;
      for (let r = 0; r < records.length; r++) {
        const record = records[r]!;
        const row: unknown[] = new Array<unknown>(columns.length);
        let present = 0;
        let missing = '';
        for (let c = 0; c < columns.length; c++) {
          const key = keys[c];
          let value = key === undefined ? undefined : record[key];
          if (value !== undefined) present++;
          else if (producers[c] !== undefined) value = producers[c]!();
          if (value === undefined) {
            row[c] = MISSING;
            missing = missing === '' ? String(c) : `${missing},${c}`;
          } else {
            const convert = converts[c];
            row[c] = convert === undefined ? value : convert(value);
          }
        }
        if (present !== definedKeyCount(record)) {
          const key = Object.keys(record).find((k) => record[k] !== undefined && !known.has(k));
          if (key !== undefined) {
            const failure = new SluiceError(
              'UNKNOWN_COLUMN',
              `field ${excerpt(key)} is not a column of ${table.ref.name}`,
              {
                location: { source: source.name, line: batch.lines[r], unit: source.unit },
                hint: `columns: ${table.columns.map((c) => c.name).join(', ')}`,
              },
            );
            return { chunk: cut(rows.slice(0, r), batch, r, shapes), failure };
          }
        }
        if (missing !== '' || shapes !== undefined) {
          shapes ??= new Array<string>(r).fill('');
          shapes.push(missing);
        }
        rows[r] = row;
      }
      return { chunk: cut(rows, batch, records.length, shapes) };
    },
  };
}

/** Rows mapped from the first `n` records of `batch`. */
function cut(
  rows: unknown[][],
  batch: RecordBatch<unknown>,
  n: number,
  shapes: string[] | undefined,
): MappedChunk {
  if (n === batch.records.length) {
    const { lines, ordinals, ends } = batch;
    return { rows, lines, ordinals, ends, shapes };
  }
  return { rows, ...slicePositions(batch, 0, n), shapes: shapes?.slice(0, n) };
}

/** Removes the omitted positions (sorted high to low) from each record, refusing a value there. */
function dropOmitted(
  source: string,
  records: TextField[][],
  lines: readonly number[],
  omitted: readonly number[],
): void {
  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    for (const index of omitted) {
      const field = record[index];
      if (field != null) {
        throw new SluiceError(
          'BAD_INPUT',
          `column ${index + 1} has a value, ${excerpt(field)}, but the table was created without it: it has no name in the header and was empty in every sampled record`,
          {
            location: { source, line: lines[r], column: index + 1 },
            hint: 'create the table with a column for it (or name it in the header) and load again',
          },
        );
      }
      if (index === record.length - 1) record.pop();
      else record.splice(index, 1);
    }
  }
}

function definedKeyCount(record: Record<string, unknown>): number {
  let n = 0;
  for (const key in record) if (record[key] !== undefined) n++;
  return n;
}

/** Source column → table column, after renames; exact name first, then a unique case-insensitive match. */
function resolveColumns(
  source: string,
  sourceColumns: readonly string[],
  renames: ReadonlyMap<string, string>,
  tableColumns: readonly ColumnInfo[],
): Map<string, string> {
  for (const from of renames.keys()) {
    if (!sourceColumns.includes(from)) {
      throw new SluiceError('BAD_USAGE', `--columns names ${excerpt(from)}, which the input does not have`, {
        hint: `input columns: ${sourceColumns.join(', ')}`,
      });
    }
  }
  const result = new Map<string, string>();
  const used = new Map<string, string>();
  for (const name of sourceColumns) {
    const wanted = renames.get(name) ?? name;
    const column = matchColumn(wanted, tableColumns) ?? unknownColumn(source, wanted, tableColumns, 'input');
    const previous = used.get(column);
    if (previous !== undefined) {
      throw new SluiceError(
        'BAD_INPUT',
        `input columns ${excerpt(previous)} and ${excerpt(name)} both go to column "${column}"`,
      );
    }
    used.set(column, name);
    result.set(name, column);
  }
  return result;
}

export function matchColumn(name: string, columns: readonly ColumnInfo[]): string | undefined {
  const exact = columns.find((c) => c.name === name);
  if (exact) return exact.name;
  const folded = columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0]!.name : undefined;
}

function unknownColumn(source: string, name: string, columns: readonly ColumnInfo[], where: string): never {
  throw new SluiceError('UNKNOWN_COLUMN', `${where} column ${excerpt(name)} is not in the table`, {
    location: { source },
    hint: `the table has: ${columns.map((c) => c.name).join(', ')}; rename with --columns src=dst`,
  });
}

/** A column's conversion for JS values: the session's for its type, then the driver's parameter form. */
function valueConversion(
  column: ColumnInfo,
  options: RowMapperOptions,
): ((value: unknown) => unknown) | undefined {
  const own = options.valueConverter?.(column);
  const convert = options.convert;
  if (own === undefined) return convert;
  if (convert === undefined) return own;
  return (value) => convert(own(value));
}

/** The header positions whose fields the session binds in another form, with the conversion. */
function textConversions(
  targets: readonly string[],
  tableColumns: readonly ColumnInfo[],
  converterFor: RowMapperOptions['textFieldConverter'],
): { index: number; convert: (field: string) => unknown }[] {
  if (converterFor === undefined) return [];
  const found: { index: number; convert: (field: string) => unknown }[] = [];
  targets.forEach((name, index) => {
    const column = tableColumns.find((c) => c.name === name);
    const convert = column === undefined ? undefined : converterFor(column);
    if (convert !== undefined) found.push({ index, convert });
  });
  return found;
}
