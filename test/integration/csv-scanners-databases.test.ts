/**
 * The random CSV of test/unit/csv-scanners-agree.test.ts on the real servers, which the unit test
 * stands in for with a model (COPY) and a decoder (LOAD DATA):
 *
 * - PostgreSQL's COPY reads every input as test/support/copy-csv-model.ts says: the same rows, or
 *   the same error at the same line, so the unit test's COPY comparison holds for the server;
 * - sluice's raw copy (guard, COPY, the line the server blames mapped back by the record-line
 *   finder) stores exactly the parser's records, or refuses the file, or names the record the
 *   server refused by the line the parser gives it;
 * - MariaDB's LOAD DATA, fed the rewriter's bytes by sluice's bulk path, stores exactly the
 *   parser's records, byte for byte, or names the parser's first bad record.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Session } from '../../src/dialects/dialect.js';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { copyFromStdin } from '../../src/dialects/postgres/copy-stream.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { copyPosition } from '../../src/dialects/postgres/postgres-errors.js';
import { PostgresSqlBuilder } from '../../src/dialects/postgres/postgres-sql.js';
import { SluiceError, open } from '../../src/index.js';
import type { TextField } from '../../src/sources/source.js';
import { copyCsvModel } from '../support/copy-csv-model.js';
import { dialectOf, guardCsv, parseCsv, type Scanned } from '../support/csv-scanners.js';
import {
  Random,
  chunksAt,
  cutSets,
  randomCsv,
  randomDialectCsv,
  type RandomCsv,
  type RandomDialectCsv,
} from '../support/random-csv.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

/** Inputs per style: the first of the unit test's seeds. */
const INPUTS = Number(process.env.INPUTS ?? 150);
const WIDTHS = [1, 2, 3, 4, 5];

interface Input extends RandomCsv {
  readonly seed: number;
  readonly parsed: Scanned & { columns: number };
  /** The input cut at random places, as a file is read in chunks. */
  readonly chunks: Buffer[];
  readonly what: string;
}

async function inputs(): Promise<Input[]> {
  const all: Input[] = [];
  for (const base of [0, 1_000_000]) {
    for (let seed = base; seed < base + INPUTS; seed++) {
      const random = new Random(seed);
      const csv = randomCsv(random, base === 0);
      const parsed = await parseCsv([csv.bytes], csv.delimiter);
      if (parsed.columns === undefined || !WIDTHS.includes(parsed.columns)) continue;
      const cuts = cutSets(random, csv.bytes.length, false);
      const chunks = chunksAt(csv.bytes, cuts[1 + random.int(cuts.length - 2)]!);
      const what = `seed ${seed}: ${JSON.stringify(csv.bytes.toString('latin1'))}`;
      all.push({ ...csv, seed, parsed: parsed as Input['parsed'], chunks, what });
    }
  }
  return all;
}

function columns(width: number): string[] {
  return Array.from({ length: width }, (_, i) => `c${i + 1}`);
}

/** The parser's fields as the hex of their UTF-8 bytes, as the tables are read back. */
function hex(records: readonly TextField[][]): (string | null)[][] {
  return records.map((r) => r.map((f) => (f === null ? null : Buffer.from(f).toString('hex'))));
}

function firstProblem(parsed: Scanned): number | undefined {
  return parsed.headerNul ? 1 : (parsed.bad[0]?.line ?? parsed.fatal?.line);
}

