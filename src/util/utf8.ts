/**
 * Chunked UTF-8 decoding that never turns bad bytes into U+FFFD silently: a replacement character
 * written into the table would be a value changed without a word. Strict mode throws InvalidUtf8;
 * lenient mode (used by --on-error skip) puts a NUL in place of each bad byte, which the parsers
 * then refuse record by record, so only the records that hold bad bytes are rejected.
 */
export class Utf8Decoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private tail: Uint8Array = new Uint8Array(0);

  constructor(private readonly lenient = false) {}

  /** Decodes a chunk; a multi-byte character cut by the chunk's end waits for the next chunk. */
  decode(chunk: Uint8Array): string {
    const bytes = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    const cut = completeLength(bytes);
    this.tail = Uint8Array.prototype.slice.call(bytes, cut);
    return this.text(bytes.subarray(0, cut));
  }

  /** Decodes what is left at the end of input (an incomplete character is invalid). */
  end(): string {
    const rest = this.tail;
    this.tail = new Uint8Array(0);
    return rest.length === 0 ? '' : this.text(rest);
  }

  private text(body: Uint8Array): string {
    let text: string;
    try {
      text = this.decoder.decode(body);
    } catch {
      const offset = firstInvalidByte(body);
      if (!this.lenient) {
        const prefix = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body.subarray(0, offset));
        throw new InvalidUtf8(prefix);
      }
      text = replaceInvalid(body);
    }
    return text;
  }
}

export class InvalidUtf8 extends Error {
  /** `validPrefix`: the text of the chunk before the first bad byte. */
  constructor(readonly validPrefix: string) {
    super('invalid UTF-8');
  }
}

/** Length of the prefix of `bytes` that ends on a character boundary. */
function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return size > back ? n - back : n;
  }
  return n;
}

function sequenceSize(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b < 0xe0) return 2;
  if (b >= 0xe0 && b < 0xf0) return 3;
  if (b >= 0xf0 && b < 0xf5) return 4;
  return 0;
}

/** Index of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const size = sequenceSize(bytes[i]!);
    if (size === 0 || i + size > bytes.length) return i;
    for (let k = 1; k < size; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    if (!validSequence(bytes, i, size)) return i;
    i += size;
  }
  return bytes.length;
}

/** Overlong forms, surrogates and code points past U+10FFFF are invalid too. */
function validSequence(bytes: Uint8Array, i: number, size: number): boolean {
  const b0 = bytes[i]!;
  const b1 = bytes[i + 1] ?? 0;
  if (size === 3) {
    if (b0 === 0xe0 && b1 < 0xa0) return false;
    if (b0 === 0xed && b1 >= 0xa0) return false;
  }
  if (size === 4) {
    if (b0 === 0xf0 && b1 < 0x90) return false;
    if (b0 === 0xf4 && b1 >= 0x90) return false;
  }
  return true;
}

/** The text with a NUL for every byte that is not part of a valid sequence. */
function replaceInvalid(bytes: Uint8Array): string {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let out = '';
  let start = 0;
  while (start < bytes.length) {
    const rest = bytes.subarray(start);
    const bad = firstInvalidByte(rest);
    out += decoder.decode(rest.subarray(0, bad));
    if (bad === rest.length) break;
    out += '\0';
    start += bad + 1;
  }
  return out;
}
