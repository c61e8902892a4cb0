import { SluiceError } from '../errors.js';
import {
  GENERATION_COLUMN,
  ORDINAL_COLUMN,
  type ColumnDefinition,
  type Conflict,
  type LogicalType,
  type SqlBuilder,
  type TableRef,
} from './dialect.js';

/**
 * The SQL the three databases agree on; a dialect overrides only quoting, placeholders and type
 * names (Kysely's query compilers work the same way).
 */
export abstract class SharedSqlBuilder implements SqlBuilder {
  abstract quoteIdent(name: string): string;
  abstract placeholder(index: number): string;
  abstract typeName(type: LogicalType): string;

  table(ref: TableRef): string {
    return ref.schema === undefined
      ? this.quoteIdent(ref.name)
      : `${this.quoteIdent(ref.schema)}.${this.quoteIdent(ref.name)}`;
  }

  insert(ref: TableRef, columns: readonly string[], rows: number): string {
    return `INSERT INTO ${this.table(ref)} ${this.valuesList(columns, rows)}`;
  }

  /** The alias an upsert gives the table, so its conflict clause can name the existing row. */
  protected readonly target = 'sluice_target';

  /** `INSERT INTO t` with the alias the conflict clause uses (where the dialect has one). */
  protected insertInto(ref: TableRef): string {
    return `INSERT INTO ${this.table(ref)} AS ${this.quoteIdent(this.target)}`;
  }

  /** The clause after the rows: ON CONFLICT (PostgreSQL, SQLite), ON DUPLICATE KEY (MySQL). */
  protected abstract conflictClause(ref: TableRef, columns: readonly string[], conflict: Conflict): string;

  upsert(ref: TableRef, columns: readonly string[], rows: number, conflict: Conflict): string {
    return `${this.insertInto(ref)} ${this.valuesList(columns, rows)} ${this.conflictClause(ref, columns, conflict)}`;
  }

  countExisting(ref: TableRef, key: readonly string[], rows: number): string {
    let index = 1;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const marks = key.map(() => this.placeholder(index++));
      tuples.push(key.length === 1 ? marks[0]! : `(${marks.join(', ')})`);
    }
    const left = key.length === 1 ? this.quoteIdent(key[0]!) : `(${this.columnNames(key)})`;
    return `SELECT count(*) AS n FROM ${this.table(ref)} WHERE ${left} IN (${tuples.join(', ')})`;
  }

  createStaging(staging: string, ref: TableRef, columns: readonly string[]): readonly string[] {
    const list = this.columnNames(columns);
    return [
      `CREATE TEMPORARY TABLE ${this.quoteIdent(staging)} AS SELECT ${list} FROM ${this.table(ref)} WHERE 1 = 0`,
      `ALTER TABLE ${this.quoteIdent(staging)} ADD COLUMN ${this.quoteIdent(ORDINAL_COLUMN)} INTEGER PRIMARY KEY`,
    ];
  }

  clearStaging(staging: string): string {
    return `DELETE FROM ${this.quoteIdent(staging)}`;
  }

  mergeStaged(
    ref: TableRef,
    staging: string,
    columns: readonly string[],
    conflict: Conflict,
    generations: boolean,
  ): string {
    const list = this.columnNames(columns);
    const { from, where } = this.stagedRows(staging, columns, conflict.key, generations);
    return `${this.insertInto(ref)} (${list}) SELECT ${list} FROM ${from}${where} ${this.conflictClause(ref, columns, conflict)}`;
  }

  countStagedExisting(ref: TableRef, staging: string, key: readonly string[], generations: boolean): string {
    const on = key.map((k) => `s.${this.quoteIdent(k)} = t.${this.quoteIdent(k)}`).join(' AND ');
    const { from, where } = this.stagedRows(staging, key, key, generations);
    return `SELECT count(*) AS n FROM ${from} JOIN ${this.table(ref)} t ON ${on}${where}`;
  }

  countStagedDuplicates(staging: string, key: readonly string[]): string {
    // A key with a NULL never conflicts (NULLs are distinct in a unique index): not a duplicate.
    const present = key.map((k) => `${this.quoteIdent(k)} IS NOT NULL`).join(' AND ');
    return (
      `SELECT count(*) AS n FROM (SELECT 1 AS one FROM ${this.quoteIdent(staging)} WHERE ${present} ` +
      `GROUP BY ${this.columnNames(key)} HAVING count(*) > 1) d`
    );
  }

  stagedGenerations(staging: string, key: readonly string[]): string {
    const g = this.quoteIdent(GENERATION_COLUMN);
    return `SELECT ${g}, count(*) AS n FROM (SELECT ${this.generationOf(key)} AS ${g} FROM ${this.quoteIdent(staging)}) s GROUP BY ${g} ORDER BY ${g}`;
  }

  /**
   * The staged rows a merge reads, aliased `s`, and the condition that keeps them: all of them,
   * or those of generation $1. The
   * generation is numbered by the database over the staged (typed) key columns, so two keys the
   * database holds equal ('01' and '1' as integers, 'a' and 'A' under a case-insensitive
   * collation) are two occurrences of one key.
   */
  protected stagedRows(
    staging: string,
    columns: readonly string[],
    key: readonly string[],
    generations: boolean,
  ): { from: string; where: string } {
    const s = this.quoteIdent(staging);
    if (!generations) return { from: `${s} s`, where: '' };
    const g = this.quoteIdent(GENERATION_COLUMN);
    return {
      from: `(SELECT ${this.columnNames(columns)}, ${this.quoteIdent(ORDINAL_COLUMN)}, ${this.generationOf(key)} AS ${g} FROM ${s}) s`,
      where: ` WHERE s.${g} = ${this.placeholder(1)}`,
    };
  }

  private generationOf(key: readonly string[]): string {
    return `row_number() OVER (PARTITION BY ${this.columnNames(key)} ORDER BY ${this.quoteIdent(ORDINAL_COLUMN)})`;
  }

  dropStaging(staging: string): string {
    return `DROP TABLE ${this.quoteIdent(staging)}`;
  }

  protected columnNames(columns: readonly string[]): string {
    return columns.map((c) => this.quoteIdent(c)).join(', ');
  }

  /** The columns a conflict rewrites among those a statement carries (missing fields are kept). */
  protected updated(columns: readonly string[], conflict: Conflict): string[] {
    if (conflict.action === 'ignore') return [];
    return conflict.update.filter((c) => columns.includes(c));
  }

  protected valuesList(columns: readonly string[], rows: number): string {
    const width = columns.length;
    const tuples: string[] = new Array<string>(rows);
    let index = 1;
    for (let r = 0; r < rows; r++) {
      const marks: string[] = new Array<string>(width);
      for (let c = 0; c < width; c++) marks[c] = this.placeholder(index++);
      tuples[r] = `(${marks.join(', ')})`;
    }
    return `(${this.columnNames(columns)}) VALUES ${tuples.join(', ')}`;
  }

  createTable(ref: TableRef, columns: readonly ColumnDefinition[]): string {
    const defs = columns.map((c) => `  ${this.quoteIdent(c.name)} ${this.typeName(c.type)}`).join(',\n');
    return `CREATE TABLE ${this.table(ref)} (\n${defs}\n)`;
  }
}

/** Quotes an identifier the standard way: wrapped in `quote`, with `quote` doubled inside. */
export function quoteWith(name: string, quote: string): string {
  if (name.includes('\0'))
    throw new SluiceError('BAD_USAGE', `identifier ${JSON.stringify(name)} contains a NUL byte`);
  return quote + name.split(quote).join(quote + quote) + quote;
}
