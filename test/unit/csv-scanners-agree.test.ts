/**
 * sluice reads CSV with five scanners: the parser (src/sources/csv-parser.ts, behind the UTF-8
 * decoder), the raw COPY guard (src/dialects/postgres/csv-guard.ts), the LOAD DATA rewriter
 * (src/dialects/mysql/load-data-csv.ts) and the record-line finder
 * (src/dialects/postgres/copy-record-line.ts), and the raw copy's record cutter
 * (src/methods/csv-cut.ts). Fed the same random CSV cut into chunks anywhere,
 * they must agree on the records, where they start and which are bad:
 *
 * - the parser gives the same outcome however its input is cut;
 * - the rewriter's output, read as LOAD DATA reads it, is the parser's records, lines and bad
 *   records (and the same fatal error at the same line);
 * - the guard gives one verdict however the input is cut, and when it lets the bytes through,
 *   COPY (test/support/copy-csv-model.ts, checked against a real server by
 *   test/integration/csv-scanners-databases.test.ts) reads exactly the parser's records, or fails
 *   at the parser's first bad record;
 * - the raw copy's record cutter cuts a file the parser reads whole where the parser's records end;
 * - on those bytes the finder maps every line COPY can name to the line the parser gives the
 *   record.
 *
 * A failure names its seed: `SEED=n` replays that input alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyCsvModel } from '../support/copy-csv-model.js';
import {
  afterPreambleSync,
  cutCsv,
  guardCsv,
  parseCsv,
  recordStartLine,
  rewriteCsv,
  type Scanned,
} from '../support/csv-scanners.js';
import { Random, chunksAt, cutSets, randomCsv, randomDialectCsv } from '../support/random-csv.js';
import { copyCsvRefusal } from '../../src/dialects/postgres/copy-csv-dialect.js';
import { LoadDataCsvRewriter } from '../../src/dialects/mysql/load-data-csv.js';
import type { CsvDialect } from '../../src/util/csv-dialect.js';

const ONLY = process.env.SEED === undefined ? undefined : Number(process.env.SEED);

/** Inputs per style (`INPUTS=n` for a longer hunt), and how many are also cut at every position. */
const INPUTS = Number(process.env.INPUTS ?? 300);
const EVERY_CUT = 60;

interface Tally {
  safe: number;
  rows: number;
}

async function checkInput(seed: number, clean: boolean, tally: Tally): Promise<void> {
  const random = new Random(seed);
  const { bytes, delimiter } = randomCsv(random, clean);
  const what = `seed ${seed} (${clean ? 'clean' : 'wild'}): ${JSON.stringify(bytes.toString('latin1'))}`;
  const expected = await parseCsv([bytes], delimiter);
  const verdict = guardCsv([bytes], delimiter);
  const cutsToTry = cutSets(random, bytes.length, ONLY !== undefined || seed % INPUTS < EVERY_CUT);
  for (const cuts of cutsToTry) {
    const chunks = chunksAt(bytes, cuts);
    const at = `${what} cut at ${cuts.join(',')}`;
    assert.deepEqual(await parseCsv(chunks, delimiter), expected, `parser, ${at}`);
    sameAsParser(rewriteCsv(chunks, delimiter), expected, `rewriter, ${at}`);
    assert.equal(guardCsv(chunks, delimiter), verdict, `guard, ${at}`);
    if (expected.bad.length === 0 && expected.fatal === undefined && expected.columns !== undefined)
      await cutsAsParser(chunks, delimiter, expected, 1 + (seed % 3), at);
  }
  if (verdict !== 'safe' || expected.columns === undefined) return;
  tally.safe++;

  const copy = copyCsvModel(bytes, delimiter, expected.columns);
  assert.notEqual(copy.kind, 'unmodelled', `guard let through what COPY may read as \\. (${what})`);
  const firstProblem = expected.headerNul ? 1 : (expected.bad[0]?.line ?? expected.fatal?.line);
  // Whole (the finder's native counts), a random set, or byte by byte.
  const cuts = cutsToTry[[0, cutsToTry.length - 2, cutsToTry.length - 1][seed % 3]!]!;
  const finder = (line: number): Promise<number | undefined> =>
    recordStartLine(chunksAt(bytes, cuts), delimiter, line);
  if (copy.kind === 'rows') {
    assert.equal(firstProblem, undefined, `COPY reads every row, the parser refuses some: ${what}`);
    assert.deepEqual(copy.rows, expected.records, `COPY reads other rows than the parser: ${what}`);
    tally.rows += copy.rows.length;
    let last = copy.header;
    for (let line = 1; line <= last; line++)
      assert.equal(await finder(line), 1, `header line ${line}, ${what}`);
    for (let r = 0; r < copy.rows.length; r++) {
      for (let line = last + 1; line <= copy.lines[r]!; line++) {
        assert.equal(await finder(line), expected.lines[r], `COPY line ${line} (row ${r + 1}), ${what}`);
      }
      last = copy.lines[r]!;
    }
    assert.equal(await finder(last + 1), undefined, `past the end, ${what}`);
  } else if (copy.kind === 'error') {
    assert.notEqual(firstProblem, undefined, `COPY fails (${copy.message}), the parser does not: ${what}`);
    const line = await finder(copy.line);
    if (expected.headerNul || expected.bad.length > 0) {
      assert.equal(line, firstProblem, `COPY's error at its line ${copy.line}, ${what}`);
    } else {
      // Invalid UTF-8: the parser names the line of the byte, COPY's line leads to its record.
      assert.ok(line !== undefined && line <= expected.fatal!.line, `${line} for ${copy.line}, ${what}`);
    }
  }
}

