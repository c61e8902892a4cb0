import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Share } from './share-bounds.js';

/**
 * Each share of a parallel load writes its rejects to a file of its own beside the rejects file
 * (a resume trims each to its share's checkpoint, as a serial resume trims the one file); when all
 * shares are done they are joined into the rejects file, in file order, and removed.
 */
export function partRejectsPath(rejects: string, part: number, of: number): string {
  return `${rejects}.part-${part}-of-${of}`;
}

export async function removePartRejects(rejects: string, part: number, of: number): Promise<void> {
  await rm(partRejectsPath(rejects, part, of), { force: true });
}

/**
 * Writes the rejects file from the shares' files, one header, the shares in file order (so the
 * lines ascend as a serial load's do). No share rejected a row: no file, as a clean load leaves none.
 */
export async function mergeRejects(rejects: string, of: number, shares: readonly Share[]): Promise<void> {
  const parts = shares.map((s) => partRejectsPath(rejects, s.part, of)).filter((p) => existsSync(p));
  if (parts.length === 0) return;
  const out = createWriteStream(rejects);
  const write = async (chunk: Buffer | string) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    await write('line,code,reason,record\n');
    for (const part of parts) {
      let header = true;
      for await (const chunk of createReadStream(part) as AsyncIterable<Buffer>) {
        let from = 0;
        if (header) {
          const newline = chunk.indexOf(0x0a);
          if (newline === -1) continue;
          from = newline + 1;
          header = false;
        }
        if (from < chunk.length) await write(from === 0 ? chunk : chunk.subarray(from));
      }
    }
  } finally {
    out.end();
    await finished(out);
  }
}
