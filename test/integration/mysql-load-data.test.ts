/**
 * LOAD DATA LOCAL INFILE as a stream (load-data-stream.ts) and as the bulk path of a load
 * (load-data-bulk.ts) on a real server: backpressure, acknowledgement, failure, statements that
 * split a long load, and rows named correctly when the server blames one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import mysql from 'mysql2';
import { loadDataLocal } from '../../src/dialects/mysql/load-data-stream.js';
import type { CoreConnection } from '../../src/dialects/mysql/mysql-client.js';
import { MysqlSqlBuilder } from '../../src/dialects/mysql/mysql-sql.js';
import { SluiceError, open } from '../../src/index.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const skip = !DIALECTS.includes('mysql');
const sql = new MysqlSqlBuilder();
const MB = 1 << 20;

let target: TestTarget;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-load-data-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('loadDataLocal', { skip }, () => {
  let connection: CoreConnection & { end(): void };
  const run = (statement: string): Promise<unknown> =>
    new Promise((resolve, reject) =>
      connection.query({ sql: statement }, (error, result) => (error ? reject(error) : resolve(result))),
    );

  beforeEach(async () => {
    target = await freshTarget('mysql');
    connection = mysql.createConnection(target.url) as unknown as CoreConnection & { end(): void };
    await run('CREATE TABLE t (id INT, pad LONGTEXT)');
  });
  afterEach(async () => {
    connection.end();
    await target.close();
  });

  /** `count` buffers of 1000 rows (about 1 MB), made at once: far faster than the server takes them. */
  function megabytes(count: number, onPull?: () => void): AsyncGenerator<Buffer> {
    const pad = 'p'.repeat(1000);
    const rows = Array.from({ length: 1000 }, (_, r) => `${r}\t${pad}\n`).join('');
    const buffer = Buffer.from(rows);
    return (async function* () {
      for (let b = 0; b < count; b++) {
        onPull?.();
        yield buffer;
      }
    })();
  }

  it('pulls the next buffer only when the socket has drained, and resolves with the OK packet', async () => {
    let maxQueued = 0;
    const socket = (connection as unknown as { stream: { writableLength: number } }).stream;
    const payload = megabytes(64, () => {
      maxQueued = Math.max(maxQueued, socket.writableLength);
    });
    const header = await loadDataLocal(
      connection,
      sql.loadData({ name: 't' }, ['id', 'pad'], '\t'),
      payload,
      MB,
    );
    assert.equal(header.affectedRows, 64_000);
    assert.equal(header.warningStatus, 0);
    // Without backpressure most of the 64 MB would pile up in the socket's buffer.
    assert.ok(maxQueued <= 2 * MB, `${maxQueued} bytes were queued when the next buffer was pulled`);
    assert.deepEqual(await run('SELECT COUNT(*) AS n FROM t'), [{ n: 64_000 }]);
  });

  it('fails the statement with the payload error; the transaction takes back what was applied', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield* megabytes(3);
      throw new Error('the source broke');
    }
    await run('START TRANSACTION');
    await assert.rejects(
      loadDataLocal(connection, sql.loadData({ name: 't' }, ['id', 'pad'], '\t'), failing(), MB),
      /the source broke/,
    );
    await run('ROLLBACK');
    assert.deepEqual(await run('SELECT COUNT(*) AS n FROM t'), [{ n: 0 }]);
  });

  it('leaves no listener on the socket when the payload fails (mysql2 left two per failed statement)', async () => {
    const socket = (connection as unknown as { stream: { listenerCount(event: string): number } }).stream;
    const counts = (): number[] => ['pause', 'drain'].map((event) => socket.listenerCount(event));
    const before = counts();
    for (let i = 0; i < 3; i++) {
      async function* failing(): AsyncGenerator<Buffer> {
        yield Buffer.from('1\tx\n');
        throw new Error('the source broke');
      }
      await run('START TRANSACTION');
      await assert.rejects(
        loadDataLocal(connection, sql.loadData({ name: 't' }, ['id', 'pad'], '\t'), failing(), MB),
        /the source broke/,
      );
      await run('ROLLBACK');
    }
    assert.deepEqual(counts(), before);
  });

  it('cuts a buffer bigger than a packet into packets', async () => {
    async function* one(): AsyncGenerator<Buffer> {
      yield Buffer.from(`1\t${'x'.repeat(3 * MB)}\n2\tsmall\n`);
    }
    const header = await loadDataLocal(
      connection,
      sql.loadData({ name: 't' }, ['id', 'pad'], '\t'),
      one(),
      64 * 1024,
    );
    assert.equal(header.affectedRows, 2);
    assert.deepEqual(await run('SELECT id, LENGTH(pad) AS n FROM t ORDER BY id'), [
      { id: 1, n: 3 * MB },
      { id: 2, n: 5 },
    ]);
  });
});

