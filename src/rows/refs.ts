import type { ForeignKey, Session, TableInfo, TableRef } from '../dialects/dialect.js';
import { SluiceError, excerpt } from '../errors.js';
import type { RecordBatch, TextField } from '../sources/source.js';
import { matchColumn } from './row-mapper.js';

/**
 * A source field (or several) holding a parent's natural key, and the foreign-key column that
 * gets the parent's id: `refs: { role: 'roles.name' }`, `{ 'region,code': 'areas.region,code' }`,
 * `{ role: 'roles.name:role_id' }` to name the column when the schema has no single foreign key to
 * the parent.
 */
export interface RefSpec {
  readonly fields: readonly string[];
  readonly parent: TableRef;
  readonly keyColumns: readonly string[];
  readonly column: string | undefined;
}

/** A ref checked against the schema: where its key is looked up and what fills the column. */
export interface Ref extends RefSpec {
  /** The target table's foreign-key column. */
  readonly column: string;
  /** The parent's column the foreign key refers to (its id). */
  readonly idColumn: string;
  /** Whether the parent has a unique key on exactly the key columns (insert-if-absent needs one). */
  readonly uniqueKey: boolean;
}

export function parseRefs(refs: Readonly<Record<string, string>> | undefined): RefSpec[] {
  return Object.entries(refs ?? {}).map(([field, target]) => parseRef(field, target));
}

function parseRef(field: string, target: string): RefSpec {
  const bad = (why: string): never => {
    throw new SluiceError('BAD_USAGE', `ref ${excerpt(`${field}=${target}`)}: ${why}`, {
      hint: 'write field=table.column (field=table.column:fk_column, a,b=table.col_a,col_b for a composite key)',
    });
  };
  const fields = field.split(',').map((f) => f.trim());
  const colon = target.lastIndexOf(':');
  const column = colon >= 0 ? target.slice(colon + 1).trim() : undefined;
  const path = colon >= 0 ? target.slice(0, colon) : target;
  const dot = path.lastIndexOf('.');
  if (dot <= 0) bad('name the parent table and its key column');
  const table = path.slice(0, dot);
  const keyColumns = path
    .slice(dot + 1)
    .split(',')
    .map((c) => c.trim());
  if (fields.some((f) => f === '') || keyColumns.some((c) => c === '')) bad('an empty field or column name');
  if (fields.length !== keyColumns.length)
    bad(`${fields.length} field(s) for ${keyColumns.length} key column(s)`);
  if (column === '') bad('an empty foreign-key column after ":"');
  const schemaDot = table.indexOf('.');
  const parent: TableRef =
    schemaDot > 0 ? { schema: table.slice(0, schemaDot), name: table.slice(schemaDot + 1) } : { name: table };
  return { fields, parent, keyColumns, column };
}

/**
 * Checks each ref against the schema: the parent exists and has the key columns, and the target's
 * foreign-key column is the one named or the single foreign key from the target to the parent.
 */
