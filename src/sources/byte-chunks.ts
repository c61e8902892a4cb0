import { SluiceError } from '../errors.js';
import { InvalidUtf8, Utf8Decoder } from './utf8.js';

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
): AsyncGenerator<string> {
  const decoder = new Utf8Decoder(lenient);
  let text: string;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      counter.bytes += Buffer.byteLength(chunk);
      yield chunk;
      continue;
    }
    counter.bytes += chunk.length;
    try {
      text = decoder.decode(chunk);
    } catch (error) {
      if (!(error instanceof InvalidUtf8)) throw error;
      throw invalidUtf8Error(source, lineAt(error.validPrefix));
    }
    yield text;
  }
  try {
    text = decoder.end();
  } catch (error) {
    if (!(error instanceof InvalidUtf8)) throw error;
    throw invalidUtf8Error(source, lineAt(error.validPrefix));
  }
  if (text) yield text;
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
