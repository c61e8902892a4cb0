/**
 * The docs say what the code does: the README's quick-start command runs as written on a fresh
 * copy of the repository, every error code is documented, and the CLI reference is current.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { cliReference } from '../scripts/cli-reference.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The shell blocks of the README, in order. */
function shellBlocks(): string[] {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

describe('README', () => {
  it(
    'its first command installs and loads the sample into ./sluice.db on a fresh copy',
    { timeout: 600_000 },
    () => {
      const command = shellBlocks()[0]!;
      assert.equal(command, 'npm ci && npx sluice load examples/people.csv');
      // A fresh copy of what git would hand a new user: tracked files plus new ones not ignored.
      const copy = mkdtempSync(join(tmpdir(), 'sluice-readme-'));
      const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
        cwd: root,
        encoding: 'utf8',
      })
        .split('\n')
        .filter((f) => f !== '');
      for (const file of files) {
        // A symlink (a worktree's shared node_modules) would let npm ci in the copy empty its target.
        if (lstatSync(join(root, file), { throwIfNoEntry: false })?.isSymbolicLink() !== false) continue;
        mkdirSync(dirname(join(copy, file)), { recursive: true });
        try {
          cpSync(join(root, file), join(copy, file));
        } catch {
          // deleted in the work tree but still in the index
        }
      }
      const run = spawnSync('bash', ['-c', command], {
        cwd: copy,
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: '' },
      });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /loaded 1000 rows into people \(sqlite:sluice\.db\)/);
      const db = new Database(join(copy, 'sluice.db'), { readonly: true });
      assert.equal((db.prepare('SELECT count(*) AS n FROM people').get() as { n: number }).n, 1000);
      db.close();
    },
  );

  it('gives npm test as the test command, and package.json defines it', () => {
    assert.equal(shellBlocks()[1], 'npm test');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.ok(pkg.scripts.test);
  });
});

describe('docs', () => {
  it('documents every error code in docs/errors.md', () => {
    const source = readFileSync(join(root, 'src/errors.ts'), 'utf8');
    const union = source.slice(
      source.indexOf('export type ErrorCode'),
      source.indexOf(';', source.indexOf('export type ErrorCode')),
    );
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
    assert.ok(codes.length >= 5);
    const errors = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    for (const code of codes) assert.match(errors, new RegExp(`^## ${code}$`, 'm'), code);
  });

  it('docs/cli-reference.md is generated from the current --help', () => {
    assert.equal(readFileSync(join(root, 'docs/cli-reference.md'), 'utf8'), cliReference());
  });
});