export async function resolveRefs(
  session: Session,
  table: TableInfo,
  specs: readonly RefSpec[],
): Promise<Ref[]> {
  if (specs.length === 0) return [];
  const foreignKeys = await session.foreignKeys(table.ref);
  const refs: Ref[] = [];
  for (const spec of specs) {
    const name = session.sql.table(spec.parent);
    const parent = await session.describeTable(spec.parent);
    if (parent === undefined)
      throw new SluiceError('TABLE_NOT_FOUND', `ref ${spec.fields.join(',')}: table ${name} does not exist`);
    const keyColumns = spec.keyColumns.map(
      (c) =>
        matchColumn(c, parent.columns) ??
        usage(`ref ${spec.fields.join(',')}: ${name} has no column ${excerpt(c)}`, parent),
    );
    const toParent = foreignKeys.filter((k) => k.columns.length === 1 && sameTable(k, spec.parent));
    let column: string;
    let idColumn: string | undefined;
    if (spec.column !== undefined) {
      column =
        matchColumn(spec.column, table.columns) ??
        usage(`ref ${spec.fields.join(',')}: ${excerpt(spec.column)} is not a column of the table`, table);
      idColumn = toParent.find((k) => k.columns[0] === column)?.parentColumns[0];
    } else {
      if (toParent.length !== 1)
        throw new SluiceError(
          'BAD_USAGE',
          toParent.length === 0
            ? `ref ${spec.fields.join(',')}: the table has no foreign key to ${name}`
            : `ref ${spec.fields.join(',')}: the table has ${toParent.length} foreign keys to ${name} (${toParent.map((k) => k.columns[0]).join(', ')})`,
          {
            hint: `name the column: --ref ${spec.fields.join(',')}=${name}.${spec.keyColumns.join(',')}:fk_column`,
          },
        );
      column = toParent[0]!.columns[0]!;
      idColumn = toParent[0]!.parentColumns[0];
    }
    // No foreign key to say which parent column: the parent's single-column primary key.
    const primary = parent.uniqueKeys?.[0];
    idColumn ??= primary?.length === 1 ? primary[0] : undefined;
    if (idColumn === undefined)
      throw new SluiceError(
        'BAD_USAGE',
        `ref ${spec.fields.join(',')}: ${name} has no single-column primary key for ${excerpt(column)} to refer to`,
      );
    const uniqueKey = (parent.uniqueKeys ?? []).some(
      (k) => k.length === keyColumns.length && keyColumns.every((c) => k.includes(c)),
    );
    refs.push({ ...spec, parent: parent.ref, keyColumns, column, idColumn, uniqueKey });
  }
  const columns = refs.map((r) => r.column);
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined) throw new SluiceError('BAD_USAGE', `two refs fill the column ${excerpt(twice)}`);
  return refs;
}

function sameTable(key: ForeignKey, parent: TableRef): boolean {
  return (
    key.parent.name === parent.name && (parent.schema === undefined || key.parent.schema === parent.schema)
  );
}

function usage(message: string, table: TableInfo): never {
  throw new SluiceError('BAD_USAGE', message, {
    hint: `its columns: ${table.columns.map((c) => c.name).join(', ')}`,
  });
}

/** A record the refs stage refused: a key no parent has (and creating parents was not asked). */
export interface RefRejection {
  readonly index: number;
  readonly reason: string;
}

/** The key of a composite ref with some parts NULL: no key text can equal it (not a digit-led part). */
const PARTLY = '\u0000partly';

/** Ids cached per ref: most loads have few distinct keys; past this many the cache starts over. */
const CACHE_LIMIT = 500_000;

/**
 * The lookup stage: replaces each ref's key fields by the parent's id, looking the distinct keys
 * of a batch that are not cached up in bulk (one SELECT per few thousand keys, never one per row),
 * creating the missing parents first when asked (INSERT of the missing keys that does nothing for
 * a key another transaction added meanwhile, then the same SELECT, reading the latest rows).
 * A NULL key (any part) leaves the column NULL; a missing field leaves it missing.
 */
export class RefResolver {
  private readonly caches: Map<string, unknown>[];
  /**
   * Parents that were missing when looked up and exist after the insert-if-absent: inserted by
   * this load, or by another load creating the same parent at the same moment.
   */
  created = 0;
  /**
   * INSERTs of missing parents run so far: each wrote in the load's open transaction, and rows
   * resolved after it may carry the ids it made (LoadTransaction.wroteBesideRows).
   */
  parentWrites = 0;

  constructor(
    private readonly session: Session,
    readonly refs: readonly Ref[],
    private readonly createMissing: boolean,
  ) {
    this.caches = refs.map(() => new Map());
    if (createMissing) {
      const lacking = refs.find((r) => !r.uniqueKey);
      if (lacking !== undefined)
        throw new SluiceError(
          'BAD_USAGE',
          `creating missing parents needs a unique key on ${session.sql.table(lacking.parent)} (${lacking.keyColumns.join(', ')}): without one, two loads could create the same parent twice`,
          { hint: 'add a unique constraint on the natural key, or drop --create-missing-refs' },
        );
    }
  }

  /** A text source's header with each ref's fields replaced by its column (at the first field's place). */
  header(columns: readonly string[], source: string): string[] {
    const out = [...columns];
    for (const ref of this.refs) {
      const at = ref.fields.map((f) => out.indexOf(f));
      const lacking = ref.fields.find((_, i) => at[i]! < 0);
      if (lacking !== undefined)
        throw new SluiceError('BAD_USAGE', `ref field ${excerpt(lacking)} is not in the input`, {
          location: { source },
          hint: `input columns: ${columns.join(', ')}`,
        });
      out[at[0]!] = ref.column;
      for (const i of at.slice(1).sort((a, b) => b - a)) out.splice(i, 1);
    }
    return out;
  }

