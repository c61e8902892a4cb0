import type {
  ColumnDefinition,
  ColumnInfo,
  FieldCheck,
  Session,
  TableInfo,
  TableRef,
} from './dialects/dialect.js';
import type { CsvDialect } from './util/csv-dialect.js';
import { SluiceError, excerpt } from './errors.js';
import { tableRef, validateOptions, type LoadOptions } from './options.js';
import { planConstraintDeferral, type PlannedDeferral } from './methods/deferred-constraints.js';
import { choosePlan } from './plan/choose-method.js';
import type { RawFieldChecks } from './raw-csv-input.js';
import { resolveConflict } from './plan/conflict.js';
import type { Plan } from './plan/plan.js';
import { parseColumnMap } from './rows/column-map.js';
import { checkHeaderNames, nameHeader } from './rows/header-names.js';
import { inferType } from './rows/infer-types.js';
import { createRowMapper, matchColumn, type RowMapper } from './rows/row-mapper.js';
import { parseRefs, RefResolver, resolveRefs } from './rows/refs.js';
import { IdPool, type ReturningSetup } from './methods/returning.js';
import type { Defaults } from './rows/defaults.js';
import { RejectSink } from './rejects/reject-sink.js';
import { formatFromPath, openSource, type LoadInput } from './sources/from-input.js';
import { sampleSource, type SampledSource } from './sources/sample.js';
import { byteLayerNotes, rawBytesAccepted } from './sources/byte-layer.js';
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
  /** Refs by natural key: the lookup stage before the mapper, and the header as the source reads it. */
  readonly refs:
    { readonly resolver: RefResolver; readonly header: readonly string[] | undefined } | undefined;
  /** Returning: how values come back, and the reserved ids the mapper gives rows (reserved mode). */
  readonly returning: { readonly setup: ReturningSetup; readonly pool: IdPool | undefined } | undefined;
  /** --defer-constraints: what is dropped after BEGIN and rebuilt before COMMIT. */
  readonly deferral: PlannedDeferral | undefined;
  /** A raw copy into columns with screened field checks (FieldCheck.screen): what it screens for. */
  readonly rawChecks: RawFieldChecks | undefined;
}

