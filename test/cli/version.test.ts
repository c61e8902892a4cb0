/**
 * Issue 11, defect 9: `sluice --version` was a literal. It is package.json's version, from the
 * bundled CLI in the repository and from the package as npm installs it (packed with `npm pack`,
 * unpacked into a node_modules folder).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { sluice } from '../support/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

describe('issue 11 defect 9: sluice --version', () => {
  it("prints package.json's version from the bundled CLI", async () => {
    const r = await sluice(['--version'], { cwd: tmpdir() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${pkg.version}\n`);
  });

  it(
    'prints it from the package as installed (npm pack, unpacked into node_modules)',
    { timeout: 120_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-installed-'));
      const [packed] = JSON.parse(
        execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
          cwd: root,
          encoding: 'utf8',
        }),
      ) as { filename: string; files: { path: string }[] }[];
      assert.ok(packed!.files.some((f) => f.path === 'dist/cli.js'));
      const installed = join(dir, 'node_modules', 'sluice');
      mkdirSync(installed, { recursive: true });
      execFileSync('tar', ['-xzf', join(dir, packed!.filename), '-C', installed, '--strip-components=1']);
      // The package's own dependencies, as npm would install them beside it.
      symlinkSync(join(root, 'node_modules'), join(installed, 'node_modules'));
      const out = execFileSync(process.execPath, [join(installed, 'bin', 'sluice.js'), '--version'], {
        cwd: dir,
        encoding: 'utf8',
      });
      assert.equal(out, `${pkg.version}\n`);
      // Read from the file, not a literal: another version in the installed package.json shows.
      const manifest = join(installed, 'package.json');
      const text = readFileSync(manifest, 'utf8');
      writeFileSync(manifest, text.replace(`"version": "${pkg.version}"`, '"version": "9.8.7-test"'));
      const again = execFileSync(process.execPath, [join(installed, 'bin', 'sluice.js'), '--version'], {
        cwd: dir,
        encoding: 'utf8',
      });
      assert.equal(again, '9.8.7-test\n');
    },
  );

  it('@streamparser/json is no longer a dependency (nothing imports it)', () => {
    assert.equal(pkg.dependencies['@streamparser/json'], undefined);
    const lock = readFileSync(join(root, 'package-lock.json'), 'utf8');
    assert.ok(!lock.includes('@streamparser/json'));
  });
});
