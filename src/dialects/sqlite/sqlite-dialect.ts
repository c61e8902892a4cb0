import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SluiceError } from '../../errors.js';
import type { ConnectOptions, Dialect, Session } from '../dialect.js';
import { SqliteSession } from './sqlite-session.js';

/**
 * SQLite through better-sqlite3, in this process. `sqlite:app.db`, `sqlite://app.db` and
 * `sqlite:///abs/app.db` name a file (created when missing); `sqlite::memory:` an in-memory database.
 */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  schemes: ['sqlite', 'sqlite3', 'file'],
  accepts(client: unknown): boolean {
    const db = client as { prepare?: unknown; pragma?: unknown; inTransaction?: unknown };
    return (
      typeof db.prepare === 'function' &&
      typeof db.pragma === 'function' &&
      typeof db.inTransaction === 'boolean'
    );
  },
  async connect(target: string | object, options: ConnectOptions = {}): Promise<Session> {
    if (typeof target !== 'string') {
      return new SqliteSession(target as import('better-sqlite3').Database, false);
    }
    const { default: Database } = await import('better-sqlite3');
    const path = sqlitePath(target);
    try {
      // Read only (explain): an existing file is opened read-only, and a missing one is not created
      // (opening it would leave an empty file behind): an empty in-memory database stands in.
      const db = !options.readOnly
        ? new Database(path)
        : path === ':memory:' || !existsSync(path)
          ? new Database(':memory:')
          : new Database(path, { readonly: true, fileMustExist: true });
      // SQLite leaves foreign keys unchecked unless asked, per connection: a loader must not let
      // rows with dangling references in silently. (A connection passed in keeps its own setting.)
      db.pragma('foreign_keys = ON');
      return new SqliteSession(db, true);
    } catch (error) {
      throw new SluiceError(
        'CONNECTION_FAILED',
        `cannot open SQLite database ${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  },
};

export function sqlitePath(url: string): string {
  const match = /^(?:sqlite3?|file):(.*)$/i.exec(url);
  let path = match ? match[1]! : url;
  if (path.startsWith('//')) path = path.slice(2);
  if (path === ':memory:' || path === '') return ':memory:';
  return resolve(path);
}
