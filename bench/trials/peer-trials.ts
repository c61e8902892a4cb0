/**
 * What a user would write instead of sluice, each the library's documented way to insert many
 * rows, fed the same generated objects in one transaction:
 * - knex: batchInsert in 1000-row chunks (500 on SQLite, its compound SELECT limit),
 * - drizzle-orm: insert().values() in 1000-row chunks,
 * - pg + pg-copy-streams: rows encoded to CSV by hand and streamed to COPY FROM STDIN,
 * - better-sqlite3: one prepared INSERT run per row inside a transaction.
 * A library that is not installed is reported as such, not as a failure.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { users, type UserRow } from '../data/generate.js';
import type { Db } from '../targets.js';
import type { TrialResult } from './sluice-trials.js';

const CHUNK = 1000;
/** knex writes a multi-row SQLite insert as a compound SELECT, which SQLite caps at 500 terms. */
const SQLITE_KNEX_CHUNK = 500;

export class NotInstalled extends Error {}

async function load<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND')
      throw new NotInstalled(`${specifier}: not installed`);
    throw error;
  }
}

function* chunked<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

function timed(started: number, rows: number): TrialResult {
  return { seconds: (performance.now() - started) / 1000, rows };
}

/** sqlite:/path/file.db → /path/file.db */
function sqliteFile(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, '');
}

export async function knexTrial(db: Db, url: string, rows: number): Promise<TrialResult> {
  const { default: knex } = await load<{ default: typeof import('knex').default }>('knex');
  const started = performance.now();
  const k = knex(
    db === 'sqlite'
      ? { client: 'better-sqlite3', connection: { filename: sqliteFile(url) }, useNullAsDefault: true }
      : { client: db === 'postgres' ? 'pg' : 'mysql2', connection: url },
  );
  try {
    await k.transaction(async (trx) => {
      // batchInsert wants an array: hand it 10k rows at a time so memory stays bounded.
      for (const part of chunked(users(rows), 10 * CHUNK)) {
        await k.batchInsert('users', part, db === 'sqlite' ? SQLITE_KNEX_CHUNK : CHUNK).transacting(trx);
      }
    });
  } finally {
    await k.destroy();
  }
  return timed(started, rows);
}

export async function drizzleTrial(db: Db, url: string, rows: number): Promise<TrialResult> {
  switch (db) {
    case 'postgres':
      return drizzlePostgres(url, rows);
    case 'mysql':
      return drizzleMysql(url, rows);
    case 'sqlite':
      return drizzleSqlite(url, rows);
  }
}

async function drizzlePostgres(url: string, rows: number): Promise<TrialResult> {
  const { drizzle } = await load<typeof import('drizzle-orm/node-postgres')>('drizzle-orm/node-postgres');
  const core = await load<typeof import('drizzle-orm/pg-core')>('drizzle-orm/pg-core');
  const { default: pg } = await import('pg');
  const table = core.pgTable('users', {
    id: core.serial('id').primaryKey(),
    username: core.varchar('username', { length: 100 }).notNull().unique(),
    email: core.varchar('email', { length: 255 }),
    createdAt: core.timestamp('created_at'),
    roleId: core.integer('role_id'),
  });
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const db = drizzle(client);
    await db.transaction(async (tx) => {
      for (const part of chunked(users(rows), CHUNK)) await tx.insert(table).values(part.map(drizzleRow));
    });
  } finally {
    await client.end();
  }
  return timed(started, rows);
}

async function drizzleMysql(url: string, rows: number): Promise<TrialResult> {
  const { drizzle } = await load<typeof import('drizzle-orm/mysql2')>('drizzle-orm/mysql2');
  const core = await load<typeof import('drizzle-orm/mysql-core')>('drizzle-orm/mysql-core');
  const mysql = await import('mysql2/promise');
  const table = core.mysqlTable('users', {
    id: core.int('id').autoincrement().primaryKey(),
    username: core.varchar('username', { length: 100 }).notNull().unique(),
    email: core.varchar('email', { length: 255 }),
    createdAt: core.datetime('created_at'),
    roleId: core.int('role_id'),
  });
  const started = performance.now();
  const connection = await mysql.createConnection({ uri: url });
  try {
    const db = drizzle(connection);
    await db.transaction(async (tx) => {
      for (const part of chunked(users(rows), CHUNK)) await tx.insert(table).values(part.map(drizzleRow));
    });
  } finally {
    await connection.end();
  }
  return timed(started, rows);
}

async function drizzleSqlite(url: string, rows: number): Promise<TrialResult> {
  const { drizzle } = await load<typeof import('drizzle-orm/better-sqlite3')>('drizzle-orm/better-sqlite3');
  const core = await load<typeof import('drizzle-orm/sqlite-core')>('drizzle-orm/sqlite-core');
  const { default: Database } = await import('better-sqlite3');
  const table = core.sqliteTable('users', {
    id: core.integer('id').primaryKey(),
    username: core.text('username').notNull().unique(),
    email: core.text('email'),
    // drizzle's own way to keep a Date in SQLite: unix seconds in an integer column.
    createdAt: core.integer('created_at', { mode: 'timestamp' }),
    roleId: core.integer('role_id'),
  });
  const started = performance.now();
  const sqlite = new Database(sqliteFile(url));
  try {
    const db = drizzle(sqlite);
    db.transaction((tx) => {
      for (const part of chunked(users(rows), CHUNK)) tx.insert(table).values(part.map(drizzleRow)).run();
    });
  } finally {
    sqlite.close();
  }
  return timed(started, rows);
}

function drizzleRow(row: UserRow): { username: string; email: string; createdAt: Date; roleId: number } {
  return { username: row.username, email: row.email, createdAt: row.created_at, roleId: row.role_id };
}

/** Hand-written COPY: the objects encoded as CSV text by the caller and streamed with pg-copy-streams. */
export async function pgCopyStreamsTrial(url: string, rows: number): Promise<TrialResult> {
  const { from: copyFrom } = await load<typeof import('pg-copy-streams')>('pg-copy-streams');
  const { default: pg } = await import('pg');
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const sink = client.query(
      copyFrom('COPY users (username, email, created_at, role_id) FROM STDIN (FORMAT csv)'),
    );
    await pipeline(Readable.from(csvText(rows)), sink);
  } finally {
    await client.end();
  }
  return timed(started, rows);
}

function* csvText(rows: number): Generator<string> {
  let text = '';
  for (const row of users(rows)) {
    text += `${csvField(row.username)},${csvField(row.email)},${row.created_at.toISOString()},${row.role_id}\n`;
    if (text.length >= 1 << 16) {
      yield text;
      text = '';
    }
  }
  if (text !== '') yield text;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Hand-written better-sqlite3: the fastest plain loop its README suggests. */
export async function betterSqliteTrial(url: string, rows: number): Promise<TrialResult> {
  const { default: Database } = await import('better-sqlite3');
  const started = performance.now();
  const db = new Database(sqliteFile(url));
  try {
    const insert = db.prepare('INSERT INTO users (username, email, created_at, role_id) VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (const row of users(rows))
        insert.run(row.username, row.email, row.created_at.toISOString(), row.role_id);
    })();
  } finally {
    db.close();
  }
  return timed(started, rows);
}
