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
 * BAD_INPUT error at the line `lineAt()` reports for the text before it; with `lenient` (skip
 * mode) bad bytes become NULs, which the parsers refuse record by record.
 */
export async function* decodeChunks(
  input: AsyncIterable<Buffer | string>,
  counter: { bytes: number },
  source: string,
  lineAt: (validPrefix: string) => number,
  lenient = false,
  /** False when the bytes start inside the input (a resume's seek): a BOM there is data. */
  atStart = true,
): AsyncGenerator<DecodedText> {
  const decoder = new Utf8Decoder(lenient);
  let text: string;
  // A byte order mark opens the input, not its first field: left in, it would become part of the
  // first column's name. (A raw CSV copy skips it with the header line.) Later BOMs are data.
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
      // report); lines are counted before the prefix is parsed.
      const failure = invalidUtf8Error(source, lineAt(error.validPrefix));
      if (error.validPrefix !== '') yield decoded(error.validPrefix);
      throw failure;
    }
    yield decoded(text);
  }
  try {
    text = decoder.end();
  } catch (error) {
    if (!(error instanceof InvalidUtf8)) throw error;
    throw invalidUtf8Error(source, lineAt(error.validPrefix));
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
