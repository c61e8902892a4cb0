import { SluiceError } from '../errors.js';
import { InvalidUtf8, Utf8Decoder } from '../util/utf8.js';

/** Decoded text, its UTF-8 length, and the input bytes skipped before it (a byte-order mark). */
export interface DecodedText {
  readonly text: string;
  readonly bytes: number;
  readonly skipped: number;
}

/**
 * Decodes a byte stream to text chunk by chunk, counting bytes for progress. Invalid UTF-8 is a
 * BAD_INPUT error at the line `lineAt()` reports once the text before the bad byte is read; with
 * `lenient` (skip mode) bad bytes become NULs, which the parsers refuse record by record.
 *
 * The valid text before a bad byte is handed on first, and the error raised when the next chunk is
 * asked for: the records before the byte are judged before it, as when the chunk ends just before
 * it, so an abort names the first bad record in the file however the input is cut.
 */
export async function* decodeChunks(
  input: AsyncIterable<Buffer | string>,
  counter: { bytes: number },
  source: string,
  lineAt: () => number,
  lenient = false,
  /** False when the bytes start inside the input (a resume's seek): a BOM there is data. */
  atStart = true,
): AsyncGenerator<DecodedText> {
  const decoder = new Utf8Decoder(lenient);
  let first = atStart;
  // The text's own UTF-8 length: a character cut by a chunk's end is counted with the next chunk.
  const decoded = (chunk: string): DecodedText => {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) {
        const text = chunk.slice(1);
        return { text, bytes: Buffer.byteLength(text), skipped: 3 };
      }
    }
    return { text: chunk, bytes: Buffer.byteLength(chunk), skipped: 0 };
  };
  let text: string;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      counter.bytes += Buffer.byteLength(chunk);
      yield decoded(chunk);
      continue;
    }
    counter.bytes += chunk.length;
    try {
      text = decoder.decode(chunk);
    } catch (error) {
      if (!(error instanceof InvalidUtf8)) throw error;
      // The records before the bad bytes go first (the first bad row in file order is the one to
      // report); the line is the parser's once it has read them.
      if (error.validPrefix !== '') yield decoded(error.validPrefix);
      throw invalidUtf8Error(source, lineAt());
    }
    yield decoded(text);
  }
  try {
    text = decoder.end();
  } catch (error) {
    if (!(error instanceof InvalidUtf8)) throw error;
    if (error.validPrefix.length > 0) yield decoded(error.validPrefix);
    throw invalidUtf8Error(source, lineAt());
  }
  if (text) yield decoded(text);
}

function invalidUtf8Error(source: string, line: number): SluiceError {
  return new SluiceError('BAD_INPUT', 'invalid UTF-8 byte sequence (the input must be UTF-8)', {
    location: { source, line },
    hint: 'convert the file first, e.g. iconv -f latin1 -t utf-8',
  });
}

export function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