describe('PostgreSQL COPY on random CSV', { skip: !DIALECTS.includes('postgres') }, () => {
  let target: TestTarget;
  let client: pg.Client;
  let session: Session;
  let all: Input[];
  const sql = new PostgresSqlBuilder();

  before(async () => {
    all = await inputs();
    target = await freshTarget('postgres');
    client = new pg.Client(target.url);
    await client.connect();
    // Refuses the row whose identity is sluice_test.refuse: COPY then names the line it read it on.
    await client.query(`CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.n = coalesce(nullif(current_setting('sluice_test.refuse', true), ''), '0')::bigint THEN
          RAISE EXCEPTION 'refused row %', NEW.n;
        END IF;
        RETURN NEW;
      END $$`);
    for (const width of WIDTHS) {
      const list = columns(width).map((c) => `${c} text`);
      await client.query(
        `CREATE TABLE t${width} (n bigint GENERATED ALWAYS AS IDENTITY, ${list.join(', ')})`,
      );
      await client.query(
        `CREATE TRIGGER refuse BEFORE INSERT ON t${width} FOR EACH ROW EXECUTE FUNCTION refuse_row()`,
      );
    }
    session = await postgresDialect.connect(target.url);
  });
  after(async () => {
    await session?.close();
    await client?.end();
    await target?.close();
  });

  async function stored(width: number): Promise<(string | null)[][]> {
    const list = columns(width).map((c) => `encode(convert_to(${c}, 'UTF8'), 'hex')`);
    const result = await client.query({
      text: `SELECT ${list.join(', ')} FROM t${width} ORDER BY n`,
      rowMode: 'array',
    });
    return result.rows as (string | null)[][];
  }

  it('reads every input as the COPY model says: the same rows, or the same error at the same line', async () => {
    let compared = 0;
    for (const input of all) {
      const width = input.parsed.columns;
      const model = copyCsvModel(input.bytes, input.delimiter, width);
      if (model.kind === 'unmodelled') continue;
      await client.query(`TRUNCATE t${width} RESTART IDENTITY`);
      const copy = sql.copyCsv({ name: `t${width}` }, columns(width), dialectOf(input.delimiter));
      const outcome = await copyFromStdin(client, copy, input.chunks).then(
        () => undefined,
        (error: Error) => error,
      );
      if (model.kind === 'rows') {
        assert.equal(outcome?.message, undefined, `COPY failed where the model reads rows: ${input.what}`);
        assert.deepEqual(await stored(width), hex(model.rows), `rows, ${input.what}`);
      } else {
        assert.ok(
          outcome !== undefined,
          `COPY read rows where the model fails (${model.message}): ${input.what}`,
        );
        // The model names neither the column nor every byte of a bad sequence.
        const generic = (message: string): string => message.replace(/ for column .*|: 0x.*/, '');
        assert.equal(generic(outcome.message), generic(model.message), `error, ${input.what}`);
        const line = copyPosition(outcome, `t${width}`, columns(width))?.line;
        assert.equal(line, model.line, `error line (${outcome.message}), ${input.what}`);
      }
      compared++;
    }
    assert.ok(compared > INPUTS, `${compared} inputs compared`);
  });

  it("stores the parser's records through the raw copy, or refuses the file, or names the parser's line", async () => {
    let loaded = 0;
    let named = 0;
    for (const input of all) {
      const width = input.parsed.columns;
      const ref = { name: `t${width}` };
      const rawCopy = (): Promise<number> =>
        session.bulk!.copyCsv!(
          ref,
          columns(width),
          Readable.from(input.chunks),
          dialectOf(input.delimiter),
        ).then((counts) => counts.inserted);
      await client.query(`TRUNCATE t${width} RESTART IDENTITY`);
      await session.execute(`SET sluice_test.refuse = '0'`);
      const problem = firstProblem(input.parsed);
      if (guardCsv(input.chunks, input.delimiter) !== 'safe') {
        await assert.rejects(rawCopy(), (error: { rawCsvUnsafe?: boolean }) => error.rawCsvUnsafe === true);
        continue;
      }
      const lineOf = async (error: { copyLine?: number }): Promise<number | undefined> => {
        assert.equal(typeof error.copyLine, 'number', `no line in ${String(error)}, ${input.what}`);
        return session.bulk!.recordStartLine!(
          Readable.from(input.chunks),
          dialectOf(input.delimiter),
          error.copyLine!,
        );
      };
      if (problem !== undefined) {
        const error = await rawCopy().then(
          () => assert.fail(`the raw copy loaded a file the parser refuses: ${input.what}`),
          (e: { copyLine?: number }) => e,
        );
        if (input.parsed.bad.length > 0 || input.parsed.headerNul) {
          assert.equal(await lineOf(error), problem, `${String(error)}, ${input.what}`);
        }
        continue;
      }
      assert.equal(await rawCopy(), input.parsed.records.length, input.what);
      assert.deepEqual(await stored(width), hex(input.parsed.records), `rows, ${input.what}`);
      loaded++;
      if (input.parsed.records.length === 0) continue;
      // The server refuses one row: the line it names leads to the line the parser gives the record.
      const row = 1 + new Random(input.seed).int(input.parsed.records.length);
      await client.query(`TRUNCATE t${width} RESTART IDENTITY`);
      await session.execute(`SET sluice_test.refuse = '${row}'`);
      const error = await rawCopy().then(
        () => assert.fail(`row ${row} was not refused: ${input.what}`),
        (e: { copyLine?: number }) => e,
      );
      assert.equal(
        await lineOf(error),
        input.parsed.lines[row - 1],
        `row ${row}, ${String(error)}, ${input.what}`,
      );
      named++;
    }
    assert.ok(loaded > INPUTS / 3 && named > INPUTS / 3, `${loaded} loaded, ${named} refused rows named`);
  });
});

