import { extname } from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { SluiceError } from '../errors.js';

/**
 * The decompress stage: compressed input is recognised by its magic bytes (so `cat x.gz | sluice
 * load -` works) or its extension, and decompressed in a stream.
 *
 * - gzip: Node's zlib, which runs on the libuv thread pool (another core) and reads every member
 *   of a multi-member file (`cat a.gz b.gz`), as gunzip does.
 * - zstd: fzstd (pure JavaScript, streaming; Node 20's zlib has no zstd). It runs on the main
 *   thread: measured ~50 MB/s of output here, against ~95 MB/s for zlib's gunzip.
 * - bzip2 and xz are refused: no streaming decoder for Node 20 was found that is both well kept
 *   and free of a native addon (see docs/cli.md); the message says how to decompress first.
 */
export type Compression = 'gzip' | 'zstd' | 'bzip2' | 'xz';

const EXTENSIONS: Readonly<Record<string, Compression>> = {
  '.gz': 'gzip',
  '.gzip': 'gzip',
  '.zst': 'zstd',
  '.zstd': 'zstd',
  '.bz2': 'bzip2',
  '.xz': 'xz',
};

/** Decompressed chunks of 64 KiB, the size of a plain file's reads (zlib's default is 16 KiB). */
const OUTPUT_CHUNK = 1 << 16;

/** The first bytes that name a format (gzip 1F 8B, zstd frame 28 B5 2F FD, bzip2 "BZh", xz FD "7zXZ" 00). */
export const MAGIC_BYTES = 6;

export function compressionFromPath(path: string): Compression | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** The path without a compression extension: `users.csv.gz` → `users.csv` (for format and table names). */
export function withoutCompressionExtension(path: string): string {
  const ext = extname(path);
  return EXTENSIONS[ext.toLowerCase()] === undefined ? path : path.slice(0, -ext.length);
}

export function compressionFromMagic(head: Uint8Array): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    return 'zstd';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (
    head.length >= 6 &&
    head[0] === 0xfd &&
    head[1] === 0x37 &&
    head[2] === 0x7a &&
    head[3] === 0x58 &&
    head[4] === 0x5a &&
    head[5] === 0x00
  )
    return 'xz';
  return undefined;
}

/**
 * The compression of an input, by its magic bytes first (a `.gz` that is not gzip data is an
 * error, as gunzip would say) and its extension second. A file named `.gz` whose bytes are not
 * gzip is refused rather than read as text.
 */
export function compressionOf(head: Uint8Array, name: string | undefined): Compression | undefined {
  const magic = compressionFromMagic(head);
  const byName = name === undefined ? undefined : compressionFromPath(name);
  if (byName !== undefined && magic !== byName)
    throw new SluiceError('BAD_INPUT', `${name} is named as ${byName} data but does not start like it`, {
      hint: 'check the file (e.g. with `file`), or rename it',
    });
  return magic;
}

function refuseUnsupported(compression: Compression, name: string): void {
  if (compression !== 'bzip2' && compression !== 'xz') return;
  const tool = compression === 'bzip2' ? 'bunzip2 -c' : 'xz -dc';
  throw new SluiceError(
    'BAD_USAGE',
    `${name}: ${compression} input is not supported (no streaming decoder for it is built in)`,
    {
      hint: `decompress it on the way in: ${tool} FILE | sluice load - --format csv --table NAME`,
    },
  );
}

/** The input's bytes, decompressed when they are compressed, with the compressed bytes counted. */
export interface ByteStage {
  readonly stream: Readable;
  readonly compression: Compression | undefined;
}

/**
 * Reads the input's first bytes, decides its compression and returns the decompressed stream
 * (the input itself, its head put back, when it is not compressed). `counter.bytes` counts the
 * input's own bytes as they are read when it is compressed (progress in compressed bytes, the
 * bar's total being the file's size); for plain input the decode stage counts them.
 */
export async function decompressStage(
  input: Readable,
  name: string,
  path: string | undefined,
  counter: { bytes: number },
): Promise<ByteStage> {
  const { head, rest } = await peekHead(input);
  input = rest;
  let compression: Compression | undefined;
  try {
    compression = compressionOf(head, path);
    if (compression !== undefined) refuseUnsupported(compression, name);
  } catch (error) {
    input.destroy();
    throw error;
  }
  // Plain input is the input itself, its head put back: no stage between it and the decoder, so
  // its read-ahead is the source's own (one read chunk).
  if (compression === undefined) return { stream: input, compression };
  async function* counted(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of input as AsyncIterable<Buffer | string>) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        counter.bytes += bytes.length;
        yield bytes;
      }
    } finally {
      input.destroy();
    }
  }
  const bytes = Readable.from(counted(), { objectMode: false });
  const decompressor = compression === 'gzip' ? createGunzip({ chunkSize: OUTPUT_CHUNK }) : zstdTransform();
  const out = corruptionNamed(
    pipeline(bytes, decompressor, () => undefined),
    name,
    compression,
  );
  // Destroying the stage (close(), an abort) releases the input too.
  out.once('close', () => input.destroy());
  return { stream: out, compression };
}

/**
 * The input's first MAGIC_BYTES (fewer at its end), read in paused mode and put back with
 * unshift(), so the stream goes on from its first byte for whoever reads it next.
 */
async function peekHead(input: Readable): Promise<{ head: Buffer; rest: Readable }> {
  const held: Buffer[] = [];
  let length = 0;
  while (length < MAGIC_BYTES) {
    const chunk = input.read() as Buffer | string | null;
    if (chunk !== null) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      held.push(bytes);
      length += bytes.length;
      continue;
    }
    if (input.readableEnded || input.destroyed) break;
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        input.off('readable', wake);
        input.off('end', wake);
        input.off('error', wake);
        input.off('close', wake);
        resolve();
      };
      input.on('readable', wake);
      input.on('end', wake);
      input.on('error', wake);
      input.on('close', wake);
    });
  }
  if (input.errored) throw input.errored;
  const head = held.length === 1 ? held[0]! : Buffer.concat(held);
  // An input shorter than the magic bytes has ended: unshift() is refused after 'end'.
  if (input.readableEnded)
    return { head, rest: Readable.from(head.length > 0 ? [head] : [], { objectMode: false }) };
  if (head.length > 0) input.unshift(head);
  return { head, rest: input };
}

/** A decompressor's error as BAD_INPUT naming the file (the decompressed text has no line for it). */
function corruptionNamed(stream: Readable, name: string, compression: Compression): Readable {
  async function* named(): AsyncGenerator<Buffer> {
    try {
      yield* stream as AsyncIterable<Buffer>;
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      const why = (error as Error).message;
      throw new SluiceError('BAD_INPUT', `${name}: the ${compression} data is corrupt or cut short: ${why}`, {
        cause: error,
      });
    } finally {
      stream.destroy();
    }
  }
  return Readable.from(named(), { objectMode: false });
}

/** fzstd's streaming decompressor as a Transform (it handles several frames one after another). */
function zstdTransform(): Transform {
  const out: Transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decompressor.push(chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        decompressor.push(new Uint8Array(0), true);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  const decompressor = new ZstdDecompress((data) => {
    // Copied: the decompressor's window is reused for the frames that follow.
    out.push(Buffer.from(data));
  });
  return out;
}
