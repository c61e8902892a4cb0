import type { ColumnDefinition, ColumnInfo, Session, TableInfo, TableRef } from './dialects/dialect.js';
import { SluiceError } from './errors.js';
import { tableRef, validateOptions, type LoadOptions } from './options.js';
import { choosePlan } from './plan/choose-method.js';
import type { Plan } from './plan/plan.js';
import { parseColumnMap } from './rows/column-map.js';
import { inferType } from './rows/infer-types.js';
import { createRowMapper, type RowMapper } from './rows/row-mapper.js';
import { RejectSink } from './rejects/reject-sink.js';
import { openSource, type LoadInput } from './sources/from-input.js';
import { sampleSource, type SampledSource } from './sources/sample.js';
import type { RowSource, TextField } from './sources/source.js';

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
}

export async function prepareLoad(
  session: Session,
  table: string | TableRef,
  input: LoadInput,
  options: LoadOptions,
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
    lenient: skipping,
    onBadRecord: skipping
      ? (name, unit) => {
          rejects = new RejectSink({
            rejects: options.rejects,
            maxErrors: options.maxErrors,
            source: name,
            unit,
          });
          return (bad) => {
            sourceRejects.count++;
            rejects!.add({ line: bad.line, code: 'BAD_INPUT', reason: bad.reason, record: bad.raw });
          };
        }
      : undefined,
  });
  try {
    const sample = await sampleSource(source, options.sampleSize ?? DEFAULT_SAMPLE);
    if (sample.columns.length === 0) {
      throw new SluiceError('BAD_INPUT', 'the input has no rows to learn the columns from', {
        location: { source: source.name },
      });
    }
    let info = await session.describeTable(ref);
    let ddl: string | undefined;
    if (info === undefined) {
      const create = options.create ?? session.capabilities.createsMissingTables;
      if (!create) {
        throw new SluiceError('TABLE_NOT_FOUND', `table ${session.sql.table(ref)} does not exist`, {
          hint: 'add --create to create it from the data (create: true in the library), or check --table',
        });
      }
      const definitions = inferColumns(source.name, sample, renames, options);
      ddl = session.sql.createTable(ref, definitions);
      info = {
        ref,
        columns: definitions.map((d) => ({
          name: d.name,
          type: session.sql.typeName(d.type).toLowerCase(),
          nullable: true,
          hasDefault: false,
        })),
      };
    }
    const mapperOptions = { renames, defaults: options.defaults, convert: undefined };
    const shape = createRowMapper(source, sample.columns, info, mapperOptions);
    const extraColumns = shape.columns.length !== sample.columns.length;
    const plan = choosePlan({
      capabilities: session.capabilities,
      requested: options.method ?? 'auto',
      columns: shape.columns.length,
      rawCsvEligible: source.kind === 'text' && source.path !== undefined && !extraColumns,
      batchSize: options.batchSize,
      commitEvery: options.commitEvery,
      onError: options.onError ?? 'abort',
    });
    // Parameterised methods bind driver values; the bulk encoders read JS values themselves.
    const statements = plan.method !== 'copy';
    const convert = source.kind === 'objects' && statements ? (v: unknown) => session.toParam(v) : undefined;
    const textFieldConverter =
      source.kind === 'text' && statements && session.textFieldConverter !== undefined
        ? (column: ColumnInfo) => session.textFieldConverter!(column)
        : undefined;
    const valueConverter =
      source.kind === 'objects' && session.valueConverter !== undefined
        ? (column: ColumnInfo) => session.valueConverter!(column)
        : undefined;
    const mapper =
      convert === undefined && textFieldConverter === undefined && valueConverter === undefined
        ? shape
        : createRowMapper(source, sample.columns, info, {
            ...mapperOptions,
            convert,
            textFieldConverter,
            valueConverter,
          });
    return { ref, source, sample, table: info, ddl, mapper, plan, rejects, sourceRejects };
  } catch (error) {
    source.close();
    await rejects?.close();
    throw error;
  }
}

/** Column definitions for CREATE TABLE: source columns (renamed) with inferred types, then defaults. */
function inferColumns(
  sourceName: string,
  sample: SampledSource,
  renames: ReadonlyMap<string, string>,
  options: LoadOptions,
): ColumnDefinition[] {
  const definitions: ColumnDefinition[] = sample.columns.map((column, index) => {
    const values = sample.records.map((record) =>
      Array.isArray(record) ? (record as TextField[])[index] : (record as Record<string, unknown>)[column],
    );
    return { name: renames.get(column) ?? column, type: inferType(values) };
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
