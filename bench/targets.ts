/**
 * The three databases the bench loads into, each with the guide's schema: roles (5 rows) and
 * users (serial id, unique username, foreign key role_id). `reset()` drops and recreates both
 * tables, so every trial starts from the same empty table.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { ROLES } from './data/generate.js';

export type Db = 'sqlite' | 'postgres' | 'mysql';
export const DBS: readonly Db[] = ['sqlite', 'postgres', 'mysql'];

export const PG_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/sluice_bench';
export const MYSQL_URL = process.env.SLUICE_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/sluice_bench';

export interface BenchTarget {
  readonly db: Db;
  /** The URL sluice and the peers connect to. */
  readonly url: string;
  /** SQLite only: the database file. */
  readonly file?: string;
  /** Drops and recreates roles (with its 5 rows) and an empty users table. */
  reset(): Promise<void>;
  /** Rows in users now. */
  count(): Promise<number>;
  /** The server's (or library's) own version string. */
  version(): Promise<string>;
  close(): Promise<void>;
}

const ROLE_ROWS = ROLES.map((_, i) => `(${i + 1}, '${ROLES[i]}')`).join(', ');

export async function openTarget(db: Db): Promise<BenchTarget> {
  switch (db) {
    case 'sqlite':
      return sqliteTarget();
    case 'postgres':
      return postgresTarget();
    case 'mysql':
      return mysqlTarget();
  }
}

function sqliteTarget(): BenchTarget {
  const dir = join(tmpdir(), `sluice-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'bench.db');
  const withDb = <T>(use: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return use(db);
    } finally {
      db.close();
    }
  };
  return {
    db: 'sqlite',
    url: `sqlite:${file}`,
    file,
    async reset() {
      // A fresh file every time: the same page size, default journal mode and durability.
      for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      withDb((db) =>
        db.exec(`
          CREATE TABLE roles (id INTEGER PRIMARY KEY, name VARCHAR(50) UNIQUE NOT NULL);
          INSERT INTO roles (id, name) VALUES ${ROLE_ROWS};
          CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username VARCHAR(100) UNIQUE NOT NULL,
            email VARCHAR(255),
            created_at TIMESTAMP,
            role_id INTEGER REFERENCES roles (id)
          );`),
      );
    },
    async count() {
      return withDb((db) => (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n);
    },
    async version() {
      return withDb((db) => (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v);
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<BenchTarget> {
  await ensurePgDatabase();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  return {
    db: 'postgres',
    url: PG_URL,
    async reset() {
      await client.query('DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS roles');
      await client.query(`
        CREATE TABLE roles (id serial PRIMARY KEY, name varchar(50) UNIQUE NOT NULL);
        INSERT INTO roles (id, name) VALUES ${ROLE_ROWS};
        CREATE TABLE users (
          id serial PRIMARY KEY,
          username varchar(100) UNIQUE NOT NULL,
          email varchar(255),
          created_at timestamp,
          role_id int REFERENCES roles (id)
        )`);
      // Flush the dropped table's pages now rather than in the middle of the next trial.
      await client.query('CHECKPOINT').catch(() => undefined);
    },
    async count() {
      return Number((await client.query('SELECT count(*) AS n FROM users')).rows[0].n);
    },
    async version() {
      return String((await client.query('SHOW server_version')).rows[0].server_version);
    },
    async close() {
      await client.end();
    },
  };
}

async function ensurePgDatabase(): Promise<void> {
  const url = new URL(PG_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

async function mysqlTarget(): Promise<BenchTarget> {
  const url = new URL(MYSQL_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/';
  const admin = await mysql.createConnection({ uri: url.toString() });
  await admin.query(
    `CREATE DATABASE IF NOT EXISTS \`${name.replaceAll('`', '``')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  );
  await admin.end();
  const connection = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
  return {
    db: 'mysql',
    url: MYSQL_URL,
    async reset() {
      await connection.query('DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS roles');
      await connection.query(`
        CREATE TABLE roles (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE) ENGINE=InnoDB;
        INSERT INTO roles (id, name) VALUES ${ROLE_ROWS};
        CREATE TABLE users (
          id INT AUTO_INCREMENT PRIMARY KEY,
          username VARCHAR(100) NOT NULL UNIQUE,
          email VARCHAR(255),
          created_at DATETIME,
          role_id INT,
          FOREIGN KEY (role_id) REFERENCES roles (id)
        ) ENGINE=InnoDB`);
    },
    async count() {
      const [rows] = await connection.query('SELECT count(*) AS n FROM users');
      return Number((rows as { n: number }[])[0]!.n);
    },
    async version() {
      const [rows] = await connection.query('SELECT version() AS v');
      return String((rows as { v: string }[])[0]!.v);
    },
    async close() {
      await connection.end();
    },
  };
}