/**
 * The raw copy's cutter, on a file the parser reads without a bad record, cuts after every
 * `every` records exactly where the parser's records end, and counts them all.
 */
async function cutsAsParser(
  chunks: readonly Buffer[],
  dialect: string | CsvDialect,
  expected: Scanned,
  every: number,
  what: string,
): Promise<void> {
  const pieces = await cutCsv(chunks, dialect, every);
  const ends = expected.ends!;
  const total = pieces.reduce((n, p) => n + p.records, 0);
  assert.equal(total, ends.length, `cutter's record count, ${what}`);
  let ordinal = 0;
  for (const [i, piece] of pieces.entries()) {
    ordinal += piece.records;
    if (i === pieces.length - 1) {
      assert.equal(piece.end, Buffer.concat(chunks).length, `cutter's last piece ends the file, ${what}`);
    } else {
      assert.equal(piece.records, every, `cutter's piece ${i + 1} holds ${every} records, ${what}`);
      assert.equal(
        piece.end,
        ends[ordinal - 1],
        `cutter's piece ${i + 1} ends after record ${ordinal}, ${what}`,
      );
    }
  }
}

function sameAsParser(actual: Scanned, expected: Scanned, what: string): void {
  assert.equal(actual.columns, expected.columns, `header, ${what}`);
  if (actual.fatal !== undefined || expected.fatal !== undefined) {
    assert.equal(actual.fatal?.line, expected.fatal?.line, `fatal error, ${what}`);
    assert.deepEqual(actual.bad, expected.bad, `bad records before the fatal error, ${what}`);
    return;
  }
  assert.deepEqual(
    { records: actual.records, lines: actual.lines, bad: actual.bad },
    { records: expected.records, lines: expected.lines, bad: expected.bad },
    what,
  );
}

describe('the five CSV scanners agree on random CSV cut anywhere', () => {
  for (const clean of [true, false]) {
    it(clean ? 'as a careful writer writes it' : 'with every form a scanner could misread', async () => {
      const tally: Tally = { safe: 0, rows: 0 };
      const base = clean ? 0 : 1_000_000;
      const seeds = ONLY === undefined ? Array.from({ length: INPUTS }, (_, i) => base + i) : [ONLY];
      for (const seed of seeds) {
        if (seed >= 2_000_000) continue; // a dialect seed: checked below
        await checkInput(seed, seed < 1_000_000, tally);
      }
      // The COPY comparison must have had something to compare.
      if (ONLY === undefined && clean)
        assert.ok(tally.safe > INPUTS / 3 && tally.rows > INPUTS, JSON.stringify(tally));
    });
  }
});