  /**
   * Whether resolving the batch needs the database: a key no cache holds (sync, nothing changed).
   * Only the first ref's fields are where the source put them; later refs are checked as a whole.
   */
  needsLookup(
    batch: RecordBatch<TextField[]> | RecordBatch<Record<string, unknown>>,
    header: readonly string[] | undefined,
  ): boolean {
    for (let r = 0; r < this.refs.length; r++) {
      const ref = this.refs[r]!;
      if (ref.fields.length !== 1) return true;
      const cache = this.caches[r]!;
      const at = header?.indexOf(ref.fields[0]!);
      const field = ref.fields[0]!;
      for (const record of batch.records as unknown[]) {
        const v = at !== undefined ? (record as TextField[])[at] : (record as Record<string, unknown>)[field];
        if (v !== undefined && v !== null && !cache.has(String(v as string))) return true;
      }
    }
    return false;
  }

  /**
   * The batch with ids in place of keys (text records in place, objects copied), and the records
   * whose key is unknown. `header` is the text source's header as the source reads it.
   */
  async resolve(
    batch: RecordBatch<TextField[]> | RecordBatch<Record<string, unknown>>,
    header: readonly string[] | undefined,
  ): Promise<RefRejection[]> {
    const unknown = new Map<number, string>();
    const current = header === undefined ? undefined : [...header];
    for (let r = 0; r < this.refs.length; r++) {
      const ref = this.refs[r]!;
      const at = current === undefined ? undefined : ref.fields.map((f) => current!.indexOf(f));
      const single = ref.fields.length === 1;
      const drop = new Set(ref.fields);
      const partsOf = (record: unknown): unknown[] =>
        at !== undefined
          ? at.map((i) => (record as TextField[])[i])
          : ref.fields.map((f) => (record as Record<string, unknown>)[f]);
      // Each record's key as text: undefined when its fields are missing, null when NULL, PARTLY
      // for a composite key with some parts NULL (refused: a key is whole or NULL).
      const keyOf = (record: unknown): string | null | undefined => {
        if (single) {
          const v =
            at !== undefined
              ? (record as TextField[])[at[0]!]
              : (record as Record<string, unknown>)[ref.fields[0]!];
          return v === undefined || v === null ? v : String(v as string);
        }
        const parts = partsOf(record);
        if (parts.every((p) => p === undefined)) return undefined;
        if (parts.every((p) => p === null || p === undefined)) return null;
        if (parts.some((p) => p === null || p === undefined)) return PARTLY;
        return keyText(parts);
      };
      const records = batch.records as unknown[];
      const keys = records.map((record, i) => (unknown.has(i) ? undefined : keyOf(record)));
      await this.fill(r, keys, records, partsOf);
      const cache = this.caches[r]!;
      for (let i = 0; i < records.length; i++) {
        if (unknown.has(i)) continue;
        const k = keys[i];
        let id: unknown = k === null ? null : undefined;
        if (typeof k === 'string') {
          id = k === PARTLY ? undefined : cache.get(k);
          if (id === undefined) {
            unknown.set(i, this.unknownReason(ref, partsOf(records[i])));
            continue;
          }
        }
        const record = records[i]!;
        if (at !== undefined) {
          const fields = record as TextField[];
          fields[at[0]!] = id === null ? null : String(id as string);
          for (const p of at.slice(1).sort((a, b) => b - a)) fields.splice(p, 1);
        } else {
          // A new object (the caller's stays as it was), built without `delete`, which would turn
          // it into a slow dictionary for the mapper.
          const source = record as Record<string, unknown>;
          const copy: Record<string, unknown> = {};
          for (const key in source) if (!drop.has(key)) copy[key] = source[key];
          if (k !== undefined) copy[ref.column] = id;
          records[i] = copy;
        }
      }
      if (current !== undefined) {
        current[at![0]!] = ref.column;
        for (const p of at!.slice(1).sort((a, b) => b - a)) current.splice(p, 1);
      }
    }
    return [...unknown].sort((a, b) => a[0] - b[0]).map(([index, reason]) => ({ index, reason }));
  }

