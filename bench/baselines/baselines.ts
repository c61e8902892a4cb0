/**
 * The tools sluice is measured against, run as a user would type them, on the same file and an
 * identical fresh table: `psql \copy`, the `mariadb` client's LOAD DATA LOCAL INFILE, and the
 * `sqlite3` shell's `.import` (into a temporary table, then INSERT ... SELECT into users, since
 * .import cannot skip the id column), default durability settings everywhere.
 */
import { runCommand, type Trial } from '../measure.js';
import type { BenchTarget } from '../targets.js';

const COLUMNS = 'username,email,created_at,role_id';

export function baselineFor(target: BenchTarget, file: string, rows: number): Trial {
  switch (target.db) {
    case 'postgres':
      return psqlCopy(target.url, file, rows);
    case 'mysql':
      return mariadbLoadData(target.url, file, rows);
    case 'sqlite':
      return sqliteImport(target.file!, file, rows);
  }
}

function psqlCopy(url: string, file: string, rows: number): Trial {
  const { host, port, user, password, database } = parts(url, '5432');
  const copy = `\\copy users(${COLUMNS}) from '${file.replaceAll("'", "''")}' with (format csv, header true)`;
  const argv = ['psql', '-h', host, '-p', port, '-U', user, database, '-c', copy];
  const env = password === undefined ? process.env : { ...process.env, PGPASSWORD: password };
  return {
    id: 'baseline',
    label: 'psql \\copy',
    group: 'baseline',
    rows,
    scale: 1,
    loads: true,
    command: shellQuote(argv),
    run: () => runCommand(argv, env, 'psql'),
  };
}

function mariadbLoadData(url: string, file: string, rows: number): Trial {
  const { host, port, user, password, database } = parts(url, '3306');
  const sql =
    `LOAD DATA LOCAL INFILE '${file.replaceAll("'", "''")}' INTO TABLE users ` +
    `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' IGNORE 1 LINES (${COLUMNS})`;
  const argv = ['mariadb', '--local-infile=1', `-u${user}`, `-h${host}`, `-P${port}`, database, '-e', sql];
  const env = password === undefined ? process.env : { ...process.env, MYSQL_PWD: password };
  return {
    id: 'baseline',
    label: 'mariadb LOAD DATA LOCAL INFILE',
    group: 'baseline',
    rows,
    scale: 1,
    loads: true,
    command: shellQuote(argv),
    run: () => runCommand(argv, env, 'mariadb'),
  };
}

function sqliteImport(database: string, file: string, rows: number): Trial {
  const argv = [
    'sqlite3',
    '-bail',
    database,
    'CREATE TEMP TABLE imp(username TEXT, email TEXT, created_at TEXT, role_id INTEGER);',
    `.import --csv --skip 1 ${dotArg(file)} imp`,
    `INSERT INTO users(${COLUMNS}) SELECT * FROM imp;`,
  ];
  return {
    id: 'baseline',
    label: 'sqlite3 .import',
    group: 'baseline',
    rows,
    scale: 1,
    loads: true,
    command: shellQuote(argv),
    run: () => runCommand(argv, process.env, 'sqlite3'),
  };
}

interface UrlParts {
  readonly host: string;
  readonly port: string;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
}

export function parts(url: string, defaultPort: string): UrlParts {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port || defaultPort,
    user: decodeURIComponent(u.username) || 'root',
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

/** An argument of a sqlite3 dot-command: quoted when it has spaces. */
function dotArg(value: string): string {
  return /[\s"']/.test(value) ? `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : value;
}

/** argv as a POSIX shell line, for the docs. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
