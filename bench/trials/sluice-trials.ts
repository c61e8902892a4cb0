/**
 * sluice through its public API, as a user would call it: open(url).load('users', source). The
 * time covers open, load and close (connecting is part of every baseline's time too).
 */
import { open, type MethodChoice } from '../../src/index.js';
import { users } from '../data/generate.js';

export interface TrialResult {
  readonly seconds: number;
  readonly rows: number;
}

/** A CSV file, by path: the library parses it (or passes the bytes through, when the plan says so). */
export async function sluiceFile(url: string, file: string, method: MethodChoice): Promise<TrialResult> {
  const started = performance.now();
  const db = await open(url);
  try {
    const report = await db.load('users', file, { method });
    return { seconds: (performance.now() - started) / 1000, rows: report.rowsLoaded };
  } finally {
    await db.close();
  }
}

/** Rows from JavaScript objects (created_at a Date, role_id a number), generated as they are read. */
export async function sluiceObjects(url: string, rows: number, method: MethodChoice): Promise<TrialResult> {
  const started = performance.now();
  const db = await open(url);
  try {
    const report = await db.load('users', users(rows), { method });
    return { seconds: (performance.now() - started) / 1000, rows: report.rowsLoaded };
  } finally {
    await db.close();
  }
}

/** The generator alone: what producing the objects costs, included in every objects trial. */
export async function generateOnly(rows: number): Promise<TrialResult> {
  const started = performance.now();
  let n = 0;
  for (const row of users(rows)) if (row.role_id > 0) n++;
  return { seconds: (performance.now() - started) / 1000, rows: n };
}
