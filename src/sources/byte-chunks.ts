import { SluiceError } from '../errors.js';
import { InvalidUtf8 } from '../util/utf8.js';
import { guessEncoding } from './encoding-guess.js';
import { chunkDecoder, InvalidBytes } from './text-decoders.js';
import { UTF8, utf16FromBom, type TextEncoding } from './text-encoding.js';

/** Decoded text, its length in source bytes as the parsers measure it, and the bytes skipped before it (a BOM). */
export interface DecodedText {
  readonly text: string;
  readonly bytes: number;
  readonly skipped: number;
}

/**
 * How the bytes become text: the encoding, and whether a stage before counts the bytes read. With
 * no encoding given (UTF-8 by default) a UTF-16 byte-order mark at the start switches `encoding`
 * to UTF-16, which the source then reports (explain, the summary).
 */
export interface Decoding {
  encoding: TextEncoding;
  /** Compressed input: the decompress stage counts the file's (compressed) bytes for progress. */
  readonly countedUpstream?: boolean;
}

/**
 * Decodes a byte stream to text chunk by chunk, counting bytes for progress. Invalid input (bytes
 * the encoding does not define; for the default UTF-8, invalid UTF-8) is a BAD_INPUT error at the
 * line `lineAt()` reports once the text before the bad byte is read; with `lenient` (skip mode)
 * bad bytes become NULs, which the parsers refuse record by record.
 *
 * The valid text before a bad byte is handed on first, and the error raised when the next chunk is
 * asked for: the records before the byte are judged before it, as when the chunk ends just before
 * it, so an abort names the first bad record in the file however the input is cut.
 *
 * `bytes` is what the parsers add up into record ends: the UTF-8 length for UTF-8 (they measure
 * non-ASCII text themselves), the character count for a single-byte encoding (one byte each, so
 * the ends are file offsets too), and for UTF-16 and the multi-byte encodings the UTF-8 length of
 * the decoded text: positions in the text, not in the file (text-encoding.ts, `byteExact`).
 */
export async function* decodeChunks(
  input: AsyncIterable<Buffer | string>,
  counter: { bytes: number },
  source: string,
  lineAt: () => number,
  lenient = false,
  /** False when the bytes start inside the input (a resume's seek): a BOM there is data. */
  atStart = true,
  decoding: Decoding = { encoding: UTF8 },
): AsyncGenerator<DecodedText> {
  let encoding = decoding.encoding;
  let decoder = chunkDecoder(encoding, lenient);
  let bomBytes = 0;
  let measure = (text: string) => Buffer.byteLength(text);
  const settle = (): void => {
    decoder = chunkDecoder(encoding, lenient);
    bomBytes = encoding.kind === 'utf-8' ? 3 : encoding.kind === 'utf-16' ? 2 : 0;
    measure =
      encoding.kind === 'single-byte'
        ? (text: string) => text.length
        : (text: string) => Buffer.byteLength(text);
  };
  settle();
  const count = decoding.countedUpstream !== true;
  let first = atStart;
  let firstChunk = atStart;
  // The text's own length: a character cut by a chunk's end is counted with the next chunk.
  const decoded = (chunk: string): DecodedText => {
    if (first && chunk.length > 0) {
      first = false;
      if (bomBytes > 0 && chunk.charCodeAt(0) === 0xfeff) {
        const text = chunk.slice(1);
        return { text, bytes: measure(text), skipped: bomBytes };
      }
    }
    return { text: chunk, bytes: measure(chunk), skipped: 0 };
  };
  let text: string;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      if (count) counter.bytes += Buffer.byteLength(chunk);
      yield decoded(chunk);
      continue;
    }
    if (count) counter.bytes += chunk.length;
    if (firstChunk && encoding.by === 'default') {
      const bom = utf16FromBom(chunk);
      if (bom !== undefined) {
        encoding = decoding.encoding = bom;
        settle();
      }
    }
    try {
      text = decoder.decode(chunk);
    } catch (error) {
      if (!(error instanceof InvalidUtf8) && !(error instanceof InvalidBytes)) throw error;
      // The records before the bad bytes go first (the first bad row in file order is the one to
      // report); the line is the parser's once it has read them.
      if (error.validPrefix !== '') yield decoded(error.validPrefix);
      throw invalidTextError(source, lineAt(), encoding, chunk, firstChunk);
    }
    firstChunk = false;
    yield decoded(text);
  }
  try {
    text = decoder.end();
  } catch (error) {
    if (!(error instanceof InvalidUtf8) && !(error instanceof InvalidBytes)) throw error;
    if (error.validPrefix.length > 0) yield decoded(error.validPrefix);
    throw invalidTextError(source, lineAt(), encoding, new Uint8Array(0), false);
  }
  if (text) yield decoded(text);
}

function invalidTextError(
  source: string,
  line: number,
  encoding: TextEncoding,
  sample: Uint8Array,
  atStart: boolean,
): SluiceError {
  if (encoding.kind !== 'utf-8')
    return new SluiceError('BAD_INPUT', `invalid byte sequence for the encoding ${encoding.name}`, {
      location: { source, line },
      hint: `check the file's encoding: it is not ${encoding.name} (give another with --encoding NAME)`,
    });
  const guess = guessEncoding(sample, atStart);
  return new SluiceError('BAD_INPUT', 'invalid UTF-8 byte sequence (the input must be UTF-8)', {
    location: { source, line },
    hint:
      guess === undefined
        ? "give the file's encoding with --encoding NAME (e.g. --encoding windows-1252), or convert it first, e.g. iconv -f latin1 -t utf-8"
        : `the file is most likely ${guess}: add --encoding ${guess}`,
  });
}

export function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
