import type { ClientBase } from 'pg';
import type { ColumnInfo, ForeignKey, TableInfo, TableRef } from '../dialect.js';
import type { PostgresSqlBuilder } from './postgres-sql.js';

// Relation kinds a load can insert into: table, partitioned table, foreign table, view.
const LOADABLE = ['r', 'p', 'f', 'v'];

const FIND_TABLE = `
SELECT c.oid, c.relkind
  FROM pg_catalog.pg_class c
 WHERE c.oid = pg_catalog.to_regclass($1)`;

// Generated columns (attgenerated, PostgreSQL 12+) cannot be written, so they are left out, as
// SQLite's hidden columns are. Identity and serial columns have a default.
const COLUMNS = `
SELECT a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable,
       (a.atthasdef OR a.attidentity <> '') AS has_default,
       a.attidentity = 'a' AS always
  FROM pg_catalog.pg_attribute a
 WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
 ORDER BY a.attnum`;

// Unique indexes usable by ON CONFLICT: unique, valid, not partial, on plain columns; primary first.
const UNIQUE_KEYS = `
SELECT array_agg(a.attname::text ORDER BY k.n) AS columns
  FROM pg_catalog.pg_index i
  CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
 WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
 GROUP BY i.indexrelid, i.indisprimary
 ORDER BY i.indisprimary DESC, i.indexrelid`;

interface ColumnRow {
  name: string;
  type: string;
  nullable: boolean;
  has_default: boolean;
  always: boolean;
}

/**
 * The table's columns in declaration order, or undefined when no such table exists. The name is
 * looked up the way the INSERT or COPY will resolve it: quoted as written, schema-qualified when
 * a schema is given, through the session's search_path otherwise.
 */
export async function describePostgresTable(
  client: ClientBase,
  sql: PostgresSqlBuilder,
  ref: TableRef,
): Promise<TableInfo | undefined> {
  const found = await client.query<{ oid: number; relkind: string }>(FIND_TABLE, [sql.table(ref)]);
  const relation = found.rows[0];
  if (relation === undefined || !LOADABLE.includes(relation.relkind)) return undefined;
  const result = await client.query<ColumnRow>(COLUMNS, [relation.oid]);
  const columns: ColumnInfo[] = result.rows.map((r) => ({
    name: r.name,
    type: r.type.toLowerCase(),
    nullable: r.nullable,
    hasDefault: r.has_default,
    ...(r.always ? { generatedAlways: true } : {}),
  }));
  sql.noteGeneratedAlways(
    ref,
    columns.filter((c) => c.generatedAlways === true).map((c) => c.name),
  );
  const keys = await client.query<{ columns: string[] }>(UNIQUE_KEYS, [relation.oid]);
  return { ref, columns, uniqueKeys: keys.rows.map((r) => r.columns) };
}

// Each foreign key's columns and the parent's columns, in the key's order.
const FOREIGN_KEYS = `
SELECT (SELECT array_agg(a.attname::text ORDER BY k.n)
          FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
       pn.nspname AS parent_schema, p.relname AS parent_name,
       (SELECT array_agg(a.attname::text ORDER BY k.n)
          FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS parent_columns
  FROM pg_catalog.pg_constraint c
  JOIN pg_catalog.pg_class p ON p.oid = c.confrelid
  JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
 WHERE c.conrelid = pg_catalog.to_regclass($1) AND c.contype = 'f'
 ORDER BY c.conname`;

/** The table's foreign keys, each with its parent table (schema-qualified) and columns. */
export async function postgresForeignKeys(
  client: ClientBase,
  sql: PostgresSqlBuilder,
  ref: TableRef,
): Promise<ForeignKey[]> {
  const result = await client.query<{
    columns: string[];
    parent_schema: string;
    parent_name: string;
    parent_columns: string[];
  }>(FOREIGN_KEYS, [sql.table(ref)]);
  return result.rows.map((r) => ({
    columns: r.columns,
    parent: { schema: r.parent_schema, name: r.parent_name },
    parentColumns: r.parent_columns,
  }));
}
