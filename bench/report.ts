/** Markdown for the terminal and for docs/BENCHMARKS.md. */
import type { BenchArgs } from './args.js';
import type { MachineInfo } from './machine.js';
import type { Trial } from './measure.js';
import { median, spread } from './stats.js';
import type { Db } from './targets.js';

export interface TrialSummary {
  readonly trial: Pick<Trial, 'id' | 'label' | 'group' | 'rows' | 'scale' | 'command'>;
  /** Seconds of each timed run, scaled to the full row count. */
  readonly seconds: readonly number[];
  /** Baseline seconds / trial seconds, one per timed run that had a baseline beside it. */
  readonly ratios: readonly number[];
  readonly peakRssMB: readonly number[];
  readonly rssBy: string | undefined;
  readonly failure: string | undefined;
  readonly notInstalled: boolean;
}

export interface DbSection {
  readonly db: Db;
  readonly version: string | undefined;
  /** Set when the database could not be used at all (server down). */
  readonly error: string | undefined;
  readonly rows: number;
  readonly baseline: TrialSummary | undefined;
  readonly trials: readonly TrialSummary[];
}

export interface MemoryRow {
  readonly db: Db;
  readonly rows: number;
  readonly seconds: number | undefined;
  readonly peakRssMB: number | undefined;
  readonly failure: string | undefined;
}

const NAMES: Record<Db, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL / MariaDB' };

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

function rate(rowsPerSecond: number): string {
  if (!Number.isFinite(rowsPerSecond)) return '–';
  return rowsPerSecond >= 10_000 ? `${Math.round(rowsPerSecond / 1000)}k` : String(Math.round(rowsPerSecond));
}

function trialRow(summary: TrialSummary, fullRows: number, baseline: boolean): string {
  const { trial } = summary;
  const label = cell(trial.label);
  if (summary.failure !== undefined && summary.seconds.length === 0) {
    const what = summary.notInstalled ? 'not installed' : `failed: ${cell(summary.failure)}`;
    return `| ${label} | ${what} | | | |`;
  }
  const seconds = median(summary.seconds);
  const approx = trial.scale !== 1 ? '≈ ' : '';
  const rows = trial.scale !== 1 ? fullRows : trial.rows;
  let ratio = '';
  if (baseline) ratio = '1.00x (baseline)';
  else if (trial.group === 'reference') ratio = '';
  else if (summary.ratios.length > 0) {
    const r = summary.ratios;
    ratio =
      `**${fmt(median(r))}x**` + (r.length > 1 ? ` (${fmt(Math.min(...r))}–${fmt(Math.max(...r))})` : '');
  }
  const rss = summary.peakRssMB.length > 0 ? fmt(Math.max(...summary.peakRssMB), 0) : '';
  return `| ${label} | ${approx}${fmt(seconds)} | ${rate(rows / seconds)} | ${ratio} | ${rss} |`;
}

export function sectionMarkdown(section: DbSection): string {
  const title = `### ${NAMES[section.db]}${section.version ? ` ${section.version}` : ''}, ${section.rows.toLocaleString('en-US')} rows`;
  if (section.error !== undefined) return `${title}\n\nnot measured: ${section.error}\n`;
  const lines = [
    title,
    '',
    '| trial | seconds (median) | rows/s | throughput vs baseline (median, range) | peak RSS MB |',
    '|---|---:|---:|---|---:|',
  ];
  if (section.baseline) lines.push(trialRow(section.baseline, section.rows, true));
  for (const trial of section.trials) lines.push(trialRow(trial, section.rows, false));
  return lines.join('\n') + '\n';
}

export function memoryMarkdown(rows: readonly MemoryRow[]): string {
  if (rows.length === 0) return '';
  const lines = [
    '### Peak memory of the default load (`sluice load`, CLI)',
    '',
    '| database | rows | seconds | peak RSS MB |',
    '|---|---:|---:|---:|',
  ];
  for (const row of rows) {
    const what =
      row.failure !== undefined
        ? `failed: ${cell(row.failure)} | |`
        : `${fmt(row.seconds ?? Number.NaN)} | ${fmt(row.peakRssMB ?? Number.NaN, 0)} |`;
    lines.push(`| ${NAMES[row.db]} | ${row.rows.toLocaleString('en-US')} | ${what}`);
  }
  return lines.join('\n') + '\n';
}

/** How noisy each compared trial was: the spread of its ratios, (max - min) / median. */
export function noiseMarkdown(sections: readonly DbSection[]): string {
  const notes: string[] = [];
  for (const section of sections) {
    for (const t of section.trials) {
      if (t.ratios.length < 2) continue;
      notes.push(`${NAMES[section.db]} / ${t.trial.label}: ${Math.round(spread(t.ratios) * 100)}%`);
    }
    const b = section.baseline;
    if (b && b.seconds.length > 1)
      notes.push(`${NAMES[section.db]} / baseline seconds: ${Math.round(spread(b.seconds) * 100)}%`);
  }
  return notes.length === 0 ? '' : `Spread of the ratios, (max - min) / median: ${notes.join('; ')}.\n`;
}

export function benchmarksDoc(
  args: BenchArgs,
  command: string,
  machine: MachineInfo,
  sections: readonly DbSection[],
  memory: readonly MemoryRow[],
): string {
  const commands = sections
    .flatMap((s) => [s.baseline, ...s.trials])
    .filter((t): t is TrialSummary => t?.trial.command !== undefined)
    .filter((t) => t.trial.group === 'baseline' || t.trial.id === 'sluice-cli')
    .map((t) => `    ${t.trial.command}`);
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench -- --write`: edit bench/report.ts, not this file. -->',
    '',
    `Command: \`${command}\` (${args.runs} interleaved run${args.runs === 1 ? '' : 's'} per trial after a warm-up).`,
    '',
    `Date: ${machine.date}. Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGB} GB memory, ` +
      `${machine.os}, Node ${machine.node}.`,
    `Versions: ${machine.versions.join(', ')}.`,
    '',
    'How to read the tables: every trial loads the same generated `users` rows (bench/data/generate.ts) ' +
      'into a freshly created `users` table (serial id, unique username, foreign key role_id to a ' +
      '5-row roles table), in a process of its own. "Throughput vs baseline" is baseline seconds / ' +
      'trial seconds, higher is better: each trial run is compared with the mean of the baseline runs ' +
      'right before and after it, and the median of those ratios is shown with their range. Peak RSS ' +
      'is the trial process only (a database server is not counted): measured by the node child ' +
      'itself (`process.resourceUsage().maxRSS`; library trials run under tsx, which adds about ' +
      '35 MB), or by GNU time (`%M`) for command-line tools. The row rung loads a sample and is ' +
      'scaled to the full row count (≈).',
    '',
    ...sections.map(sectionMarkdown),
    memoryMarkdown(memory),
    noiseMarkdown(sections),
    'Baseline commands, as run (the sluice CLI beside them):',
    '',
    ...commands,
    '',
  ].join('\n');
}
