import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * sluice's version, from its package.json. The module runs from three places at three depths
 * (dist/cli.js, the esbuild bundle; dist/cli/version.js, tsc's tree; src/cli/version.ts under
 * tsx), inside the repository or an installed node_modules/sluice, so the file is found by
 * walking up from here to the first package.json named "sluice".
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'sluice' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here (or not one we can read): keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find sluice's package.json to read its version");
    dir = parent;
  }
}
