import type { TableRef } from '../dialects/dialect.js';
import type { ForeignKey, ScratchSql } from './scratch-sql.js';

/** An identifier as SQLite's own DDL may spell it: "…", `…`, […] or bare. */
const IDENT = String.raw`(?:"(?:[^"]|"")*"|\x60(?:[^\x60]|\x60\x60)*\x60|\[[^\]]*\]|[^\s(.]+)`;
const CREATE_TABLE = new RegExp(
  String.raw`^(\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)(?:${IDENT}\s*\.\s*)?${IDENT}`,
  'i',
);
const CREATE_INDEX = new RegExp(
  String.raw`^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?)(?:${IDENT}\s*\.\s*)?${IDENT}(\s+ON\s+)${IDENT}`,
  'i',
);

function schemaOf(table: TableRef): string {
  return table.schema ?? 'main';
}

export const sqliteScratch: ScratchSql = {
  versionQuery: 'SELECT sqlite_version()',
  rolesTable: ({ sql }, roles) =>
    `CREATE TABLE ${sql.table(roles)} (id INTEGER PRIMARY KEY, name VARCHAR(50) UNIQUE NOT NULL)`,
  usersTable: ({ sql }, users, roles) =>
    `CREATE TABLE ${sql.table(users)} (
  id INTEGER PRIMARY KEY,
  username VARCHAR(100) UNIQUE NOT NULL,
  email VARCHAR(255),
  created_at TIMESTAMP,
  role_id INTEGER REFERENCES ${sql.quoteIdent(roles.name)} (id)
)`,
  // SQLite keeps each table's and index's CREATE statement as written: the copy is that text with
  // the new name (foreign keys included, still naming the real parents). Index names are global to
  // a database, so each copied index gets the scratch table's name as a prefix.
  async copyStructure(session, source, scratch) {
    const { sql } = session;
    const master = `${sql.quoteIdent(schemaOf(source))}.sqlite_master`;
    const [table] = await session.select(`SELECT sql FROM ${master} WHERE type = 'table' AND name = ?`, [
      source.name,
    ]);
    const text = table?.[0];
    if (typeof text !== 'string' || !CREATE_TABLE.test(text))
      throw new Error(`cannot read the definition of table ${sql.table(source)}`);
    const statements = [text.replace(CREATE_TABLE, (_, head: string) => head + sql.table(scratch))];
    const indexes = await session.select(
      `SELECT name, sql FROM ${master} WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`,
      [source.name],
    );
    for (const [name, definition] of indexes) {
      const index = sql.table({ schema: scratch.schema, name: `${scratch.name}_${String(name)}` });
      statements.push(
        String(definition).replace(
          CREATE_INDEX,
          (_, head: string, on: string) => head + index + on + sql.quoteIdent(scratch.name),
        ),
      );
    }
    for (const statement of statements) await session.execute(statement);
    return statements;
  },
  async foreignKeys(session, table): Promise<ForeignKey[]> {
    const rows = await session.select(
      'SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq',
      [table.name, schemaOf(table)],
    );
    const keys = new Map<number, { columns: string[]; parent: TableRef; parentColumns: (string | null)[] }>();
    for (const [id, parent, from, to] of rows) {
      let key = keys.get(Number(id));
      if (key === undefined) {
        key = { columns: [], parent: { schema: table.schema, name: String(parent) }, parentColumns: [] };
        keys.set(Number(id), key);
      }
      key.columns.push(String(from));
      key.parentColumns.push(to === null ? null : String(to));
    }
    const out: ForeignKey[] = [];
    for (const key of keys.values()) {
      // REFERENCES parent with no columns names the parent's primary key.
      let parentColumns = key.parentColumns as string[];
      if (key.parentColumns.some((c) => c === null)) {
        const pk = await session.select('SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0 ORDER BY pk', [
          key.parent.name,
          schemaOf(key.parent),
        ]);
        parentColumns = pk.map(([name]) => String(name));
      }
      out.push({ columns: key.columns, parent: key.parent, parentColumns });
    }
    return out;
  },
  dropTable: ({ sql }, table) => `DROP TABLE IF EXISTS ${sql.table(table)}`,
  checksNote:
    "CHECK constraints: copied with the table's CREATE statement, so every rung pays for them, but not read (SQLite keeps them only as SQL text): generated rows that break one fail the rung",
};
