/**
 * Real databases for the integration tests, one fresh database per target so tests never see each
 * other's tables. SLUICE_DIALECTS=postgres,mysql,sqlite picks which run (default: every dialect
 * sluice registers). Server URLs come from SLUICE_PG_URL and SLUICE_MYSQL_URL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { open, type Handle } from '../../src/index.js';
import { DIALECTS as REGISTERED } from '../../src/dialects/registry.js';
import type { DialectName } from '../../src/dialects/dialect.js';

export const PG_URL = process.env.SLUICE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.SLUICE_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export const DIALECTS: readonly DialectName[] = (process.env.SLUICE_DIALECTS?.split(',').map((d) =>
  d.trim(),
) ?? REGISTERED.map((d) => d.name)) as DialectName[];

export interface TestTarget {
  readonly dialect: DialectName;
  /** A URL to a fresh, empty database. */
  readonly url: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drops the database (or deletes the file). */
  close(): Promise<void>;
}

export async function freshTarget(dialect: DialectName): Promise<TestTarget> {
  switch (dialect) {
    case 'sqlite':
      return sqliteTarget();
    case 'postgres':
      return postgresTarget();
    case 'mysql':
      return mysqlTarget();
  }
}

/**
 * A fresh database for the enclosing describe(), with a sluice handle open on it for its tests;
 * both are closed after them. `receive` hands them to the suite's own variables.
 */
export function useTarget(
  dialect: DialectName,
  receive: (opened: { target: TestTarget; db: Handle }) => void,
): void {
  let opened: { target: TestTarget; db: Handle } | undefined;
  before(async () => {
    const target = await freshTarget(dialect);
    opened = { target, db: await open(target.url) };
    receive(opened);
  });
  after(async () => {
    await opened?.db.close();
    await opened?.target.close();
  });
}

function uniqueName(): string {
  return `sluice_t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function sqliteTarget(): TestTarget {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const file = join(dir, 'test.db');
  let db: Database.Database | undefined;
  return {
    dialect: 'sqlite',
    url: `sqlite:${file}`,
    async query<T>(sql: string, params: unknown[] = []) {
      db ??= new Database(file);
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    },
    async close() {
      db?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<TestTarget> {
  const name = uniqueName();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    dialect: 'postgres',
    url: url.toString(),
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async close() {
      await client.end();
      const again = new pg.Client({ connectionString: PG_URL });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

async function mysqlTarget(): Promise<TestTarget> {
  const name = uniqueName();
  const admin = await mysql.createConnection(MYSQL_URL);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  const connection = await mysql.createConnection({
    uri: url.toString(),
    supportBigNumbers: true,
    dateStrings: true,
  });
  return {
    dialect: 'mysql',
    url: url.toString(),
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await connection.query(sql, params);
      return (Array.isArray(rows) ? rows : []) as T[];
    },
    async close() {
      await connection.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}