export async function prepareLoad(
  session: Session,
  table: string | TableRef,
  input: LoadInput,
  options: LoadOptions,
  /** A resumed load: where the source goes on, and the rejects file appended to. */
  resume?: { readonly start: SourceStart },
  /** A share of a parallel load: the byte offset where its part of the file ends. */
  end?: number,
): Promise<PreparedLoad> {
  validateOptions(options);
  const ref = tableRef(table);
  const headerless = options.header === false;
  const renames = headerless
    ? new Map<string, string>()
    : parseColumnMap(options.columns as string | Record<string, string> | undefined);
  // Only for CSV/TSV: openSource refuses --no-header on the other formats.
  const names =
    headerless && isDelimited(input, options) ? await headerlessNames(session, ref, options) : undefined;
  const refSpecs = parseRefs(options.refs);
  const skipping = options.onError === 'skip';
  let rejects: RejectSink | undefined;
  const sourceRejects = { count: 0 };
  const source = await openSource(input, {
    format: options.format,
    encoding: options.encoding,
    sniff: options.sniff,
    stdin: options.stdin,
    start: resume?.start,
    end,
    lenient: skipping,
    csv: options,
    columns: names,
    limit: options.limit,
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
    const notes: string[] = byteLayerNotes(source);
    const converters = new Map<string, (field: string) => unknown>();
    if (info === undefined && (refSpecs.length > 0 || options.returning !== undefined)) {
      throw new SluiceError(
        'TABLE_NOT_FOUND',
        `table ${session.sql.table(ref)} does not exist: ${refSpecs.length > 0 ? 'refs need its foreign keys' : 'returning needs its generated key'}`,
        { hint: 'create the table first (with its keys), then load' },
      );
    }
    let refs: PreparedLoad['refs'];
    if (info !== undefined && refSpecs.length > 0) {
      const resolver = new RefResolver(
        session,
        await resolveRefs(session, info, refSpecs),
        options.createMissingRefs === true,
      );
      refs = { resolver, header: source.kind === 'text' ? sample.columns : undefined };
      columns = resolver.header(sample.columns, source.name);
    }
    if (info === undefined) {
      if (options.types !== undefined) checkTypeNames(options.types, sample.columns, renames);
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
      if (options.types !== undefined)
        notes.push(
          `--type changes nothing here: ${session.sql.table(ref)} exists, and keeps its column types`,
        );
      checkHeaderNames(
        columns,
        source.name,
        info.columns.map((c) => c.name),
        source.dialect.skipLines + 1,
      );
    }
    const reserved = reservedIdColumn(session, info, options);
    const pool =
      reserved === undefined ? undefined : new IdPool(session, ref, reserved, source.kind === 'text');
    const defaults: Defaults | undefined =
      pool === undefined ? options.defaults : { ...options.defaults, [reserved!]: () => pool.take() };
    const mapperOptions = { renames, defaults, convert: undefined, omitted };
    const shape = createRowMapper(source, columns, info, mapperOptions);
    const extraColumns = shape.columns.length !== columns.length;
    const conflict =
      options.onConflict === undefined
        ? undefined
        : resolveConflict(options.onConflict, info, session.sql.table(ref), shape.columns);
    const checks =
      source.kind === 'text' ? fieldChecks(session, info.columns, shape.columns, source.dialect) : new Map();
    // A check without a screen gives the raw copy up; screened ones go with it (rawChecks below).
    const checked = [...checks].find(([, c]) => c.screen === undefined);
    const rawCsvBlocker =
      source.kind !== 'text'
        ? undefined
        : options.limit !== undefined
          ? '--limit reads only the first records'
          : checked !== undefined
            ? `column ${excerpt(checked[0])} is ${checked[1].type}: ${checked[1].why}`
            : (session.bulk?.rawCsvRefusal?.(source.dialect) ??
              rawCsvCutRefusal(source.dialect, options.commitEvery !== undefined || resume !== undefined));
    const returning = returningSetup(session, info, options, reserved, conflict?.key, shape.columns);
    // Lookups and reservations end a bulk stream when they need the connection (MappedChunk.barrier);
    // values read back after each write need each batch to be its own statement.
    const readsBack =
      returning !== undefined &&
      (returning.mode === 'key' || returning.columns.some((c) => c !== returning.idColumn));
    const between = readsBack ? ['returned values are read back'] : [];
    const parsedBecause =
      source.kind === 'text' && source.path !== undefined && (refs !== undefined || returning !== undefined)
        ? `${refs ? '--ref replaces key fields by ids' : 'returning adds the reserved ids to the rows'}`
        : undefined;
    const chosen = choosePlan({
      capabilities: session.capabilities,
      requested: options.method ?? 'auto',
      columns: shape.columns.length,
      // A malformed record in the sample is reported by sluice's parser, after the rows before it.
      rawCsvEligible:
        source.kind === 'text' &&
        source.path !== undefined &&
        !extraColumns &&
        refs === undefined &&
        // Returned values are matched to rows sluice parsed (read back by key on MySQL, where no id
        // column is added to force the parse): raw bytes would hand back nothing.
        returning === undefined &&
        converters.size === 0 &&
        !sample.hasBadRecord &&
        // UTF-8, or an encoding the server converts exactly as sluice decodes it (else decoded here).
        rawBytesAccepted(source, session.capabilities.rawCsvEncodings),
      rawCsvBlocker,
      batchSize: options.batchSize,
      commitEvery: options.commitEvery,
      onError: options.onError ?? 'abort',
      conflict,
      betweenBatches: between.length > 0 ? between.join(' and ') : undefined,
      parsedBecause,
      deferConstraints: options.deferConstraints,
    });
    const deferring =
      options.deferConstraints === true
        ? await planConstraintDeferral(session, ref, ddl !== undefined)
        : { deferral: undefined, reasons: [] };
    const screened =
      chosen.rawCopy && checks.size > 0
        ? [
            `the raw copy is screened for values that ${[...checks].map(([name, c]) => `${excerpt(name)} (${c.type})`).join(', ')} would not store as written: from the first line holding one, the file is parsed and each field checked`,
          ]
        : [];
    const plan: Plan = { ...chosen, reasons: [...chosen.reasons, ...screened, ...deferring.reasons] };
    // Parameterised methods bind driver values; the bulk encoders read JS values themselves.
    const statements = plan.method !== 'copy';
    const convert = source.kind === 'objects' && statements ? (v: unknown) => session.toParam(v) : undefined;
    const sessionConverter =
      source.kind === 'text' && statements && session.textFieldConverter !== undefined
        ? (column: ColumnInfo) => session.textFieldConverter!(column)
        : undefined;
    // A created column's conversion applies on every method, and so does a session's check (for a
    // field the column would change); the session's own conversion only to statements.
    const textFieldConverter =
      converters.size === 0 && checks.size === 0
        ? sessionConverter
        : (column: ColumnInfo) => {
            const check = checks.get(column.name)?.check;
            const convert = converters.get(column.name) ?? sessionConverter?.(column);
            if (check === undefined) return convert;
            if (convert === undefined) return check;
            return (field: string) => {
              const value = check(field);
              return value === field ? convert(field) : value;
            };
          };
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
    return {
      ref,
      source,
      sample,
      table: info,
      ddl,
      mapper,
      plan,
      rejects,
      sourceRejects,
      notes,
      refs,
      returning: returning && { setup: returning, pool },
      deferral: deferring.deferral,
      rawChecks: screened.length > 0 ? rawFieldChecks(checks) : undefined,
    };
  } catch (error) {
    source.close();
    await rejects?.close();
    throw error;
  }
}

/**
 * A headerless file's column names: the ones given (`columns: [...]`), else the table's, in its
 * order. A table that does not exist yet has none to give.
 */
async function headerlessNames(
  session: Session,
  ref: TableRef,
  options: LoadOptions,
): Promise<readonly string[]> {
  if (Array.isArray(options.columns)) return options.columns as readonly string[];
  const info = await session.describeTable(ref);
  if (info === undefined)
    throw new SluiceError(
      'BAD_USAGE',
      `a file without a header needs its column names: ${session.sql.table(ref)} does not exist to give them`,
      { hint: 'add --columns a,b,c (the names in file order)' },
    );
  return info.columns.map((c) => c.name);
}

/** The input is CSV or TSV, by --format or the file's extension. */
function isDelimited(input: LoadInput, options: LoadOptions): boolean {
  let format = options.format;
  if (format === undefined && typeof input === 'string' && input !== '-') {
    try {
      format = formatFromPath(input);
    } catch {
      return false; // openSource says why
    }
  }
  return format === 'csv' || format === 'tsv';
}

/** Every --type names a column of the file (by its own name or its new one). */
function checkTypeNames(
  types: Readonly<Record<string, unknown>>,
  columns: readonly string[],
  renames: ReadonlyMap<string, string>,
): void {
  const known = new Set([...columns, ...columns.map((c) => renames.get(c) ?? c)]);
  for (const name of Object.keys(types)) {
    if (!known.has(name))
      throw new SluiceError(
        'BAD_USAGE',
        `--type names ${excerpt(name)}, which is not a column of the input`,
        {
          hint: `the input has: ${columns.join(', ')}`,
        },
      );
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
    const name = renames.get(column) ?? column;
    // --type: the user's type for the column (by its name in the file or in the table).
    const given = options.types?.[name] ?? options.types?.[column];
    return [{ name, type: given ?? inferType(values) }];
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

/**
 * The column whose ids a load with `returning` reserves before sending rows: the table's
 * single-column primary key, where the database can reserve values (Session.reserveIds) and the
 * load is not an upsert (an updated row keeps its id, which only reading it back can tell).
 */
function reservedIdColumn(session: Session, info: TableInfo, options: LoadOptions): string | undefined {
  if (options.returning === undefined || options.onConflict !== undefined) return undefined;
  if (session.reserveIds === undefined) return undefined;
  const primary = info.uniqueKeys?.[0];
  if (primary?.length !== 1) return undefined;
  // A key the input gives (no generator behind it) is read back by itself instead.
  if (info.columns.find((c) => c.name === primary[0])?.hasDefault !== true) return undefined;
  if (options.defaults !== undefined && primary[0]! in options.defaults) return undefined;
  return primary[0];
}

function returningSetup(
  session: Session,
  info: TableInfo,
  options: LoadOptions,
  reserved: string | undefined,
  conflictKey: readonly string[] | undefined,
  loaded: readonly string[],
): ReturningSetup | undefined {
  if (options.returning === undefined) return undefined;
  const columns = options.returning.map(
    (c) =>
      matchColumn(c, info.columns) ??
      (() => {
        throw new SluiceError(
          'UNKNOWN_COLUMN',
          `returning names ${excerpt(c)}, which is not a column of the table`,
          {
            hint: `the table has: ${info.columns.map((x) => x.name).join(', ')}`,
          },
        );
      })(),
  );
  const integers = new Set(info.columns.filter((c) => /int|serial/.test(c.type)).map((c) => c.name));
  if (reserved !== undefined)
    return { columns, mode: 'reserved', readKey: [reserved], idColumn: reserved, integers };
  // A key the rows carry: none of its columns generated (objects list every column, given or not).
  const given = (c: string): boolean =>
    loaded.includes(c) && info.columns.find((x) => x.name === c)?.hasDefault !== true;
  const key = conflictKey ?? info.uniqueKeys?.find((k) => k.every(given));
  if (key === undefined)
    throw new SluiceError(
      'BAD_USAGE',
      `returning needs a unique key among the loaded columns (${loaded.join(', ')}) to match generated values to rows here: ${session.reserveIds === undefined ? "this database's auto-increment values cannot be reserved ahead" : 'the table has no single-column primary key whose values can be reserved'}`,
      { hint: 'load a column with a unique constraint (a natural key) beside the generated id' },
    );
  return { columns, mode: 'key', readKey: key, integers };
}

/**
 * Why a raw copy that would be cut into parts (at commit points, or from a resumed load's
 * checkpoint: methods/csv-cut.ts) cannot be, or undefined: the cutter follows the delimiter, the
 * quote (or none), preamble lines and the header, but not an escape character, which can hide a
 * newline or a quote inside a field.
 */
function rawCsvCutRefusal(dialect: CsvDialect, cut: boolean): string | undefined {
  return cut && dialect.escape !== ''
    ? '--escape with --commit-every or --resume: the raw copy is cut at record ends there, and the cutter does not follow escape sequences'
    : undefined;
}

/** The screened checks of a raw copy, as its input applies them (raw-csv-input.ts). */
function rawFieldChecks(checks: ReadonlyMap<string, FieldCheck>): RawFieldChecks {
  const screens = [...checks.values()].map((c) => c.screen!.source);
  return {
    screen: new RegExp([...new Set(screens)].join('|')),
    checks: new Map([...checks].map(([name, c]) => [name, c.check])),
  };
}

/** The session's checks for the loaded columns' text fields (Session.textFieldCheck), by column name. */
function fieldChecks(
  session: Session,
  columns: readonly ColumnInfo[],
  loaded: readonly string[],
  csv: CsvDialect,
): Map<string, FieldCheck & { readonly type: string }> {
  const checks = new Map<string, FieldCheck & { readonly type: string }>();
  if (session.textFieldCheck === undefined) return checks;
  for (const column of columns) {
    if (!loaded.includes(column.name)) continue;
    const found = session.textFieldCheck(column, csv);
    if (found !== undefined) checks.set(column.name, { ...found, type: column.type });
  }
  return checks;
}
