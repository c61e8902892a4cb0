/**
 * The frontend messages sluice writes itself (PostgreSQL protocol, "Message Formats"): Parse,
 * Bind, Execute and Sync for the pipeline, CopyData, CopyDone and CopyFail for COPY. Many
 * messages go into one growing buffer, so a batch of Bind/Execute pairs leaves in a few large
 * socket writes instead of one write per message.
 */
export class MessageWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialSize = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.offset;
  }

  /** Parse: `sql` as the unnamed statement, parameter types left to the server. */
  parse(sql: string): this {
    const start = this.begin(0x50); // 'P'
    this.cstring('');
    this.cstring(sql);
    this.int16(0);
    return this.finish(start);
  }

  /**
   * Bind: the unnamed portal to the unnamed statement, every parameter in text format (null is
   * NULL), results in text format.
   */
  bind(values: readonly (string | null)[]): this {
    if (values.length > 0xffff)
      throw new RangeError(`Bind carries at most 65535 parameters, got ${values.length}`);
    const start = this.begin(0x42); // 'B'
    this.cstring('');
    this.cstring('');
    this.int16(0); // no parameter format codes: all text
    this.int16(values.length);
    for (const value of values) {
      if (value === null) {
        this.int32(-1);
      } else {
        this.ensure(4 + value.length * 3);
        const bytes = this.buffer.write(value, this.offset + 4, 'utf8');
        this.buffer.writeInt32BE(bytes, this.offset);
        this.offset += 4 + bytes;
      }
    }
    this.int16(0); // no result format codes: all text
    return this.finish(start);
  }

  /** Execute: the unnamed portal, all rows. */
  execute(): this {
    const start = this.begin(0x45); // 'E'
    this.cstring('');
    this.int32(0);
    return this.finish(start);
  }

  /** Sync: ends the pipeline; the server answers ReadyForQuery after everything before it. */
  sync(): this {
    const start = this.begin(0x53); // 'S'
    return this.finish(start);
  }

  /** The bytes written so far; the writer starts over empty. */
  take(): Buffer {
    const out = this.buffer.subarray(0, this.offset);
    this.buffer = Buffer.allocUnsafe(this.buffer.length);
    this.offset = 0;
    return out;
  }

  private begin(type: number): number {
    this.ensure(5);
    const start = this.offset;
    this.buffer[start] = type;
    this.offset += 5; // the length is filled in by finish()
    return start;
  }

  private finish(start: number): this {
    this.buffer.writeInt32BE(this.offset - start - 1, start + 1);
    return this;
  }

  private cstring(text: string): void {
    this.ensure(text.length * 3 + 1);
    this.offset += this.buffer.write(text, this.offset, 'utf8');
    this.buffer[this.offset++] = 0;
  }

  private int16(value: number): void {
    this.ensure(2);
    this.buffer.writeUInt16BE(value, this.offset);
    this.offset += 2;
  }

  private int32(value: number): void {
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.offset);
    this.offset += 4;
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

/** The 5-byte header of a CopyData message carrying `length` bytes of data. */
export function copyDataHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(5);
  header[0] = 0x64; // 'd'
  header.writeInt32BE(length + 4, 1);
  return header;
}

/** CopyDone: the data is complete; the server answers CommandComplete "COPY n", then ReadyForQuery. */
export const COPY_DONE: Buffer = Buffer.from([0x63, 0, 0, 0, 4]); // 'c'

/** CopyFail: abort the COPY; the server answers with an ErrorResponse and rolls the COPY back. */
export function copyFail(reason: string): Buffer {
  const text = Buffer.from(reason.replace(/\0/g, ' ') + '\0', 'utf8');
  const message = Buffer.allocUnsafe(5 + text.length);
  message[0] = 0x66; // 'f'
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
