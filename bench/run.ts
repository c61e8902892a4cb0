/**
 * `npm run bench`: sluice beside the databases' own loaders and the peers, on the same generated
 * rows, one process per trial, ratios from interleaved runs. See bench/README.md.
 *
 * Per database: a warm-up (the baseline and sluice's CLI once each, not counted), then `--runs`
 * rounds of  baseline, trial 1, baseline, trial 2, …, baseline  so every trial run sits between
 * two baseline runs; then the peak-RSS trials. A trial that fails (a database sluice cannot load
 * into yet, a peer that errors) is reported with its message and not run again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBenchArgs, type BenchArgs } from './args.js';
import { baselineFor } from './baselines/baselines.js';
import { csvFile } from './data/generate.js';
import { machineInfo } from './machine.js';
import { ensureBuilt, ROOT, runCommand, sluiceLoadArgv, type Outcome, type Trial } from './measure.js';
import { benchmarksDoc, memoryMarkdown, noiseMarkdown, sectionMarkdown } from './report.js';
import type { DbSection, MemoryRow, TrialSummary } from './report.js';
import { adjacentRatios, type TimedRun } from './stats.js';
import { openTarget, type BenchTarget, type Db } from './targets.js';
import { trialsFor } from './trials/catalog.js';

const SAMPLE_ROWS = 10_000;

function log(text: string): void {
  process.stderr.write(text + '\n');
}

interface Tally {
  seconds: number[];
  peakRssMB: number[];
  rssBy: string | undefined;
  failure: string | undefined;
  notInstalled: boolean;
}

/** Runs a trial on a fresh table and checks the table holds the rows it should. */
async function runOnce(target: BenchTarget, trial: Trial): Promise<Outcome> {
  if (trial.loads) await target.reset();
  const outcome = await trial.run();
  if (!outcome.ok || !trial.loads) return outcome;
  const count = await target.count();
  if (count !== trial.rows) return { ok: false, message: `loaded ${count} rows, expected ${trial.rows}` };
  return outcome;
}

async function measureDb(db: Db, args: BenchArgs, file: string, sampleFile: string): Promise<DbSection> {
  const empty = { db, rows: args.rows, baseline: undefined, trials: [] };
  let target: BenchTarget;
  try {
    target = await openTarget(db);
  } catch (error) {
    return { ...empty, version: undefined, error: (error as Error).message };
  }
  try {
    const version = await target.version();
    const baseline = baselineFor(target, file, args.rows);
    const wanted = (t: Trial): boolean =>
      args.filter.length === 0 || args.filter.some((f) => t.id.includes(f) || t.label.includes(f));
    const trials = trialsFor(target, { file, rows: args.rows, sampleFile, sampleRows: SAMPLE_ROWS }).filter(
      wanted,
    );
    const tallies = new Map<string, Tally>();
    for (const t of [baseline, ...trials])
      tallies.set(t.id, {
        seconds: [],
        peakRssMB: [],
        rssBy: undefined,
        failure: undefined,
        notInstalled: false,
      });
    const sequence: TimedRun[] = [];

    const timed = async (trial: Trial, counted: boolean): Promise<void> => {
      const tally = tallies.get(trial.id)!;
      if (tally.failure !== undefined) return;
      const outcome = await runOnce(target, trial);
      if (!outcome.ok) {
        tally.failure = outcome.message;
        tally.notInstalled = outcome.notInstalled === true;
        log(`  ${db} ${trial.id}: ${outcome.notInstalled ? 'not installed' : `failed: ${outcome.message}`}`);
        return;
      }
      const seconds = outcome.seconds * trial.scale;
      log(
        `  ${db} ${trial.id}: ${seconds.toFixed(2)} s${counted ? '' : ' (warm-up)'}, ${outcome.peakRssMB.toFixed(0)} MB`,
      );
      if (!counted) return;
      tally.seconds.push(seconds);
      tally.peakRssMB.push(outcome.peakRssMB);
      tally.rssBy = outcome.rssBy;
      sequence.push({ kind: trial.group === 'baseline' ? 'baseline' : 'trial', id: trial.id, seconds });
    };

    log(`${db}: warm-up`);
    await timed(baseline, false);
    const headline = trials.find((t) => t.id === 'sluice-cli') ?? trials[0];
    if (headline) await timed(headline, false);
    // A trial that failed in the warm-up (e.g. a database sluice cannot load into on this
    // branch) stays failed; anything else starts from a clean slate.
    for (let round = 1; round <= args.runs; round++) {
      log(`${db}: round ${round} of ${args.runs}`);
      await timed(baseline, true);
      for (const trial of trials) {
        if (tallies.get(trial.id)!.failure !== undefined) continue;
        await timed(trial, true);
        if (trial.group !== 'reference') await timed(baseline, true);
      }
    }
    const ratios = adjacentRatios(sequence);
    const summary = (trial: Trial): TrialSummary => {
      const tally = tallies.get(trial.id)!;
      return { trial, ...tally, ratios: ratios.get(trial.id) ?? [] };
    };
    return {
      db,
      version,
      error: undefined,
      rows: args.rows,
      baseline: summary(baseline),
      trials: trials.map(summary),
    };
  } finally {
    await target.close();
  }
}

async function measureMemory(db: Db, rows: number): Promise<MemoryRow> {
  const file = await csvFile(rows);
  let target: BenchTarget;
  try {
    target = await openTarget(db);
  } catch (error) {
    return { db, rows, seconds: undefined, peakRssMB: undefined, failure: (error as Error).message };
  }
  try {
    const argv = sluiceLoadArgv(file, target.url);
    const trial: Trial = {
      id: 'memory',
      label: 'memory',
      group: 'sluice',
      rows,
      scale: 1,
      loads: true,
      run: () => runCommand(argv, process.env, 'sluice'),
    };
    const outcome = await runOnce(target, trial);
    if (!outcome.ok) return { db, rows, seconds: undefined, peakRssMB: undefined, failure: outcome.message };
    log(`  ${db} memory ${rows}: ${outcome.seconds.toFixed(2)} s, ${outcome.peakRssMB.toFixed(0)} MB`);
    return { db, rows, seconds: outcome.seconds, peakRssMB: outcome.peakRssMB, failure: undefined };
  } finally {
    await target.close();
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const command = [
    'npm run bench',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
  ].join(' ');
  ensureBuilt(log);
  log(`generating ${args.rows} rows (cached in bench/data/) …`);
  const file = await csvFile(args.rows);
  const sampleFile = await csvFile(Math.min(SAMPLE_ROWS, args.rows));
  const sections: DbSection[] = [];
  for (const db of args.only) sections.push(await measureDb(db, args, file, sampleFile));
  const memory: MemoryRow[] = [];
  for (const db of args.only) {
    const section = sections.find((s) => s.db === db);
    if (section?.error !== undefined) continue;
    for (const rows of args.memoryRows) memory.push(await measureMemory(db, rows));
  }
  const text = [...sections.map(sectionMarkdown), memoryMarkdown(memory), noiseMarkdown(sections)]
    .filter((s) => s !== '')
    .join('\n');
  process.stdout.write(text);
  if (args.write) {
    const path = join(ROOT, 'docs/BENCHMARKS.md');
    writeFileSync(path, benchmarksDoc(args, command, machineInfo(), sections, memory));
    log(`wrote ${path}`);
  }
}

await main();
