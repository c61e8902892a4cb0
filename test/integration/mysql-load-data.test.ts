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
  ): Promise<SluiceError> {
    const db = await open(target.url);
    try {
      await db.load('u', input, { method: 'copy' });
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
