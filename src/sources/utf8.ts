/**
 * Streaming UTF-8 decoding that refuses invalid bytes instead of turning them into U+FFFD: a
 * replacement character written into the table would be a value silently changed.
 */
export class Utf8Decoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  /** Decodes a chunk; throws InvalidUtf8 with the offset of the first bad byte in `chunk`. */
  decode(chunk: Uint8Array): string {
    try {
      return this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new InvalidUtf8(firstInvalidByte(chunk));
    }
  }

  /** Flushes a multi-byte sequence cut off by the end of input. */
  end(): string {
    try {
      return this.decoder.decode();
    } catch {
      throw new InvalidUtf8(-1);
    }
  }
}

export class InvalidUtf8 extends Error {
  /** Offset of the first invalid byte in the chunk, -1 when the input ended mid-character. */
  constructor(readonly offset: number) {
    super('invalid UTF-8');
  }
}

/** Index of the first byte that does not start or continue a valid UTF-8 sequence (0 if unsure). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const size =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (size === 0) return i;
    if (i + size > bytes.length) return i; // a sequence that continues into the next chunk is judged there
    for (let k = 1; k < size; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += size;
  }
  return 0;
}
