import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Bytes of the file's head hashed into its identity. */
const HEAD_BYTES = 1 << 20;

/** What tells a resumed load it reads the same file as the load that wrote the checkpoint. */
export interface SourceIdentity {
  readonly path: string;
  readonly size: number;
  /** Modification time in nanoseconds, as text (a 64-bit count). */
  readonly mtime: string;
  /** SHA-256 of the first MiB, hex. */
  readonly headSha256: string;
}

export async function sourceIdentity(path: string): Promise<SourceIdentity> {
  const info = await stat(path, { bigint: true });
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(Number(info.size < BigInt(HEAD_BYTES) ? info.size : BigInt(HEAD_BYTES)));
    let read = 0;
    while (read < head.length) {
      const { bytesRead } = await file.read(head, read, head.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return {
      path: resolve(path),
      size: Number(info.size),
      mtime: info.mtimeNs.toString(),
      headSha256: createHash('sha256').update(head.subarray(0, read)).digest('hex'),
    };
  } finally {
    await file.close();
  }
}

/** What differs between the checkpoint's file and this one, for the error; empty when none. */
export function identityDifferences(saved: SourceIdentity, now: SourceIdentity): string[] {
  const out: string[] = [];
  if (saved.size !== now.size) out.push(`its size is ${now.size} bytes, was ${saved.size}`);
  if (saved.mtime !== now.mtime) out.push('its modification time changed');
  if (saved.headSha256 !== now.headSha256) out.push('its first MiB differs');
  return out;
}

/**
 * The line the byte `offset` lies on (1-based), counted over the bytes before it: a resume seeks
 * there and needs the line for messages and rejects. One pass without parsing, at disk speed.
 */
export async function lineAtOffset(path: string, offset: number): Promise<number> {
  if (offset === 0) return 1;
  let line = 1;
  const stream = createReadStream(path, { start: 0, end: offset - 1, highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) line++;
  }
  return line;
}
