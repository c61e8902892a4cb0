import type { ColumnDefinition, ColumnInfo, Session, TableInfo, TableRef } from './dialects/dialect.js';
import { SluiceError, excerpt } from './errors.js';
import { tableRef, validateOptions, type LoadOptions } from './options.js';
import { choosePlan } from './plan/choose-method.js';
import { resolveConflict } from './plan/conflict.js';
import type { Plan } from './plan/plan.js';
import { parseColumnMap } from './rows/column-map.js';
import { checkHeaderNames, nameHeader } from './rows/header-names.js';
import { inferType } from './rows/infer-types.js';
import { createRowMapper, type RowMapper } from './rows/row-mapper.js';
import { RejectSink } from './rejects/reject-sink.js';
import { openSource, type LoadInput } from './sources/from-input.js';
import { sampleSource, type SampledSource } from './sources/sample.js';
import type { RowSource, SourceStart, TextField } from './sources/source.js';

const DEFAULT_SAMPLE = 1000;

/** Everything decided before the first row is written; `explain` stops here. */
export interface PreparedLoad {
  readonly ref: TableRef;
  readonly source: RowSource;
  readonly sample: SampledSource;
  readonly table: TableInfo;
  /** CREATE TABLE to run first, when the table is missing. */
  readonly ddl: string | undefined;
  readonly mapper: RowMapper;
  readonly plan: Plan;
  /** Skip mode: where rejected rows go. */
  readonly rejects: RejectSink | undefined;
  /** Records the parser refused (skip mode): they count as read and rejected. */
  readonly sourceRejects: { count: number };
  /** What sluice decided about the created table's columns (generated names, conversions), for the report. */
  readonly notes: readonly string[];
}

