/**
 * SQLite's column affinity, as far as loading text needs it. A CSV field bound as text to an
 * INTEGER column is converted by SQLite itself; binding the number instead stores the same value
 * and skips the UTF-8 copy and SQLite's own parse (measured: 1M rows of the bench's users table,
 * ~7% faster with role_id bound as a number).
 */

/** INTEGER affinity: the declared type contains "INT" (SQLite's first affinity rule). */
export function hasIntegerAffinity(declaredType: string): boolean {
  return /int/i.test(declaredType);
}

/**
 * The field as a number when it is a canonical integer that a double holds exactly (an optional
 * minus, no leading zeros, at most 15 digits): SQLite would store exactly that INTEGER from the
 * text too. Anything else (leading zeros, signs, spaces, exponents, "-0", longer numbers) stays
 * text, for SQLite's own rules to decide.
 */
export function canonicalIntegerOrText(field: string): string | number {
  const length = field.length;
  let i = field.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (length === i || length - i > 15) return field;
  if (field.charCodeAt(i) === 48 /* 0 */) return length === 1 ? 0 : field;
  for (; i < length; i++) {
    const c = field.charCodeAt(i);
    if (c < 48 || c > 57) return field;
  }
  return Number(field);
}

export type Affinity = 'integer' | 'text' | 'blob' | 'real' | 'numeric';

/** A declared type's affinity, by SQLite's five rules in their order (datatype3.html, 3.1). */
export function affinityOf(declaredType: string): Affinity {
  const type = declaredType.toUpperCase();
  if (type.includes('INT')) return 'integer';
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'text';
  if (type.includes('BLOB') || type === '') return 'blob';
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'real';
  return 'numeric';
}
