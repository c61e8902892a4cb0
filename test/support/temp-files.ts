import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary directory for a test file's inputs, and a writer of numbered files in it:
 * `file('csv', text)` writes `<prefix>1.csv`, `<prefix>2.csv`, … and returns the path.
 */
export function tempFiles(prefix: string): { readonly dir: string; file(ext: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
  let files = 0;
  return {
    dir,
    file(ext: string, text: string): string {
      const path = join(dir, `${prefix}${++files}.${ext}`);
      writeFileSync(path, text);
      return path;
    },
  };
}
