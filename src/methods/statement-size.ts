/**
 * Bytes a statement's parameters take on the wire, for databases that cap a statement's size
 * (MySQL's max_allowed_packet covers the whole COM_STMT_EXECUTE packet). Exact for the values
 * sluice binds (strings, Buffers, null); generous for the rest. Each parameter also carries a
 * type, a length prefix and a NULL-bitmap bit.
 */
const PER_PARAMETER = 12;
const SCALAR = 32;

export function parameterBytes(value: unknown): number {
  if (value === null || value === undefined) return PER_PARAMETER;
  if (typeof value === 'string') return PER_PARAMETER + Buffer.byteLength(value, 'utf8');
  if (value instanceof Uint8Array) return PER_PARAMETER + value.byteLength;
  if (typeof value === 'object' && !(value instanceof Date))
    return PER_PARAMETER + 3 * (JSON.stringify(value)?.length ?? 0);
  return PER_PARAMETER + SCALAR;
}

export function rowBytes(row: readonly unknown[]): number {
  let bytes = 0;
  for (let c = 0; c < row.length; c++) bytes += parameterBytes(row[c]);
  return bytes;
}

/**
 * The end (exclusive) of the statement that starts at `start`: at most `maxRows` rows, and, when
 * `maxBytes` is set, no more rows than fit in it. A row too big on its own goes alone; the caller
 * decides what to do with it.
 */
export function statementEnd(
  rows: readonly (readonly unknown[])[],
  start: number,
  maxRows: number,
  maxBytes: number | undefined,
): number {
  const limit = Math.min(rows.length, start + maxRows);
  if (maxBytes === undefined) return limit;
  let bytes = rowBytes(rows[start]!);
  let end = start + 1;
  while (end < limit) {
    const next = rowBytes(rows[end]!);
    if (bytes + next > maxBytes) break;
    bytes += next;
    end++;
  }
  return end;
}
