import { SluiceError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';
import type { Dialect } from './dialect.js';
import { mysqlDialect } from './mysql/mysql-dialect.js';
import { postgresDialect } from './postgres/postgres-dialect.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';

/** Every database sluice can load into. Dialect modules load their driver only on connect. */
export const DIALECTS: readonly Dialect[] = [sqliteDialect, postgresDialect, mysqlDialect];

/** The dialect for a URL (by scheme; a bare *.db / *.sqlite path is SQLite) or a driver client. */
export function dialectFor(target: string | object): Dialect {
  if (typeof target !== 'string') {
    const dialect = DIALECTS.find((d) => d.accepts(target));
    if (dialect) return dialect;
    throw new SluiceError('BAD_USAGE', 'open() got an object that is not a supported driver client', {
      hint: 'pass a URL, a better-sqlite3 Database, a pg Client or Pool, or a mysql2 connection or pool',
    });
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1]?.toLowerCase();
  if (scheme === undefined || /^[a-z]$/i.test(scheme)) {
    if (/\.(db|sqlite3?)$/i.test(target)) return sqliteDialect;
  } else {
    const dialect = DIALECTS.find((d) => d.schemes.includes(scheme));
    if (dialect) return dialect;
  }
  throw new SluiceError('BAD_USAGE', `unsupported database URL ${redactUrl(target)}`, {
    hint: `use one of ${DIALECTS.flatMap((d) => d.schemes.map((s) => s + ':')).join(', ')}`,
  });
}
