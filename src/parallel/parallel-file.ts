import { stat } from 'node:fs/promises';
import { SluiceError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import { unseekableReason } from '../sources/byte-layer.js';
import { formatFromPath, openSource, type LoadInput } from '../sources/from-input.js';
import type { RecordLayout } from './share-bounds.js';

/** A file a parallel load can cut into shares, and how its records end. */
export interface ParallelFile {
  readonly path: string;
  readonly layout: RecordLayout;
  /**
   * For the shares after the first, which open the file past its start: the delimiter and quote a
   * sniff guessed from its first lines, given outright, so every share reads the file alike.
   */
  readonly dialectFixed: Pick<LoadOptions, 'delimiter' | 'quote' | 'sniff'>;
}

/**
 * Checks that `input` can be cut at byte offsets and read from each: a file (not stdin or a stream;
 * a JS collection goes by batches, parallel-batches.ts), uncompressed, in an encoding whose record
 * ends are file offsets, CSV/TSV without an escape character (the record scanner does not follow
 * one) or NDJSON (not a JSON array, whose elements are found only by reading from its opening
 * bracket).
 */
export async function parallelFile(input: LoadInput, options: LoadOptions, n: number): Promise<ParallelFile> {
  const refuse = (why: string, hint: string): never => {
    throw new SluiceError('BAD_USAGE', `--parallel ${n} cannot cut ${why}`, { hint });
  };
  if (typeof input !== 'string' || input === '-')
    return refuse(
      `${input === '-' ? 'stdin' : 'a stream'} into parts: it cuts a file at byte offsets, and reads each part from its own`,
      'save the input to a file and load the file with --parallel, or load it without --parallel (in the library, an array or an iterable of objects is loaded in parallel by batches)',
    );
  try {
    if (!(await stat(input)).isFile()) throw new Error('not a regular file');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SluiceError('BAD_USAGE', `cannot read ${input}: ${why}`, { cause: error });
  }
  const format = options.format ?? formatFromPath(input);
  if (format === 'json')
    refuse(
      `a JSON array into parts: its elements are found only by reading it from its opening bracket`,
      'convert it to NDJSON (one object per line), or load it without --parallel',
    );
  const unseekable = await unseekableReason(input, options.encoding);
  if (unseekable !== undefined)
    refuse(
      `${input} into parts: ${unseekable}`,
      'decompress it (or convert it to UTF-8) first, or load it without --parallel',
    );
  if (format === 'ndjson') return { path: input, layout: { kind: 'lines' }, dialectFixed: {} };
  // Opened to learn its dialect as the load will read it (a sniff's guess included), then closed.
  // A headerless file is not parsed here: one placeholder name lets it open.
  const source = await openSource(input, {
    format,
    csv: options,
    encoding: options.encoding,
    sniff: options.sniff,
    columns:
      options.header === false ? (Array.isArray(options.columns) ? options.columns : ['_']) : undefined,
  });
  source.close();
  if (source.kind !== 'text') throw new Error(`${input} did not open as delimited text`);
  const { dialect, sniffed } = source;
  if (dialect.escape !== '')
    refuse(
      `${input} into parts with --escape: the record scanner that finds the parts' boundaries does not follow escape sequences`,
      'load it without --parallel',
    );
  const guessed = sniffed !== undefined && sniffed !== 'none';
  return {
    path: input,
    layout: { kind: 'delimited', dialect },
    dialectFixed: guessed ? { delimiter: dialect.delimiter, quote: dialect.quote, sniff: false } : {},
  };
}
