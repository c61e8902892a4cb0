/**
 * One library load of N JS objects of the guide's users into an empty users table (the bench
 * target's reset), timed from open() to the resolved report; prints the seconds. `--tree DIR` loads
 * with the sluice source tree at DIR (another commit's, for a before/after pair), default this one.
 *
 *   node --import tsx bench/objects-load.ts [--rows 1000000] [--tree /tmp/sluice-text]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { users } from './data/generate.js';
import { openTarget } from './targets.js';

const { values } = parseArgs({ options: { rows: { type: 'string' }, tree: { type: 'string' } } });
const rows = Number(values.rows ?? 1_000_000);
const tree = values.tree ?? join(import.meta.dirname, '..');
const { open } = (await import(join(tree, 'src/index.ts'))) as typeof import('../src/index.js');
const target = await openTarget('postgres');
await target.reset();
const started = performance.now();
const db = await open(target.url);
const report = await db.load('users', users(rows));
await db.close();
const seconds = (performance.now() - started) / 1000;
if (report.rowsLoaded !== rows || (await target.count()) !== rows) throw new Error('wrong row count');
await target.close();
process.stdout.write(`${seconds.toFixed(3)}\n`);
