import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { csvLine, users, CSV_HEADER } from '../../bench/data/generate.js';
import { CsvParser } from '../../src/sources/csv-parser.js';
import { emptyBatch, type TextField } from '../../src/sources/source.js';

/** The resume tests' input: the guide's users, with bad lines whose rejects must be written once. */
export interface ResumeFile {
  readonly path: string;
  /** Data rows that load. */
  readonly good: number;
  /** Lines (file line numbers) that are rejected: a field too many, or a username used before. */
  readonly rejectedLines: readonly number[];
}

/**
 * `count` users as CSV, generated once per process into the temp directory. Every 97,001st line
 * has a field too many (refused by the parser) and every 131,071st repeats the first username
 * (refused by the database's unique key), so rejects come from both places.
 */
export async function resumeFile(count: number): Promise<ResumeFile> {
  const path = join(tmpdir(), `sluice-resume-${count}-v1.csv`);
  const rejectedLines: number[] = [];
  let good = 0;
  let line = 1;
  const out = existsSync(path) ? undefined : createWriteStream(`${path}.partial-${process.pid}`);
  let text = CSV_HEADER + '\n';
  let first: string | undefined;
  for (const row of users(count)) {
    line++;
    first ??= row.username;
    if (line % 97_001 === 0) {
      rejectedLines.push(line);
      text += `${row.username},x,2020-01-01 00:00:00,1,extra\n`;
    } else if (line % 131_071 === 0) {
      rejectedLines.push(line);
      text += `${first},dup@example.org,2020-01-01 00:00:00,1\n`;
    } else {
      good++;
      text += csvLine(row);
    }
    if (out !== undefined && text.length >= 1 << 16) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    } else if (out === undefined) text = '';
  }
  if (out !== undefined) {
    out.end(text);
    await once(out, 'finish');
    const { renameSync } = await import('node:fs');
    renameSync(`${path}.partial-${process.pid}`, path);
  }
  return { path, good, rejectedLines };
}

/** The line numbers in a rejects file, in file order. */
export function rejectedLinesIn(path: string): number[] {
  if (!existsSync(path)) return [];
  const parser = new CsvParser(',', () => undefined);
  const batch = emptyBatch<TextField[]>();
  parser.push(readFileSync(path, 'utf8'), batch);
  parser.end(batch);
  return batch.records.map((r) => Number(r[0]));
}