describe(
  'a raw copy that fails names the line the record starts on',
  { skip: !DIALECTS.includes('postgres') },
  () => {
    let target: TestTarget;
    let dir: string;
    before(async () => {
      target = await freshTarget('postgres');
      dir = mkdtempSync(join(tmpdir(), 'sluice-scanners-'));
    });
    after(async () => {
      await target?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    // Excel writes CRLF between rows and a bare LF for a line break inside a cell; COPY counts the
    // CRs inside quotes in such a file, so it numbers the bad row 4 and the old finder said line 4.
    for (const [name, csv, line] of [
      [
        'a CRLF file with bare LFs inside quoted cells (as Excel writes them)',
        'id,note\r\n1,"a\nb"\r\n2,x\r\nbad,y\r\n',
        5,
      ],
      ['a header with a quoted newline', 'id,"note\nmore"\n1,x\n2,y\nbad,z\n', 5],
    ] as const) {
      it(`${name} (the line was COPY's count)`, async () => {
        await target.query('DROP TABLE IF EXISTS notes');
        const note = csv.startsWith('id,"') ? 'note\nmore' : 'note';
        await target.query(`CREATE TABLE notes (id integer, "${note}" text)`);
        const path = join(dir, 'notes.csv');
        writeFileSync(path, csv);
        const db = await open(target.url);
        try {
          await assert.rejects(db.load('notes', path, { method: 'copy' }), (error: SluiceError) => {
            assert.equal(error.location?.line, line, error.message);
            return true;
          });
        } finally {
          await db.close();
        }
      });
    }
  },
);

describe('MariaDB LOAD DATA on random CSV rewritten', { skip: !DIALECTS.includes('mysql') }, () => {
  let target: TestTarget;
  let session: Session;
  let all: Input[];

  before(async () => {
    all = await inputs();
    target = await freshTarget('mysql');
    for (const width of WIDTHS) {
      const list = columns(width).map((c) => `${c} longtext`);
      await target.query(
        `CREATE TABLE m${width} (n int AUTO_INCREMENT PRIMARY KEY, ${list.join(', ')}) CHARSET utf8mb4 COLLATE utf8mb4_bin`,
      );
    }
    session = await mysqlDialect.connect(target.url);
  });
  after(async () => {
    await session?.close();
    await target?.close();
  });

  it("stores the parser's records byte for byte, or names the parser's first bad record", async () => {
    let loaded = 0;
    for (const input of all) {
      const width = input.parsed.columns;
      const load = (): Promise<number> =>
        session.bulk!.copyCsv!(
          { name: `m${width}` },
          columns(width),
          Readable.from(input.chunks),
          dialectOf(input.delimiter),
        ).then((counts) => counts.inserted);
      // A NUL in the header is no problem here: LOAD DATA never sees the header.
      const problem = input.parsed.bad[0]?.line ?? input.parsed.fatal?.line;
      await session.begin();
      if (problem !== undefined) {
        await assert.rejects(load(), (error: { copyRow?: number }) => {
          assert.equal(error.copyRow, problem, `${String(error)}, ${input.what}`);
          return true;
        });
        await session.rollback();
        continue;
      }
      try {
        assert.equal(await load(), input.parsed.records.length, input.what);
      } catch (error) {
        await session.rollback();
        throw error;
      }
      await session.commit();
      const list = columns(width).map((c) => `LOWER(HEX(${c})) AS ${c}`);
      const rows = await target.query<Record<string, string | null>>(
        `SELECT ${list.join(', ')} FROM m${width} ORDER BY n`,
      );
      // HEX('') is '', HEX(NULL) is NULL.
      const bytes = rows.map((row) => columns(width).map((c) => row[c] ?? null));
      assert.deepEqual(bytes, hex(input.parsed.records), `rows, ${input.what}`);
      await target.query(`TRUNCATE m${width}`);
      loaded++;
    }
    assert.ok(loaded > INPUTS / 2, `${loaded} inputs loaded`);
  });
});

/** Random files in other dialects (issue 16), each with the parser's reading of it. */
async function dialectInputs(): Promise<
  (RandomDialectCsv & { parsed: Scanned; what: string; chunks: Buffer[] })[]
> {
  const all = [];
  for (let seed = 2_000_000; seed < 2_000_000 + INPUTS; seed++) {
    const random = new Random(seed);
    const csv = randomDialectCsv(random, true);
    const parsed = await parseCsv([csv.bytes], csv.dialect, csv.width);
    if (parsed.columns === undefined || !WIDTHS.includes(parsed.columns)) continue;
    const cuts = cutSets(random, csv.bytes.length, false);
    const chunks = chunksAt(csv.bytes, cuts[1 + random.int(cuts.length - 2)]!);
    const what = `seed ${seed} (${JSON.stringify(csv.dialect)}): ${JSON.stringify(csv.bytes.toString('latin1'))}`;
    all.push({ ...csv, parsed, what, chunks });
  }
  return all;
}

describe('the raw bulk paths on random files in other dialects (issue 16)', () => {
  for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
    it(`${dialect}: the bytes go raw where the dialect allows, and store exactly the parser's records`, async () => {
      const target = await freshTarget(dialect);
      const session = await (dialect === 'postgres' ? postgresDialect : mysqlDialect).connect(target.url);
      try {
        const text = dialect === 'mysql' ? 'longtext' : 'text';
        const suffix = dialect === 'mysql' ? ' CHARSET utf8mb4 COLLATE utf8mb4_bin' : '';
        for (const width of WIDTHS) {
          const list = columns(width).map((c) => `${c} ${text}`);
          const id =
            dialect === 'mysql'
              ? 'n int AUTO_INCREMENT PRIMARY KEY'
              : 'n bigint GENERATED ALWAYS AS IDENTITY';
          await target.query(`CREATE TABLE d${width} (${id}, ${list.join(', ')})${suffix}`);
        }
        const bulk = session.bulk!;
        let loaded = 0;
        for (const input of await dialectInputs()) {
          if (bulk.rawCsvRefusal!(input.dialect) !== undefined) continue;
          const width = input.parsed.columns!;
          if (dialect === 'postgres' && guardCsv(input.chunks, input.dialect) !== 'safe') continue;
          const problem = firstProblem(input.parsed);
          await session.begin();
          const copied = bulk.copyCsv!(
            { name: `d${width}` },
            columns(width),
            Readable.from(input.chunks),
            input.dialect,
          );
          if (problem !== undefined) {
            await assert.rejects(copied, Error, input.what);
            await session.rollback();
            continue;
          }
          try {
            assert.equal((await copied).inserted, input.parsed.records.length, input.what);
          } catch (error) {
            await session.rollback();
            throw error;
          }
          await session.commit();
          const hexOf = (c: string): string =>
            dialect === 'mysql' ? `LOWER(HEX(${c}))` : `encode(convert_to(${c}, 'UTF8'), 'hex')`;
          const rows = await target.query<Record<string, string | null>>(
            `SELECT ${columns(width)
              .map((c) => `${hexOf(c)} AS ${c}`)
              .join(', ')} FROM d${width} ORDER BY n`,
          );
          const bytes = rows.map((row) => columns(width).map((c) => row[c] ?? null));
          assert.deepEqual(bytes, hex(input.parsed.records), `rows, ${input.what}`);
          await target.query(`DELETE FROM d${width}`);
          loaded++;
        }
        assert.ok(loaded > INPUTS / 5, `${loaded} inputs loaded raw`);
      } finally {
        await session.close();
        await target.close();
      }
    });
  }
});
