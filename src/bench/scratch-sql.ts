import type { DialectName, Session, TableRef } from '../dialects/dialect.js';
import { mysqlScratch } from './scratch-mysql.js';
import { postgresScratch } from './scratch-postgres.js';
import { sqliteScratch } from './scratch-sqlite.js';

/** A foreign key of a table: its columns and the parent columns they point at, in order. */
export interface ForeignKey {
  readonly columns: readonly string[];
  readonly parent: TableRef;
  readonly parentColumns: readonly string[];
}

/** A CHECK constraint of a table, as the database's catalog prints it. */
export interface CheckConstraint {
  readonly name: string;
  /** The definition as the catalog gives it (PostgreSQL: `CHECK (...)`; MariaDB: the clause). */
  readonly definition: string;
  /** The columns it reads, in table order. */
  readonly columns: readonly string[];
}

/** What `sluice bench --table` needs to read a table's CHECK constraints and work around them. */
export interface CheckSql {
  /** The table's CHECK constraints. */
  read(session: Session, table: TableRef): Promise<CheckConstraint[]>;
  /** ALTER TABLE giving `table` (a scratch copy that lacks it) the constraint `check`. */
  add(session: Session, table: TableRef, check: CheckConstraint): string;
  /** The name of the CHECK constraint a refused row broke, from the database's message. */
  violated(message: string): string | undefined;
  /** A column's value as text in a SELECT list (values sampled from the user's table). */
  textOf(session: Session, column: string): string;
}

/**
 * The catalog queries and DDL `sluice bench` needs beyond what a load needs: the server's version,
 * the guide's users/roles schema, an empty copy of a table's structure and its foreign keys. Each
 * database spells them its own way; the bench picks the set by the session's dialect (a lookup,
 * not a branch), and every statement quotes its identifiers through the session's SqlBuilder.
 */
export interface ScratchSql {
  /** A query whose one row, one column is the server's (or library's) version. */
  readonly versionQuery: string;
  /** CREATE TABLE for the guide's roles (id primary key, unique name). */
  rolesTable(session: Session, roles: TableRef): string;
  /** CREATE TABLE for the guide's users (serial id, unique username, role_id → roles.id). */
  usersTable(session: Session, users: TableRef, roles: TableRef): string;
  /**
   * The statements that make `scratch` an empty copy of `source`: columns, types, defaults,
   * constraints, indexes, and foreign keys to the same parents. Reads `source`, never writes it
   * (nor anything it owns, such as a sequence).
   */
  copyStructure(session: Session, source: TableRef, scratch: TableRef): Promise<string[]>;
  /** The table's foreign keys. */
  foreignKeys(session: Session, table: TableRef): Promise<ForeignKey[]>;
  /**
   * Cancels what other sessions of this user are running on tables whose names contain `tag`:
   * a killed rung's statement can go on in the server after its client is gone (MySQL runs a
   * multi-row INSERT it has received to the end), holding the locks DROP TABLE waits for.
   */
  cancelOthers?(session: Session, tag: string): Promise<void>;
  /** How to drop a table if it exists. */
  dropTable(session: Session, table: TableRef): string;
  /**
   * Reading CHECK constraints, where sluice does (generated rows are then made to pass them);
   * elsewhere `checksNote` says what the bench does instead.
   */
  readonly checks?: CheckSql;
  readonly checksNote?: string;
}

const BY_DIALECT: Record<DialectName, ScratchSql> = {
  postgres: postgresScratch,
  mysql: mysqlScratch,
  sqlite: sqliteScratch,
};

export function scratchSqlFor(dialect: DialectName): ScratchSql {
  return BY_DIALECT[dialect];
}
