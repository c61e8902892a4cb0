import { SluiceError } from '../errors.js';
import { InvalidUtf8, Utf8Decoder } from './utf8.js';

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
): AsyncGenerator<string> {
  // The decoder drops a byte order mark opening the input; text arrives decoded from a stream in
  // text mode, and loses its mark here. Left in, it would become part of the first column's name.
  // (A raw CSV copy skips it with the header line.) Later BOMs are data.
  const decoder = new Utf8Decoder(lenient);
  let first = true;
  const withoutBom = (chunk: string): string => {
    if (!first || chunk.length === 0) return chunk;
    first = false;
    return chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
  };
  let text: string;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      counter.bytes += Buffer.byteLength(chunk);
      yield withoutBom(chunk);
      continue;
    }
    counter.bytes += chunk.length;
    try {
      text = decoder.decode(chunk);
    } catch (error) {
      if (!(error instanceof InvalidUtf8)) throw error;
      if (error.validPrefix.length > 0) yield error.validPrefix;
      throw invalidUtf8Error(source, lineAt());
    }
    yield text;
  }
  try {
    text = decoder.end();
  } catch (error) {
    if (!(error instanceof InvalidUtf8)) throw error;
    if (error.validPrefix.length > 0) yield error.validPrefix;
    throw invalidUtf8Error(source, lineAt());
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