describe('the bulk path across several LOAD DATA statements', { skip }, () => {
  beforeEach(async () => {
    target = await freshTarget('mysql');
    await target.query('CREATE TABLE u (id INT PRIMARY KEY, name VARCHAR(12) NOT NULL UNIQUE, pad TEXT)');
  });
  afterEach(() => target.close());

  async function failure(
    input: Parameters<Awaited<ReturnType<typeof open>>['load']>[1],
    options: { batchSize?: number; commitEvery?: number } = {},
  ): Promise<SluiceError> {
    const db = await open(target.url);
    try {
      await db.load('u', input, { method: 'copy', ...options });
    } catch (error) {
      assert.ok(error instanceof SluiceError);
      return error;
    } finally {
      await db.close();
    }
    assert.fail('the load succeeded');
  }

  it('objects: a duplicate in a later statement is found at its row', async () => {
    // 40 batches of 1000 objects: more than one statement (at most 32 pieces each).
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ id: i + 1, name: `n${i + 1}` }));
    rows[34_999]!.name = 'n12';
    const error = await failure(rows);
    assert.match(error.message, /^input row 35000: Duplicate entry 'n12'/);
    assert.equal(error.rowsCommitted, 0);
    const [row] = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM u');
    assert.equal(row!.n, 0);
  });

  /** `n` objects (id, name); `edit` may change or replace the one at 1-based row r. */
  function objects(
    n: number,
    edit: (r: number, row: Record<string, unknown>) => unknown,
  ): Record<string, unknown>[] {
    return Array.from({ length: n }, (_, i) => edit(i + 1, { id: i + 1, name: `n${i + 1}` })) as Record<
      string,
      unknown
    >[];
  }
  async function count(): Promise<number> {
    const [row] = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM u');
    return Number(row!.n);
  }

  it('objects: the first bad row in input order is named while later batches, read ahead, fail to encode or to be read', async () => {
    // 1000-row statements: while the one holding the duplicate (row 1500) is on the wire, the next
    // batch is encoded (a lone surrogate at row 2500 has no UTF-8 form) and the one after read (row
    // 3500 is not an object).
    const input = objects(4_000, (r, row) =>
      r === 1500
        ? { ...row, name: 'n12' }
        : r === 2500
          ? { ...row, name: 'x\uD800' }
          : r === 3500
            ? 'text'
            : row,
    );
    const error = await failure(input, { batchSize: 1000 });
    assert.match(error.message, /^input row 1500: Duplicate entry 'n12'/);
    assert.equal(await count(), 0);
  });

  it('objects: a row that cannot be encoded ends its statement, so a bad row before it in the same batch is the one named', async () => {
    const duplicateFirst = objects(3_000, (r, row) =>
      r === 1100 ? { ...row, name: 'n12' } : r === 1200 ? { ...row, name: 'x\uD800' } : row,
    );
    assert.match(
      (await failure(duplicateFirst, { batchSize: 1000 })).message,
      /^input row 1100: Duplicate entry 'n12'/,
    );

    const unencodableFirst = objects(3_000, (r, row) =>
      r === 1200 ? { ...row, name: 'x\uD800' } : r === 1800 ? { ...row, name: 'n12' } : row,
    );
    const error = await failure(unencodableFirst, { batchSize: 1000, commitEvery: 1000 });
    assert.match(error.message, /^input row 1200: field 2: the text holds a lone UTF-16 surrogate/);
    assert.equal(error.rowsCommitted, 1000);
    assert.equal(await count(), 1000);
  });

  it('objects: --commit-every falls after exactly N rows when batches are read ahead', async () => {
    // Batches of 1000 cut at every 2500th row (1000, 1000, 500, ...); row 7600 duplicates row 12.
    const input = objects(9_000, (r, row) => (r === 7600 ? { ...row, name: 'n12' } : row));
    const error = await failure(input, { batchSize: 1000, commitEvery: 2500 });
    assert.match(error.message, /^input row 7600: Duplicate entry 'n12'/);
    assert.equal(error.rowsCommitted, 7500);
    assert.equal(await count(), 7500);
    const [max] = await target.query<{ m: number }>('SELECT MAX(id) AS m FROM u');
    assert.equal(Number(max!.m), 7500);
  });

  it('raw CSV: rows past the first 8 MB statement are named by their line', async () => {
    const pad = 'p'.repeat(1000);
    const lines = ['id,name,pad'];
    for (let i = 1; i <= 20_000; i++) lines.push(`${i},n${i},${pad}`);
    // Records spanning several lines: the server counts records, the error names lines.
    lines[100] = `100,n100,"multi\nline\nrecord"`;
    lines[19_000] = `19000,n7,${pad}`; // duplicate name, found by bisection
    const path = join(dir, 'big.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    const error = await failure(path);
    assert.match(error.message, /big\.csv:19003: Duplicate entry 'n7'/);

    lines[19_000] = `19000,this-is-too-long,${pad}`; // a warning that names its row
    writeFileSync(path, lines.join('\n') + '\n');
    const truncated = await failure(path);
    assert.match(truncated.message, /big\.csv:19003: Data truncated for column 'name'/);
  });
});
