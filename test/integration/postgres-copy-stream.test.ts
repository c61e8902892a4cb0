/**
 * copyFromStdin and pipelinedExecute on a plain pg Client, in the spirit of pg-copy-streams'
 * test/copy-from.js: the count from the command tag, failure before and during the copy, a
 * refused statement, backpressure, and the connection staying usable after every failure.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { copyFromStdin } from '../../src/dialects/postgres/copy-stream.js';
import { pipelinedExecute } from '../../src/dialects/postgres/pipelined-execute.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const COPY = 'COPY items (n, label) FROM STDIN';

function lines(from: number, to: number): Buffer {
  let text = '';
  for (let n = from; n < to; n++) text += `${n}\tlabel ${n}\n`;
  return Buffer.from(text);
}

if (DIALECTS.includes('postgres')) {
  describe('copyFromStdin and pipelinedExecute', () => {
    let target: TestTarget;
    let client: pg.Client;
    before(async () => {
      target = await freshTarget('postgres');
      client = new pg.Client({ connectionString: target.url });
      await client.connect();
    });
    after(async () => {
      await client.end();
      await target.close();
    });
    beforeEach(async () => {
      await client.query('DROP TABLE IF EXISTS items');
      await client.query('CREATE TABLE items (n integer PRIMARY KEY, label text)');
    });
    const count = async (): Promise<number> =>
      (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM items')).rows[0]!.n;
    const usable = async (): Promise<void> => {
      assert.deepEqual((await client.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    };

    it('resolves with the row count of the COPY command tag, after the server is ready again', async () => {
      async function* data() {
        for (let i = 0; i < 50; i++) yield lines(i * 1000, (i + 1) * 1000);
      }
      assert.equal(await copyFromStdin(client, COPY, data()), 50_000);
      assert.equal(await count(), 50_000);
    });

    it('takes a byte stream as it is (a Readable, empty chunks included)', async () => {
      const stream = Readable.from([lines(0, 10), Buffer.alloc(0), lines(10, 20)], { objectMode: false });
      assert.equal(await copyFromStdin(client, COPY, stream), 20);
    });

    it('data failing before its first chunk: CopyFail, the data error reported, nothing kept', async () => {
      // eslint-disable-next-line require-yield
      async function* data(): AsyncGenerator<Buffer> {
        throw new Error('no data today');
      }
      await assert.rejects(copyFromStdin(client, COPY, data()), /^Error: no data today$/);
      assert.equal(await count(), 0);
      await usable();
    });

    it('a stream destroyed mid-copy: CopyFail rolls the COPY back', async () => {
      const stream = new Readable({ read() {} });
      stream.push(lines(0, 1000));
      setTimeout(() => stream.destroy(new Error('upstream reset')), 20);
      await assert.rejects(copyFromStdin(client, COPY, stream), /upstream reset/);
      assert.equal(await count(), 0);
      await usable();
    });

    it('a refused COPY statement rejects without pulling any data', async () => {
      let pulled = false;
      async function* data() {
        pulled = true;
        yield lines(0, 1);
      }
      await assert.rejects(
        copyFromStdin(client, 'COPY nosuch (n) FROM STDIN', data()),
        /relation "nosuch" does not exist/,
      );
      assert.equal(pulled, false);
      await usable();
    });

    it('a row the server refuses stops the pulling; the error carries its CONTEXT line', async () => {
      let pulled = 0;
      async function* data() {
        yield Buffer.from('1\ta\n2\tb\n1\tagain\n');
        for (let i = 0; i < 10_000; i++) {
          pulled++;
          yield lines(10 + i * 100, 10 + (i + 1) * 100);
        }
      }
      await assert.rejects(copyFromStdin(client, COPY, data()), (e: unknown) => {
        assert.equal((e as { code?: string }).code, '23505');
        assert.match((e as { where?: string }).where ?? '', /^COPY items, line 3/);
        return true;
      });
      assert.ok(pulled < 10_000, `pulled ${pulled} chunks after the refusal`);
      assert.equal(await count(), 0);
      await usable();
    });

    it('pulls only as fast as the socket drains: no queue grows in this process', async () => {
      const socket = client.connection.stream as unknown as { writableLength: number };
      let most = 0;
      async function* data() {
        for (let i = 0; i < 400; i++) {
          most = Math.max(most, socket.writableLength);
          yield lines(i * 500, (i + 1) * 500);
        }
      }
      assert.equal(await copyFromStdin(client, COPY, data()), 200_000);
      // At most the chunk in hand (about 10 kB) waits in the socket's buffer when the next is pulled.
      assert.ok(most < 64 * 1024, `${most} bytes were queued in the socket`);
    });

    it('pipelinedExecute: the affected rows of every execution, one round trip', async () => {
      const rows = Array.from({ length: 2_000 }, (_, i) => [i, `p${i}`]);
      assert.equal(
        await pipelinedExecute(client, 'INSERT INTO items (n, label) VALUES ($1, $2)', rows),
        2_000,
      );
      assert.equal(
        await pipelinedExecute(client, 'UPDATE items SET label = $1 WHERE n < $2', [
          ['u', 10],
          ['v', 5],
        ]),
        15,
      );
      assert.equal(await pipelinedExecute(client, 'INSERT INTO items (n) VALUES ($1)', []), 0);
      assert.equal(await count(), 2_000);
    });

    it('pipelinedExecute: a refused execution rejects, the rest of the batch is skipped, the connection is in sync', async () => {
      await client.query('BEGIN');
      const rows = Array.from({ length: 1_000 }, (_, i) => [i === 600 ? 5 : i]);
      await assert.rejects(
        pipelinedExecute(client, 'INSERT INTO items (n) VALUES ($1)', rows),
        /duplicate key/,
      );
      await client.query('ROLLBACK');
      await usable();
      assert.equal(await count(), 0);
    });

    it('pipelinedExecute: a value that cannot be sent rejects with its own error, after a Sync', async () => {
      const rows = [[1], [Symbol('nope')], [3]];
      await assert.rejects(
        pipelinedExecute(client, 'INSERT INTO items (n) VALUES ($1)', rows),
        /a symbol cannot be stored/,
      );
      await usable();
      // The bad value was met before the batch's first write: nothing of it was executed.
      assert.equal(await count(), 0);
    });

    it('works under pg query_timeout, whose timer is cleared when each query settles', async () => {
      const timed = new pg.Client({ connectionString: target.url, query_timeout: 300 });
      await timed.connect();
      try {
        assert.equal(await copyFromStdin(timed, COPY, [lines(0, 100)]), 100);
        assert.equal(await pipelinedExecute(timed, 'INSERT INTO items (n) VALUES ($1)', [[1000], [1001]]), 2);
        await assert.rejects(copyFromStdin(timed, COPY, [lines(0, 1)]), /duplicate key/);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepEqual((await timed.query('SELECT count(*)::int AS n FROM items')).rows, [{ n: 102 }]);
      } finally {
        await timed.end();
      }
    });
  });
}