/** What the LOAD DATA rewriter takes raw (load-data-bulk.ts rawCsvRefusal), as its constructor checks it. */
function rewriterTakes(dialect: Parameters<typeof copyCsvRefusal>[0]): boolean {
  try {
    new LoadDataCsvRewriter(dialect, () => undefined, 1);
    return true;
  } catch {
    return false;
  }
}

/**
 * The same agreement in other dialects (issue 16): the parser whatever the cuts; the rewriter, when
 * the MySQL bulk path takes the dialect raw; the guard, and COPY's reading of what it lets through,
 * when the PostgreSQL one does (QUOTE, NULL, FORCE_NULL, HEADER false).
 */
async function checkDialectInput(
  seed: number,
  clean: boolean,
  tally: Tally & { rewritten: number },
): Promise<void> {
  const random = new Random(seed);
  const { bytes, dialect, width } = randomDialectCsv(random, clean);
  const what = `seed ${seed} (${JSON.stringify(dialect)}): ${JSON.stringify(bytes.toString('latin1'))}`;
  const expected = await parseCsv([bytes], dialect, width);
  const rewrites = rewriterTakes(dialect);
  const copies = copyCsvRefusal(dialect) === undefined;
  const verdict = copies ? guardCsv([bytes], dialect) : 'not raw';
  for (const cuts of cutSets(random, bytes.length, seed % INPUTS < EVERY_CUT / 2)) {
    const chunks = chunksAt(bytes, cuts);
    const at = `${what} cut at ${cuts.join(',')}`;
    assert.deepEqual(await parseCsv(chunks, dialect, width), expected, `parser, ${at}`);
    if (rewrites) sameAsParser(rewriteCsv(chunks, dialect, width), expected, `rewriter, ${at}`);
    if (copies) assert.equal(guardCsv(chunks, dialect), verdict, `guard, ${at}`);
    // The raw copy's cutter, in any dialect it is given (no escape: the planner parses those).
    if (
      dialect.escape === '' &&
      expected.bad.length === 0 &&
      expected.fatal === undefined &&
      expected.columns !== undefined
    )
      await cutsAsParser(chunks, dialect, expected, 1 + (seed % 3), `cutter, ${at}`);
  }
  if (rewrites) tally.rewritten++;
  if (verdict !== 'safe' || expected.columns === undefined) return;
  // COPY is given the bytes after the preamble (postgres-session.ts copyCsv).
  const copied = Buffer.concat(afterPreambleSync([bytes], dialect.skipLines));
  const copy = copyCsvModel(copied, dialect, expected.columns);
  if (copy.kind === 'unmodelled') return;
  const firstProblem = expected.headerNul ? 1 : (expected.bad[0]?.line ?? expected.fatal?.line);
  if (copy.kind === 'rows') {
    assert.equal(firstProblem, undefined, `COPY reads every row, the parser refuses some: ${what}`);
    assert.deepEqual(copy.rows, expected.records, `COPY reads other rows than the parser: ${what}`);
    tally.safe++;
    tally.rows += copy.rows.length;
  } else {
    assert.notEqual(firstProblem, undefined, `COPY fails (${copy.message}), the parser does not: ${what}`);
  }
}

describe('the scanners agree in other dialects too (issue 16)', () => {
  for (const clean of [true, false]) {
    it(clean ? 'as a careful writer writes it' : 'with every form a scanner could misread', async () => {
      const tally = { safe: 0, rows: 0, rewritten: 0 };
      const base = clean ? 2_000_000 : 3_000_000;
      const seeds = ONLY === undefined ? Array.from({ length: INPUTS }, (_, i) => base + i) : [ONLY];
      for (const seed of seeds) await checkDialectInput(seed, seed < 3_000_000, tally);
      if (ONLY === undefined && clean)
        assert.ok(tally.safe > INPUTS / 6 && tally.rewritten > INPUTS / 3, JSON.stringify(tally));
    });
  }
});
