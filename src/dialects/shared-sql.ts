import { SluiceError } from '../errors.js';
import type { ColumnDefinition, LogicalType, SqlBuilder, TableRef } from './dialect.js';

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
    const width = columns.length;
    const tuples: string[] = new Array<string>(rows);
    let index = 1;
    for (let r = 0; r < rows; r++) {
      const marks: string[] = new Array<string>(width);
      for (let c = 0; c < width; c++) marks[c] = this.placeholder(index++);
      tuples[r] = `(${marks.join(', ')})`;
    }
    const list = columns.map((c) => this.quoteIdent(c)).join(', ');
    return `INSERT INTO ${this.table(ref)} (${list}) VALUES ${tuples.join(', ')}`;
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
