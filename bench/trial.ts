/**
 * One trial in a process of its own (better-sqlite3's benchmark/index.js habit): memory and JIT
 * state do not leak between trials, and a crash is one failed trial. Prints one JSON line:
 * {seconds, rows, peakRssMB} or {error, notInstalled?}.
 *
 *   node --import tsx bench/trial.ts '{"trial":"sluice-file","url":"sqlite:x.db","file":"u.csv","method":"auto"}'
 */
import type { MethodChoice } from '../src/index.js';
import type { Db } from './targets.js';
import {
  NotInstalled,
  betterSqliteTrial,
  drizzleTrial,
  knexTrial,
  pgCopyStreamsTrial,
} from './trials/peer-trials.js';
import { generateOnly, sluiceFile, sluiceObjects, type TrialResult } from './trials/sluice-trials.js';

export type ChildSpec =
  | {
      readonly trial: 'sluice-file';
      readonly url: string;
      readonly file: string;
      readonly method: MethodChoice;
    }
  | {
      readonly trial: 'sluice-objects';
      readonly url: string;
      readonly rows: number;
      readonly method: MethodChoice;
    }
  | { readonly trial: 'generate'; readonly rows: number }
  | { readonly trial: 'knex' | 'drizzle'; readonly db: Db; readonly url: string; readonly rows: number }
  | { readonly trial: 'pg-copy-streams' | 'better-sqlite3'; readonly url: string; readonly rows: number };

function run(spec: ChildSpec): Promise<TrialResult> {
  switch (spec.trial) {
    case 'sluice-file':
      return sluiceFile(spec.url, spec.file, spec.method);
    case 'sluice-objects':
      return sluiceObjects(spec.url, spec.rows, spec.method);
    case 'generate':
      return generateOnly(spec.rows);
    case 'knex':
      return knexTrial(spec.db, spec.url, spec.rows);
    case 'drizzle':
      return drizzleTrial(spec.db, spec.url, spec.rows);
    case 'pg-copy-streams':
      return pgCopyStreamsTrial(spec.url, spec.rows);
    case 'better-sqlite3':
      return betterSqliteTrial(spec.url, spec.rows);
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
try {
  const result = await run(spec);
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ ...result, peakRssMB }) + '\n');
} catch (error) {
  // Query builders put the whole statement before the database's words: keep the end.
  const message = (error instanceof Error ? error.message : String(error)).replaceAll('\n', ' ');
  const shown = message.length > 300 ? '…' + message.slice(-300) : message;
  process.stdout.write(JSON.stringify({ error: shown, notInstalled: error instanceof NotInstalled }) + '\n');
  process.exitCode = 1;
}
