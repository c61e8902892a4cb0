// Fails when a relative import in src/, test/ or bench/ lacks its .js extension: Node's ESM loader
// needs the full specifier, and the mistake only shows when the built package runs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const bad = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts')) {
      const text = readFileSync(path, 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        if (!match[1].endsWith('.js') && !match[1].endsWith('.json')) bad.push(`${path}: ${match[1]}`);
      }
    }
  }
}
for (const dir of ['src', 'test', 'bench', 'scripts']) {
  try {
    walk(dir);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}
if (bad.length > 0) {
  console.error('relative imports without .js:\n' + bad.join('\n'));
  process.exit(1);
}
