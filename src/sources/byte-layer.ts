import { open } from 'node:fs/promises';
import { compressionOf, MAGIC_BYTES } from './decompress.js';
import type { RowSource } from './source.js';
import { byteExact, describeEncoding, resolveEncoding, utf16FromBom, UTF8 } from './text-encoding.js';

/**
 * What the stages below the parser did to an input, in words for the summary and explain: its
 * decompression, its encoding and a sniffed delimiter. Read after the sample (the encoding a
 * byte-order mark declares is known once text has been read).
 */
export function byteLayerNotes(source: RowSource): string[] {
  const notes: string[] = [];
  const layer = source.byteLayer;
  if (layer?.compression !== undefined)
    notes.push(
      `${layer.compression}-compressed input, decompressed as it is read (progress counts compressed bytes)`,
    );
  const encoding = layer?.decoding.encoding;
  if (encoding !== undefined && encoding.kind !== 'utf-8')
    notes.push(
      `decoded from ${describeEncoding(encoding)}` +
        (byteExact(encoding)
          ? ''
          : ': record ends are positions in the decoded text, so it cannot be resumed by seeking'),
    );
  if (source.kind === 'text' && source.sniffed !== undefined) {
    const sniffed = source.sniffed;
    if (sniffed === 'none')
      notes.push(
        `--sniff found no delimiter consistent across the first lines: kept ${shown(source.delimiter)}`,
      );
    else {
      const why = sniffed.by === 'auto' ? 'the header line has no comma, so ' : '';
      notes.push(
        `${why}delimiter ${shown(sniffed.delimiter)} and quote ${shown(sniffed.quote)} guessed from the first lines`,
      );
    }
  }
  return notes;
}

/**
 * Whether the raw copy can take the input's bytes as they are (decompressed or not): UTF-8, or an
 * encoding the database converts exactly as the standard decodes it (`rawCsvEncodings`). A
 * byte-order mark's UTF-16 never: the bulk paths scan bytes assuming ASCII delimiters and quotes.
 */
export function rawBytesAccepted(source: RowSource, accepted: readonly string[] | undefined): boolean {
  const encoding = source.byteLayer?.decoding.encoding;
  if (encoding === undefined || encoding.kind === 'utf-8') return true;
  return encoding.kind === 'single-byte' && (accepted ?? []).includes(encoding.name);
}

function shown(c: string): string {
  return c === '\t' ? '\\t (tab)' : `'${c}'`;
}

/**
 * Why a file cannot be resumed by seeking to a byte offset, or undefined when it can: compressed
 * data has no offsets to seek to, and for UTF-16 and the multi-byte encodings the record ends are
 * positions in the decoded text. (Re-reading from the start and skipping records would work for
 * them in abort mode; sluice refuses instead, and says so, rather than re-read a 5 GB file.)
 */
export async function unseekableReason(
  path: string,
  encodingName: string | undefined,
): Promise<string | undefined> {
  const file = await open(path, 'r');
  let head: Buffer;
  try {
    head = Buffer.alloc(MAGIC_BYTES);
    const { bytesRead } = await file.read(head, 0, MAGIC_BYTES, 0);
    head = head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  const compression = compressionOf(head, path);
  if (compression !== undefined)
    return `it is ${compression}-compressed, and compressed data cannot be read from a position`;
  const encoding = encodingName === undefined ? (utf16FromBom(head) ?? UTF8) : resolveEncoding(encodingName);
  if (!byteExact(encoding))
    return `in ${encoding.name} the record ends sluice keeps are positions in the decoded text, not byte offsets in the file`;
  return undefined;
}
