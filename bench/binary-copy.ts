/**
 * Issue 18's "also try": JS objects encoded as COPY BINARY instead of COPY text, to spare the server
 * its parsing of integers and timestamps. 1M rows of the guide's users (username, email, created_at
 * as a Date, role_id) go through the same COPY pump (src/dialects/postgres/copy-stream.ts) once
 * encoded by sluice's text encoder (copy-encoder.ts) and once by the binary prototype below (text,
 * varchar, int4 and timestamp only), into the guide's table (its keys and foreign key in place)
 * and into the same columns without any constraint (where parsing is a larger share). The stored
 * rows are compared (an md5 over every value as PostgreSQL prints it) after each pair, and the
 * encoding alone is timed without a database.
 *
 *   node --import tsx bench/binary-copy.ts [--rows 1000000] [--runs 3]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { encodeCopyRows } from '../src/dialects/postgres/copy-encoder.js';
import { copyFromStdin } from '../src/dialects/postgres/copy-stream.js';
import { isWellFormed } from '../src/dialects/postgres/pg-text.js';
import { users } from './data/generate.js';
import { median } from './stats.js';
import { openTarget } from './targets.js';

const BATCH = 10_000;
const COLUMNS = '(username, email, created_at, role_id)';
/** Milliseconds from the Unix epoch to PostgreSQL's, 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

type Row = readonly [string, string, Date, number];

function* batches(rows: number): Generator<Row[]> {
  let batch: Row[] = [];
  for (const u of users(rows)) {
    batch.push([u.username, u.email, u.created_at, u.role_id]);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** COPY BINARY for rows of (text, text, timestamp, int4): a prototype, not a general encoder. */
function encodeBinary(rows: readonly Row[], first: boolean, last: boolean): Buffer {
  let size = (first ? 19 : 0) + (last ? 2 : 0);
  const lengths = new Int32Array(rows.length * 2);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (!isWellFormed(row[0]) || !isWellFormed(row[1])) throw new TypeError('a lone surrogate');
    lengths[2 * r] = Buffer.byteLength(row[0]);
    lengths[2 * r + 1] = Buffer.byteLength(row[1]);
    // field count, 4 lengths, two texts, 8-byte timestamp, 4-byte integer
    size += 2 + 16 + lengths[2 * r]! + lengths[2 * r + 1]! + 8 + 4;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  if (first) {
    SIGNATURE.copy(out, 0);
    out.writeInt32BE(0, 11); // flags
    out.writeInt32BE(0, 15); // header extension length
    at = 19;
  }
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    out.writeInt16BE(4, at);
    at += 2;
    for (let f = 0; f < 2; f++) {
      const length = lengths[2 * r + f]!;
      out.writeInt32BE(length, at);
      at = out.write(row[f] as string, at + 4, length, 'utf8') + at + 4;
    }
    const time = row[2].getTime();
    if (Number.isNaN(time)) throw new RangeError('invalid Date');
    const micros = (time - PG_EPOCH_MS) * 1000;
    const high = Math.floor(micros / 4294967296);
    out.writeInt32BE(8, at);
    out.writeInt32BE(high, at + 4);
    out.writeUInt32BE(micros - high * 4294967296, at + 8);
    out.writeInt32BE(4, at + 12);
    out.writeInt32BE(row[3], at + 16);
    at += 20;
  }
  if (last) out.writeInt16BE(-1, at);
  return out;
}

function* textChunks(rows: number): Generator<Buffer> {
  for (const batch of batches(rows)) yield encodeCopyRows(batch, 0, batch.length).bytes;
}

function* binaryChunks(rows: number): Generator<Buffer> {
  let first = true;
  for (const batch of batches(rows)) {
    yield encodeBinary(batch, first, false);
    first = false;
  }
  yield encodeBinary([], first, true);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  const target = await openTarget('postgres');
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  const lines: string[] = [];

  // Encoding alone (no database): generation of the rows included in both, as in a load.
  const encodeTimes = { text: [] as number[], binary: [] as number[] };
  for (let i = 0; i < runs; i++) {
    for (const kind of ['text', 'binary'] as const) {
      const started = performance.now();
      let bytes = 0;
      for (const chunk of kind === 'text' ? textChunks(rows) : binaryChunks(rows)) bytes += chunk.length;
      encodeTimes[kind].push((performance.now() - started) / 1000);
      if (i === 0) lines.push(`${kind} COPY of ${rows} rows: ${(bytes / 1e6).toFixed(1)} MB`);
    }
  }
  const generateOnly: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    for (const batch of batches(rows)) void batch;
    generateOnly.push((performance.now() - started) / 1000);
  }

  const tables = [
    { name: "the guide's users (primary key, unique username, foreign key)", bare: false },
    { name: 'the same columns, no constraint', bare: true },
  ];
  const load = async (
    bare: boolean,
    kind: 'text' | 'binary',
  ): Promise<{ seconds: number; digest: string }> => {
    await target.reset();
    if (bare) {
      await client.query('DROP TABLE users');
      await client.query(
        'CREATE TABLE users (username varchar(100), email varchar(255), created_at timestamp, role_id int)',
      );
    }
    const sql = `COPY users ${COLUMNS} FROM STDIN${kind === 'binary' ? ' (FORMAT binary)' : ''}`;
    const started = performance.now();
    await client.query('BEGIN');
    const copied = await copyFromStdin(client, sql, kind === 'text' ? textChunks(rows) : binaryChunks(rows));
    await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    if (copied !== rows) throw new Error(`${kind}: copied ${copied} rows`);
    const result = await client.query(
      `SELECT md5(string_agg(username || ' ' || email || ' ' || created_at::text || ' ' || role_id, ',' ORDER BY username)) AS d FROM users`,
    );
    return { seconds, digest: (result.rows[0] as { d: string }).d };
  };
  const table = [
    '| target table | text COPY s | binary COPY s | binary / text time | same rows |',
    '|---|---|---|---|---|',
  ];
  for (const { name, bare } of tables) {
    await load(bare, 'text');
    await load(bare, 'binary'); // warm-up
    const t: number[] = [];
    const b: number[] = [];
    const ratio: number[] = [];
    let same = true;
    for (let i = 0; i < runs; i++) {
      const text = await load(bare, 'text');
      const binary = await load(bare, 'binary');
      same &&= text.digest === binary.digest;
      t.push(text.seconds);
      b.push(binary.seconds);
      ratio.push(binary.seconds / text.seconds);
      process.stderr.write(
        `${name} run ${i + 1}: text ${text.seconds.toFixed(2)} s, binary ${binary.seconds.toFixed(2)} s\n`,
      );
    }
    const r = (xs: number[]): string =>
      `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
    table.push(`| ${name} | ${r(t)} | ${r(b)} | ${r(ratio)} | ${same ? 'yes' : 'NO'} |`);
  }
  await client.end();
  await target.close();
  const e = (xs: number[]): string =>
    `${median(xs).toFixed(2)} s (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
  process.stdout.write(
    [
      `${rows} rows, ${runs} interleaved runs, medians (range):`,
      '',
      ...lines,
      `generating the rows alone: ${e(generateOnly)}; generating + text encoding: ${e(encodeTimes.text)}; generating + binary encoding: ${e(encodeTimes.binary)}`,
      '',
      ...table,
      '',
    ].join('\n'),
  );
}

await main();
