/**
 * Every trial the bench runs on one database, besides the baseline: sluice's default path from a
 * CSV file (CLI and library) and from JavaScript objects, each rung of the method ladder, and the
 * peers a user would pick instead. Each runs in a process of its own.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parts, shellQuote } from '../baselines/baselines.js';
import { runChild, runCommand, sluiceLoadArgv, type Trial } from '../measure.js';
import type { BenchTarget } from '../targets.js';
import type { ChildSpec } from '../trial.js';
import { redactUrl } from '../../src/util/redact-url.js';

export interface TrialInputs {
  /** The users CSV of `rows` rows. */
  readonly file: string;
  readonly rows: number;
  /** The first `sampleRows` rows, for the row rung (one INSERT and one commit per row). */
  readonly sampleFile: string;
  readonly sampleRows: number;
}

export function trialsFor(target: BenchTarget, inputs: TrialInputs): Trial[] {
  const { url, db } = target;
  const { file, rows } = inputs;
  const child = (
    id: string,
    label: string,
    group: Trial['group'],
    spec: ChildSpec,
    extra?: Partial<Trial>,
  ): Trial => ({
    id,
    label,
    group,
    rows,
    scale: 1,
    loads: true,
    ...extra,
    run: () => runChild(spec),
  });
  const cli = sluiceLoadArgv(file, url);
  const trials: Trial[] = [
    {
      id: 'sluice-cli',
      label: 'sluice load (CLI), CSV file, auto',
      group: 'sluice',
      rows,
      scale: 1,
      loads: true,
      command: shellQuote(
        ['node', 'bin/sluice.js', ...cli.slice(2)].map((a) => (a === url ? redactUrl(url) : a)),
      ),
      run: () => runCommand(cli, process.env, 'sluice'),
    },
    child('sluice-file', 'library: CSV file, auto', 'sluice', {
      trial: 'sluice-file',
      url,
      file,
      method: 'auto',
    }),
    child('sluice-objects', 'library: JS objects, auto', 'sluice', {
      trial: 'sluice-objects',
      url,
      rows,
      method: 'auto',
    }),
    child(
      'generate',
      '(the objects generator alone)',
      'reference',
      { trial: 'generate', rows },
      { loads: false },
    ),
    child(
      'ladder-row',
      `ladder: row (${inputs.sampleRows} rows, scaled)`,
      'ladder',
      { trial: 'sluice-file', url, file: inputs.sampleFile, method: 'row' },
      { rows: inputs.sampleRows, scale: rows / inputs.sampleRows },
    ),
    ...(['values', 'pipeline', 'copy'] as const).map((method) =>
      child(`ladder-${method}`, `ladder: ${method}`, 'ladder', { trial: 'sluice-file', url, file, method }),
    ),
    child('knex', `knex batchInsert (${db === 'sqlite' ? 500 : 1000}-row chunks)`, 'peer', {
      trial: 'knex',
      db,
      url,
      rows,
    }),
    child('drizzle', 'drizzle-orm insert().values() (1000-row chunks)', 'peer', {
      trial: 'drizzle',
      db,
      url,
      rows,
    }),
  ];
  if (db === 'postgres') {
    trials.push(
      child('pg-copy-streams', 'pg + pg-copy-streams, hand-written CSV', 'peer', {
        trial: 'pg-copy-streams',
        url,
        rows,
      }),
      pgloader(url, file, rows),
    );
  }
  if (db === 'sqlite') {
    trials.push(
      child('better-sqlite3', 'better-sqlite3, prepared INSERT per row', 'peer', {
        trial: 'better-sqlite3',
        url,
        rows,
      }),
      sqliteUtils(target.file!, file, rows),
    );
  }
  return trials;
}

function sqliteUtils(database: string, file: string, rows: number): Trial {
  const argv = ['sqlite-utils', 'insert', database, 'users', file, '--csv'];
  return {
    id: 'sqlite-utils',
    label: 'sqlite-utils insert --csv',
    group: 'peer',
    rows,
    scale: 1,
    loads: true,
    command: shellQuote(argv),
    run: () => runCommand(argv, process.env, 'sqlite-utils'),
  };
}

/** pgloader's CSV source needs a command file to name the target columns (id is left out). */
function pgloader(url: string, file: string, rows: number): Trial {
  const { host, port, user, password, database } = parts(url, '5432');
  const auth = password === undefined ? user : `${user}:${encodeURIComponent(password)}`;
  const commandFile = join(tmpdir(), `sluice-bench-${process.pid}.load`);
  const text = (target: string): string =>
    `LOAD CSV\n  FROM '${file}' (username, email, created_at, role_id)\n` +
    `  INTO ${target}?tablename=users (username, email, created_at, role_id)\n` +
    `  WITH skip header = 1, fields terminated by ',', fields optionally enclosed by '"';\n`;
  return {
    id: 'pgloader',
    label: 'pgloader (CSV)',
    group: 'peer',
    rows,
    scale: 1,
    loads: true,
    command: `pgloader users.load  # ${text(`postgresql://${user}@${host}:${port}/${database}`).replaceAll('\n', ' ')}`,
    run: () => {
      writeFileSync(commandFile, text(`postgresql://${auth}@${host}:${port}/${database}`), { mode: 0o600 });
      return runCommand(['pgloader', commandFile], process.env, 'pgloader');
    },
  };
}
