/** Where and with what a bench ran: recorded beside every table (better-sqlite3 docs/benchmark.md). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { which } from './measure.js';

export interface MachineInfo {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGB: number;
  readonly os: string;
  readonly node: string;
  /** Tool and package versions: `psql (PostgreSQL) 15.5`, `pg 8.11.3` … */
  readonly versions: readonly string[];
}

const PACKAGES = ['better-sqlite3', 'pg', 'pg-copy-streams', 'mysql2', 'knex', 'drizzle-orm'];
const TOOLS: readonly (readonly [string, ...string[]])[] = [
  ['psql', '--version'],
  ['mariadb', '--version'],
  ['sqlite3', '--version'],
  ['sqlite-utils', '--version'],
  ['pgloader', '--version'],
];

export function machineInfo(): MachineInfo {
  const require = createRequire(import.meta.url);
  const versions: string[] = [];
  for (const name of PACKAGES) {
    try {
      const pkg = require(`${name}/package.json`) as { version: string };
      versions.push(`${name} ${pkg.version}`);
    } catch {
      versions.push(`${name} (not installed)`);
    }
  }
  for (const [tool, ...args] of TOOLS) {
    if (which(tool) === undefined) {
      versions.push(`${tool} (not installed)`);
      continue;
    }
    try {
      const out = execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      versions.push(out.trim().split('\n')[0]!.slice(0, 100));
    } catch {
      versions.push(`${tool} (version unknown)`);
    }
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osName()} (Linux ${release()})`,
    node: process.version,
    versions,
  };
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'unknown OS';
  } catch {
    return process.platform;
  }
}