  private unknownReason(ref: Ref, parts: readonly unknown[]): string {
    const name = this.session.sql.table(ref.parent);
    if (parts.some((p) => p === null || p === undefined))
      return `${ref.fields.join(',')} is partly empty (${parts.map((p) => excerpt(p ?? 'NULL')).join(', ')}): a key is whole or NULL`;
    const where = ref.keyColumns.map((c, i) => `${c} = ${excerpt(parts[i])}`).join(' AND ');
    return `unknown ${ref.fields.join(',')} ${parts.map((p) => excerpt(p)).join(', ')}: ${name} has no row with ${where}`;
  }

  /** Looks up (and creates, when asked) the batch's keys that are not cached. */
  private async fill(
    r: number,
    keys: readonly (string | null | undefined)[],
    records: readonly unknown[],
    partsOf: (record: unknown) => unknown[],
  ) {
    const ref = this.refs[r]!;
    const cache = this.caches[r]!;
    const wanted = new Map<string, unknown[]>();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (typeof k === 'string' && k !== PARTLY && !cache.has(k) && !wanted.has(k))
        wanted.set(k, partsOf(records[i]));
    }
    if (wanted.size === 0) return;
    if (cache.size + wanted.size > CACHE_LIMIT) cache.clear();
    await this.lookUp(ref, cache, [...wanted.values()], false);
    if (!this.createMissing) return;
    // In key order: two loads creating the same parents lock them in the same order, so neither
    // waits for a key the other holds while holding one it wants (no deadlock within a batch).
    const missing = [...wanted]
      .filter(([key]) => !cache.has(key))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, parts]) => parts);
    if (missing.length === 0) return;
    const sql = this.session.sql;
    const per = this.perStatement(ref);
    try {
      for (let start = 0; start < missing.length; start += per) {
        const piece = missing.slice(start, start + per);
        const statement = sql.upsert(ref.parent, ref.keyColumns, piece.length, {
          key: ref.keyColumns,
          action: 'ignore',
          update: [],
          types: new Map(),
        });
        this.parentWrites++;
        await this.session.execute(statement, piece.flat());
      }
    } catch (error) {
      throw new SluiceError(
        'LOAD_FAILED',
        `creating the missing parents in ${sql.table(ref.parent)} failed: ${this.session.describeError(error).message}`,
        { cause: error, hint: 'every other column of the parent table needs a default' },
      );
    }
    // The latest rows, not this transaction's snapshot: a parent another load created meanwhile
    // made our insert do nothing, and is read here.
    await this.lookUp(ref, cache, missing, true);
    // Counted as found after the insert: the rows a statement reports differ by database (MySQL
    // counts a key that existed too), and a parent another load created at the same moment is
    // one this load needed and found.
    for (const parts of missing) if (cache.has(keyText(parts))) this.created++;
  }

  private perStatement(ref: Ref): number {
    return Math.max(
      1,
      Math.min(5000, Math.floor(this.session.capabilities.maxBindParams / ref.keyColumns.length)),
    );
  }

  private async lookUp(ref: Ref, cache: Map<string, unknown>, keys: readonly unknown[][], latest: boolean) {
    const sql = this.session.sql;
    const per = this.perStatement(ref);
    const width = ref.keyColumns.length;
    const cols = ref.keyColumns.map((c) => sql.quoteIdent(c));
    for (let start = 0; start < keys.length; start += per) {
      const piece = keys.slice(start, start + per);
      let index = 1;
      const tuples = piece.map(() => {
        const marks = ref.keyColumns.map(() => sql.placeholder(index++));
        return width === 1 ? marks[0]! : `(${marks.join(', ')})`;
      });
      const left = width === 1 ? cols[0]! : `(${cols.join(', ')})`;
      const text =
        `SELECT ${sql.quoteIdent(ref.idColumn)}, ${cols.join(', ')} FROM ${sql.table(ref.parent)} ` +
        `WHERE ${left} IN (${tuples.join(', ')})${latest ? (sql.latestRows?.() ?? '') : ''}`;
      for (const row of await this.session.select(text, piece.flat()))
        cache.set(keyText(row.slice(1)), row[0]);
    }
  }
}

/** A key's parts as one string: each part's text, length-prefixed so no two keys collide. */
function keyText(parts: readonly unknown[]): string {
  if (parts.length === 1) return String(parts[0] as string);
  return parts.map((p) => `${String(p as string).length}:${String(p as string)}`).join('|');
}
