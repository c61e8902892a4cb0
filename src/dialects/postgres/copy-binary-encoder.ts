import { CopyEncodingError } from './copy-encoder.js';
import { isWellFormed } from './pg-text.js';

/**
 * Rows of JS values in COPY's binary format, for the column types where it spares the server its
 * text parsing and stays exact: integers, float8, booleans, text and varchar, timestamps. A value
 * is written in binary only when its JS type is the column's own (a number into an integer column,
 * a Date into a timestamp); a row holding any other value (a string of digits for an integer, say)
 * does not fit, and the caller sends such rows as COPY text, which the server parses as it always
 * did. The bytes are what the server's own binary receive functions read (int4recv, float8recv,
 * textrecv, timestamp_recv): nothing is rounded or reinterpreted, and the server still checks
 * lengths (varchar(n)), encodings and ranges.
 */

/** The column types written in binary; any other type keeps the whole COPY in text. */
export type BinaryKind = 'int2' | 'int4' | 'int8' | 'float8' | 'bool' | 'text' | 'timestamp';

/**
 * The kind of a column from its type as `format_type` prints it (the table description's
 * ColumnInfo.type, lower case), or undefined: domains, arrays, numeric, json and every other type
 * go as text.
 */
export function binaryKind(type: string): BinaryKind | undefined {
  switch (type) {
    case 'smallint':
      return 'int2';
    case 'integer':
      return 'int4';
    case 'bigint':
      return 'int8';
    case 'double precision':
      return 'float8';
    case 'boolean':
      return 'bool';
    case 'text':
      return 'text';
  }
  if (/^character varying(\(\d+\))?$/.test(type)) return 'text';
  // A typmod's precision is applied by timestamp_recv as by timestamp_in.
  if (/^timestamp(\(\d\))? with(out)? time zone$/.test(type)) return 'timestamp';
  return undefined;
}

/** The kinds of columns of these types, or undefined if one has none (or is unknown). */
export function binaryKinds(types: readonly (string | undefined)[]): BinaryKind[] | undefined {
  const kinds: BinaryKind[] = [];
  for (const type of types) {
    const kind = type === undefined ? undefined : binaryKind(type);
    if (kind === undefined) return undefined;
    kinds.push(kind);
  }
  return kinds;
}

const INT64_LIMIT = 2n ** 63n;

function fits(kind: BinaryKind, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (kind) {
    case 'int2':
    case 'int4': {
      const limit = kind === 'int2' ? 32768 : 2147483648;
      if (typeof value === 'number') return Number.isInteger(value) && value >= -limit && value < limit;
      return typeof value === 'bigint' && value >= -BigInt(limit) && value < BigInt(limit);
    }
    case 'int8':
      // Past 2^53 a number goes as COPY text, as it always did (its shortest decimal form).
      if (typeof value === 'number') return Number.isSafeInteger(value);
      return typeof value === 'bigint' && value >= -INT64_LIMIT && value < INT64_LIMIT;
    case 'float8':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'text':
      // A lone surrogate is left to the text encoder, which names the row it is in.
      return typeof value === 'string' && isWellFormed(value);
    case 'timestamp':
      return value instanceof Date && !Number.isNaN(value.getTime());
  }
}

/** Every value of `rows` fits its column's kind: the rows can go as COPY binary. */
export function fitsBinary(rows: readonly (readonly unknown[])[], kinds: readonly BinaryKind[]): boolean {
  for (const row of rows) {
    for (let c = 0; c < kinds.length; c++) if (!fits(kinds[c]!, row[c])) return false;
  }
  return true;
}

/** The binary COPY header: signature, flags, header extension length. */
export const COPY_BINARY_HEADER = Buffer.concat([
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
  Buffer.alloc(8),
]);
/** The binary COPY trailer: a field count of -1. */
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** Milliseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC). */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 4294967296;

const FIXED: Readonly<Record<Exclude<BinaryKind, 'text'>, number>> = {
  int2: 2,
  int4: 4,
  int8: 8,
  float8: 8,
  bool: 1,
  timestamp: 8,
};

/**
 * Encodes rows from `start` on, stopping after `end` or once the bytes pass `maxBytes`; the rows
 * must fit (fitsBinary). Returns the bytes and the index of the first row not encoded; at least
 * one row is encoded.
 */
export function encodeCopyBinary(
  rows: readonly (readonly unknown[])[],
  kinds: readonly BinaryKind[],
  start: number,
  end: number,
  maxBytes = Infinity,
): { bytes: Buffer; next: number } {
  const width = kinds.length;
  // First pass: the size, and the UTF-8 length of each string (written by the second pass).
  const lengths: number[] = [];
  let size = 0;
  let r = start;
  while (r < end) {
    const row = rows[r]!;
    size += 2 + 4 * width;
    for (let c = 0; c < width; c++) {
      const value = row[c];
      if (value === null || value === undefined) continue;
      const kind = kinds[c]!;
      if (kind === 'text') {
        const length = Buffer.byteLength(value as string, 'utf8');
        lengths.push(length);
        size += length;
      } else size += FIXED[kind];
    }
    r++;
    if (size >= maxBytes) break;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  let text = 0;
  try {
    for (let i = start; i < r; i++) {
      const row = rows[i]!;
      out.writeInt16BE(width, at);
      at += 2;
      for (let c = 0; c < width; c++) {
        const value = row[c];
        if (value === null || value === undefined) {
          out.writeInt32BE(-1, at);
          at += 4;
          continue;
        }
        const kind = kinds[c]!;
        if (kind === 'text') {
          const length = lengths[text++]!;
          out.writeInt32BE(length, at);
          out.write(value as string, at + 4, length, 'utf8');
          at += 4 + length;
          continue;
        }
        out.writeInt32BE(FIXED[kind], at);
        at += 4;
        switch (kind) {
          case 'int2':
            out.writeInt16BE(Number(value), at);
            break;
          case 'int4':
            out.writeInt32BE(Number(value), at);
            break;
          case 'int8':
            writeInt64(out, at, value as number | bigint);
            break;
          case 'float8':
            out.writeDoubleBE(value as number, at);
            break;
          case 'bool':
            out[at] = value === true ? 1 : 0;
            break;
          case 'timestamp': {
            // Milliseconds since 2000 are exact; their micros pass 2^53 after the year 2285.
            const ms = (value as Date).getTime() - PG_EPOCH_MS;
            const micros = ms * 1000;
            if (Number.isSafeInteger(micros)) writeInt64(out, at, micros);
            else out.writeBigInt64BE(BigInt(ms) * 1000n, at);
            break;
          }
        }
        at += FIXED[kind];
      }
    }
  } catch (error) {
    throw new CopyEncodingError(0, error);
  }
  return { bytes: out, next: r };
}

/** A bigint, or a number within 2^53, as 64 bits big-endian. */
function writeInt64(out: Buffer, at: number, value: number | bigint): void {
  if (typeof value === 'bigint') {
    out.writeBigInt64BE(value, at);
    return;
  }
  const high = Math.floor(value / TWO_32);
  out.writeInt32BE(high, at);
  out.writeUInt32BE(value - high * TWO_32, at + 4);
}