export async function prepareLoad(
  session: Session,
  table: string | TableRef,
  input: LoadInput,
  options: LoadOptions,
  /** A resumed load: where the source goes on, and the rejects file appended to. */
  resume?: { readonly start: SourceStart },
): Promise<PreparedLoad> {
  validateOptions(options);
  const ref = tableRef(table);
  const renames = parseColumnMap(options.columns);
  const skipping = options.onError === 'skip';
  let rejects: RejectSink | undefined;
  const sourceRejects = { count: 0 };
  const source = await openSource(input, {
    format: options.format,
    stdin: options.stdin,
    start: resume?.start,
    lenient: skipping,
    onBadRecord: skipping
      ? (name, unit) => {
          rejects = new RejectSink({
            rejects: options.rejects,
            maxErrors: options.maxErrors,
            source: name,
            unit,
            append: resume !== undefined,
          });
          return (bad) => {
            sourceRejects.count++;
            rejects!.add({ line: bad.line, code: 'BAD_INPUT', reason: bad.reason, record: bad.raw });
          };
        }
      : undefined,
  });
  try {
    const sampleSize = options.sampleSize ?? DEFAULT_SAMPLE;
    const sample = await sampleSource(source, sampleSize);
    if (sample.columns.length === 0) {
      throw new SluiceError('BAD_INPUT', 'the input has no rows to learn the columns from', {
        location: { source: source.name },
      });
    }
    let info = await session.describeTable(ref);
    let ddl: string | undefined;
    // The source's column names: a CSV header's own, or, for a table sluice creates, named in full.
    let columns = sample.columns;
    let omitted: readonly number[] = [];
    const notes: string[] = [];
    const converters = new Map<string, (field: string) => unknown>();
    if (info === undefined) {
      const create = options.create ?? session.capabilities.createsMissingTables;
      if (!create) {
        throw new SluiceError('TABLE_NOT_FOUND', `table ${session.sql.table(ref)} does not exist`, {
          hint: 'add --create to create it from the data (create: true in the library), or check --table',
        });
      }
      if (source.kind === 'text') {
        const complete = sample.records.length < sampleSize;
        const named = nameHeader(sample.columns, sample.records as TextField[][], complete);
        ({ names: columns, omitted } = named);
        notes.push(...named.notes);
      }
      const definitions = inferColumns(source.name, sample, columns, omitted, renames, options);
      ddl = session.sql.createTable(ref, definitions);
      for (const d of source.kind === 'text' ? definitions : []) {
        const converter = session.createdColumnConverter?.(d.type);
        if (converter === undefined) continue;
        converters.set(d.name, converter.convert);
        notes.push(`column ${excerpt(d.name)}: ${converter.why} (the file is parsed, not sent raw)`);
      }
      info = {
        ref,
        columns: definitions.map((d) => ({
          name: d.name,
          type: session.sql.typeName(d.type).toLowerCase(),
          nullable: true,
          hasDefault: false,
        })),
      };
    } else if (source.kind === 'text') {
      checkHeaderNames(
        sample.columns,
        source.name,
        info.columns.map((c) => c.name),
      );
    }
    const mapperOptions = { renames, defaults: options.defaults, convert: undefined, omitted };
    const shape = createRowMapper(source, columns, info, mapperOptions);
    const extraColumns = shape.columns.length !== columns.length;
    const conflict =
      options.onConflict === undefined
        ? undefined
        : resolveConflict(options.onConflict, info, session.sql.table(ref), shape.columns);
    const plan = choosePlan({
      capabilities: session.capabilities,
      requested: options.method ?? 'auto',
      columns: shape.columns.length,
      // A malformed record in the sample is reported by sluice's parser, after the rows before it.
      rawCsvEligible:
        source.kind === 'text' &&
        source.path !== undefined &&
        !extraColumns &&
        converters.size === 0 &&
        !sample.hasBadRecord,
      batchSize: options.batchSize,
      commitEvery: options.commitEvery,
      onError: options.onError ?? 'abort',
      conflict,
    });
    // Parameterised methods bind driver values; the bulk encoders read JS values themselves.
    const statements = plan.method !== 'copy';
    const convert = source.kind === 'objects' && statements ? (v: unknown) => session.toParam(v) : undefined;
    const sessionConverter =
      source.kind === 'text' && statements && session.textFieldConverter !== undefined
        ? (column: ColumnInfo) => session.textFieldConverter!(column)
        : undefined;
    // A created column's conversion applies on every method; the session's own only to statements.
    const textFieldConverter =
      converters.size === 0
        ? sessionConverter
        : (column: ColumnInfo) => converters.get(column.name) ?? sessionConverter?.(column);
    const valueConverter =
      source.kind === 'objects' && session.valueConverter !== undefined
        ? (column: ColumnInfo) => session.valueConverter!(column)
        : undefined;
    const mapper =
      convert === undefined && textFieldConverter === undefined && valueConverter === undefined
        ? shape
        : createRowMapper(source, columns, info, {
            ...mapperOptions,
            convert,
            textFieldConverter,
            valueConverter,
          });
    return { ref, source, sample, table: info, ddl, mapper, plan, rejects, sourceRejects, notes };
  } catch (error) {
    source.close();
    await rejects?.close();
    throw error;
  }
}

/**
 * Column definitions for CREATE TABLE: source columns (renamed) with inferred types, then
 * defaults. `columns` are the source's names by position; the `omitted` positions get none.
 */
function inferColumns(
  sourceName: string,
  sample: SampledSource,
  columns: readonly string[],
  omitted: readonly number[],
  renames: ReadonlyMap<string, string>,
  options: LoadOptions,
): ColumnDefinition[] {
  const definitions: ColumnDefinition[] = columns.flatMap((column, index) => {
    if (omitted.includes(index)) return [];
    const values = sample.records.map((record) =>
      Array.isArray(record) ? (record as TextField[])[index] : (record as Record<string, unknown>)[column],
    );
    return [{ name: renames.get(column) ?? column, type: inferType(values) }];
  });
  for (const [name, value] of Object.entries(options.defaults ?? {})) {
    if (definitions.some((d) => d.name === name)) continue;
    const sampleValue = typeof value === 'function' ? (value as () => unknown)() : value;
    definitions.push({ name, type: inferType([sampleValue]) });
  }
  const seen = new Set<string>();
  for (const d of definitions) {
    if (d.name === '')
      throw new SluiceError('BAD_INPUT', 'a column has an empty name in the header', {
        location: { source: sourceName, line: 1 },
      });
    if (seen.has(d.name))
      throw new SluiceError('BAD_INPUT', `the column name ${JSON.stringify(d.name)} appears twice`);
    seen.add(d.name);
  }
  return definitions;
}
