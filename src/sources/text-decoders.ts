import { TextDecoder } from 'node:util';
import { Utf8Decoder } from '../util/utf8.js';
import type { TextEncoding } from './text-encoding.js';

/**
 * Chunk-by-chunk decoders for the encodings other than UTF-8 (util/utf8.ts keeps UTF-8's own).
 * A character cut by a chunk's end waits for the next chunk. Bytes the encoding does not define
 * are never turned into U+FFFD silently: strict mode throws InvalidBytes (with the text before the
 * first bad byte, so the records before it are judged first), lenient mode (--on-error skip) puts
 * a NUL in their place, which the parsers refuse record by record.
 */
export interface ChunkDecoder {
  decode(chunk: Uint8Array): string;
  /** What is left at the end of input (an incomplete character is invalid). */
  end(): string;
}

export class InvalidBytes extends Error {
  constructor(readonly validPrefix: string) {
    super('invalid byte sequence');
  }
}

export function chunkDecoder(encoding: TextEncoding, lenient: boolean): ChunkDecoder {
  switch (encoding.kind) {
    case 'utf-8':
      return new Utf8Decoder(lenient);
    case 'utf-16':
      return new Utf16Decoder(encoding.name === 'utf-16be', lenient);
    case 'single-byte':
    case 'multi-byte':
      return new WhatwgDecoder(encoding.name, encoding.kind === 'single-byte', lenient);
  }
}

/**
 * Node's TextDecoder in streaming mode, in replacement mode so the place of a bad byte can be
 * found: none of these encodings can encode U+FFFD itself (gb18030's four-byte form of U+FFFD,
 * 84 31 A4 37, is the one exception, and is refused as if invalid), so a U+FFFD in the output
 * marks a byte sequence the encoding does not define. A bad lead byte never swallows an ASCII
 * byte after it (the standard pushes it back), so delimiters and newlines survive in skip mode.
 *
 * Always called with `stream: true`: Node 20's TextDecoder decodes a whole buffer (no `stream`)
 * labelled windows-1252 / latin1 / ascii through a latin1 fast path, which reads 0x80 as U+0080
 * instead of the standard's € (and 0x93 as U+0093, not “); the streaming path goes through ICU and
 * follows the standard. test/unit/text-decoders.test.ts holds it to the standard's table.
 */
class WhatwgDecoder implements ChunkDecoder {
  private readonly decoder: TextDecoder;

  constructor(
    name: string,
    private readonly singleByte: boolean,
    private readonly lenient: boolean,
  ) {
    this.decoder = new TextDecoder(name, { fatal: false, ignoreBOM: true });
  }

  decode(chunk: Uint8Array): string {
    return this.checked(this.decoder.decode(chunk, { stream: true }));
  }

  end(): string {
    // Flushes a multi-byte character left incomplete. A single-byte decoder has nothing pending,
    // and a call without `stream: true` would take Node 20's latin1 fast path (below).
    return this.checked(this.singleByte ? '' : this.decoder.decode());
  }

  private checked(text: string): string {
    const bad = text.indexOf('\uFFFD');
    if (bad === -1) return text;
    if (!this.lenient) throw new InvalidBytes(text.slice(0, bad));
    return text.replaceAll('\uFFFD', '\0');
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * UTF-16 through Buffer's own utf16le conversion, which keeps a lone surrogate as it is (where
 * TextDecoder would make it U+FFFD, indistinguishable from a real U+FFFD, which UTF-16 can hold):
 * a lone surrogate is then found exactly. Big-endian input is byte-swapped on a copy first.
 */
class Utf16Decoder implements ChunkDecoder {
  private tail: Buffer = Buffer.alloc(0);

  constructor(
    private readonly bigEndian: boolean,
    private readonly lenient: boolean,
  ) {}

  decode(chunk: Uint8Array): string {
    const bytes =
      this.tail.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.tail, chunk]);
    let cut = bytes.length & ~1;
    // A high surrogate at the end waits for its low half in the next chunk.
    if (cut >= 2) {
      const last = this.bigEndian
        ? (bytes[cut - 2]! << 8) | bytes[cut - 1]!
        : (bytes[cut - 1]! << 8) | bytes[cut - 2]!;
      if (last >= 0xd800 && last <= 0xdbff) cut -= 2;
    }
    this.tail = Buffer.from(bytes.subarray(cut));
    return this.text(bytes.subarray(0, cut));
  }

  end(): string {
    const rest = this.tail;
    this.tail = Buffer.alloc(0);
    if (rest.length === 0) return '';
    const text = this.text(rest.subarray(0, rest.length & ~1));
    if (rest.length % 2 === 0) return text;
    // An odd byte at the end is half a code unit.
    if (!this.lenient) throw new InvalidBytes(text);
    return text + '\0';
  }

  private text(body: Buffer): string {
    let text: string;
    if (this.bigEndian) {
      const swapped = Buffer.from(body);
      swapped.swap16();
      text = swapped.toString('utf16le');
    } else {
      text = body.toString('utf16le');
    }
    const bad = text.search(LONE_SURROGATE);
    if (bad === -1) return text;
    if (!this.lenient) throw new InvalidBytes(text.slice(0, bad));
    return text.replace(LONE_SURROGATES, '\0');
  }
}
