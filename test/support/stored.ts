/**
 * What a column holds, read back as text and compared byte for byte: each value's UTF-8 bytes in
 * hex, as the database's own text form of it (PostgreSQL ::text, MySQL CAST AS CHAR, SQLite
 * CAST AS TEXT), in id order. NULL reads back as null.
 */
import type { DialectName } from '../../src/dialects/dialect.js';
import type { TestTarget } from './targets.js';

export async function storedHex(
  target: TestTarget,
  table: string,
  column: string,
): Promise<(string | null)[]> {
  const sql = HEX_SQL[target.dialect](table, column);
  const rows = await target.query<Record<string, string | null>>(sql);
  return rows.map((r) => {
    const value = r.h ?? r.H ?? null;
    return value === null ? null : value.toLowerCase();
  });
}

/** The expected bytes of each text, in the same hex form. */
export function hexOf(texts: readonly (string | null)[]): (string | null)[] {
  return texts.map((t) => (t === null ? null : Buffer.from(t, 'utf8').toString('hex')));
}

const HEX_SQL: Record<DialectName, (table: string, column: string) => string> = {
  postgres: (t, c) => `SELECT encode(convert_to("${c}"::text, 'UTF8'), 'hex') AS h FROM "${t}" ORDER BY id`,
  mysql: (t, c) => `SELECT HEX(CAST(\`${c}\` AS CHAR)) AS h FROM \`${t}\` ORDER BY id`,
  // hex(NULL) is '' in SQLite.
  sqlite: (t, c) =>
    `SELECT CASE WHEN "${c}" IS NULL THEN NULL ELSE hex(CAST("${c}" AS TEXT)) END AS h FROM "${t}" ORDER BY id`,
};
