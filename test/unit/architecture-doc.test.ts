/**
 * docs/architecture.md names files and types rather than linking them: this test fails when a
 * path it names no longer exists, or a type it names is no longer exported where it says.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');

/** Every `src/…`, `test/…`, `docs/…` path in the text, and bare file names (`runs.ts`). */
function namedPaths(): { paths: string[]; files: string[] } {
  const paths = new Set<string>();
  for (const m of doc.matchAll(/\b((?:src|test|docs|bench)\/[\w./<>*-]+)/g))
    paths.add(m[1]!.replace(/[.,]$/, ''));
  const files = new Set<string>();
  for (const m of doc.matchAll(/`([\w*-]+\.ts)`/g)) files.add(m[1]!);
  return { paths: [...paths], files: [...files] };
}

function existsWithWildcards(path: string): boolean {
  if (!path.includes('<') && !path.includes('*')) return existsSync(join(root, path));
  // src/dialects/<db>/ or *-session.ts: some dialect folder must have it.
  return ['postgres', 'mysql', 'sqlite'].some((db) =>
    existsSync(join(root, path.replace('<db>', db).replace('*', db))),
  );
}

describe('docs/architecture.md', () => {
  it('names only paths that exist', () => {
    const { paths, files } = namedPaths();
    assert.ok(paths.length > 20, 'the map names its paths');
    for (const path of paths) assert.ok(existsWithWildcards(path), `${path} does not exist`);
    const under = readdirSync(join(root, 'src'), { recursive: true }).map((p) => basename(String(p)));
    for (const file of files) {
      // `*-session.ts`: every dialect folder has one.
      const found = file.startsWith('*')
        ? under.some((name) => name.endsWith(file.slice(1)))
        : under.includes(file) || existsSync(join(root, 'test/unit', file));
      assert.ok(found, `${file} (named in the text) is nowhere under src/`);
    }
  });

  it('names the types where they are exported', () => {
    const where: Record<string, string> = {
      LoadTransaction: 'src/methods/transaction.ts',
      CommitHooks: 'src/methods/transaction.ts',
      CommitPoint: 'src/methods/transaction.ts',
      MethodContext: 'src/methods/method.ts',
      RecordPositions: 'src/util/record-positions.ts',
      RecordBatch: 'src/sources/source.ts',
      MappedChunk: 'src/rows/row-mapper.ts',
      Run: 'src/methods/runs.ts',
      RowChunk: 'src/dialects/dialect.ts',
      RowCounts: 'src/dialects/dialect.ts',
      BulkCopy: 'src/dialects/dialect.ts',
      Capabilities: 'src/dialects/dialect.ts',
      Session: 'src/dialects/dialect.ts',
      LoadReport: 'src/report.ts',
      Plan: 'src/plan/plan.ts',
    };
    for (const [type, file] of Object.entries(where)) {
      assert.ok(doc.includes(type), `the map should name ${type}`);
      const text = readFileSync(join(root, file), 'utf8');
      assert.match(text, new RegExp(`export (?:interface|class|type) ${type}\\b`), `${type} in ${file}`);
    }
  });
});
