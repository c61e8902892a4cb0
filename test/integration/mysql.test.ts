/**
 * The MySQL/MariaDB dialect on a real server (SLUICE_MYSQL_URL, default
 * mysql://root@127.0.0.1:3306/test): every method with CSV files, byte streams and JS objects;
 * values kept byte for byte; strict mode on every method; tables created or refused; clients
 * passed in by the caller; identifiers that try to escape their quotes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { SluiceError, open, type Handle, type LoadOptions, type MethodChoice } from '../../src/index.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const skip = !DIALECTS.includes('mysql');

/** The ways rows reach the server: the raw CSV path, the encoded LOAD DATA path, and the INSERTs. */
const CSV_WAYS = ['raw copy', 'encoded copy', 'values', 'pipeline', 'row'] as const;
type CsvWay = (typeof CSV_WAYS)[number];
const OBJECT_METHODS: readonly MethodChoice[] = ['copy', 'values', 'pipeline', 'row'];

let dir: string;
let target: TestTarget;
let db: Handle;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-mysql-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function csvFile(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The input and options that send a CSV's text down `way`. */
function csvInput(way: CsvWay, path: string, text: string | Buffer): [string | Readable, LoadOptions] {
  switch (way) {
    case 'raw copy':
      return [path, { method: 'auto' }];
    case 'encoded copy':
      // A byte stream has no file to pass through: it is parsed and encoded in-process.
      return [Readable.from([Buffer.from(text)], { objectMode: false }), { method: 'copy', format: 'csv' }];
    default:
      return [path, { method: way }];
  }
}

async function loadError(promise: Promise<unknown>): Promise<SluiceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    return error;
  }
  assert.fail('the load succeeded');
}

async function count(table: string): Promise<number> {
  const [row] = await target.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row!.n);
}

/** A CSV field, always quoted (so '' stays the empty string); null is an empty unquoted field. */
function csvField(value: string | null): string {
  return value === null ? '' : `"${value.replaceAll('"', '""')}"`;
}

describe('mysql dialect', { skip }, () => {
  beforeEach(async () => {
    target = await freshTarget('mysql');
    db = await open(target.url);
    await target.query(
      'CREATE TABLE roles (id BIGINT PRIMARY KEY, name VARCHAR(20)) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin',
    );
    await target.query("INSERT INTO roles VALUES (1, 'admin'), (2, 'user')");
    await target.query(
      `CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(20) NOT NULL UNIQUE,
        email VARCHAR(100), born DATE, level TINYINT, role_id BIGINT, FOREIGN KEY (role_id) REFERENCES roles(id))
        DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin`,
    );
  });
  afterEach(async () => {
    await db.close();
    await target.close();
  });

  const USERS =
    'username,email,born,level,role_id\nann,ann@x.org,1990-01-02,3,1\nbob,,1985-12-31,,2\ncy,cy@x.org,,7,\n';

  describe('every method loads a CSV', () => {
    for (const way of CSV_WAYS) {
      it(way, async () => {
        const path = csvFile('users.csv', USERS);
        const [input, options] = csvInput(way, path, USERS);
        const report = await db.load('users', input, options);
        assert.equal(report.rowsLoaded, 3);
        assert.equal(report.rawCopy, way === 'raw copy');
        const rows = await target.query(
          'SELECT username, email, born, level, role_id FROM users ORDER BY username',
        );
        assert.deepEqual(rows, [
          { username: 'ann', email: 'ann@x.org', born: '1990-01-02', level: 3, role_id: 1 },
          { username: 'bob', email: null, born: '1985-12-31', level: null, role_id: 2 },
          { username: 'cy', email: 'cy@x.org', born: null, level: 7, role_id: null },
        ]);
      });
    }
  });

  describe('JS values keep their meaning on every method', () => {
    const when = new Date('2024-02-29T23:59:59.123Z');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const rows = [
      {
        id: 1,
        dt: when,
        ts: when,
        flag: true,
        big: 9007199254740993n,
        bin: bytes,
        doc: { a: [1, 'x'], s: 'tab\there' },
        dbl: 0.1 + 0.2,
        num: 123456789.123456,
        neg: -1e-7,
      },
      {
        id: 2,
        dt: null,
        ts: null,
        flag: false,
        big: -9223372036854775808n,
        bin: new Uint8Array([0x5c, 0x0a, 0x00]),
        doc: [null, true],
        dbl: 1e300,
        num: 0,
        neg: -0,
      },
    ];
    for (const method of OBJECT_METHODS) {
      it(method, async () => {
        await target.query(
          `CREATE TABLE v (id INT PRIMARY KEY, dt DATETIME(6), ts TIMESTAMP(6) NULL, flag BOOLEAN,
            big BIGINT, bin LONGBLOB, doc JSON, dbl DOUBLE, num DECIMAL(30,6), neg DOUBLE)`,
        );
        await db.load('v', rows, { method });
        const got = await target.query(
          `SELECT id, DATE_FORMAT(dt, '%Y-%m-%d %H:%i:%s.%f') AS dt, UNIX_TIMESTAMP(ts) AS ts, flag,
            CAST(big AS CHAR) AS big, HEX(bin) AS bin, doc, dbl, CAST(num AS CHAR) AS num, neg FROM v ORDER BY id`,
        );
        assert.deepEqual(got, [
          {
            id: 1,
            dt: '2024-02-29 23:59:59.123000',
            ts: String(when.getTime() / 1000) + '000',
            flag: 1,
            big: '9007199254740993',
            bin: bytes.toString('hex').toUpperCase(),
            doc: { a: [1, 'x'], s: 'tab\there' },
            dbl: 0.30000000000000004,
            num: '123456789.123456',
            neg: -1e-7,
          },
          {
            id: 2,
            dt: null,
            ts: null,
            flag: 0,
            big: '-9223372036854775808',
            bin: '5C0A00',
            doc: [null, true],
            dbl: 1e300,
            num: '0.000000',
            neg: 0,
          },
        ]);
      });
    }
  });

  describe('a missing field gets the default, an explicit null is NULL', () => {
    for (const method of OBJECT_METHODS) {
      it(method, async () => {
        await target.query(
          `CREATE TABLE d (id INT PRIMARY KEY, status VARCHAR(10) NOT NULL DEFAULT 'new',
            note VARCHAR(10) NULL DEFAULT 'dflt', who VARCHAR(10))`,
        );
        const rows = [
          { id: 1, note: null },
          { id: 2 },
          { id: 3, status: 'done', note: 'n' },
          { id: 4, note: null },
          { id: 5, status: 'x' },
        ];
        const report = await db.load('d', rows, { method, defaults: { who: () => 'client' } });
        assert.equal(report.rowsLoaded, 5);
        assert.deepEqual(await target.query('SELECT id, status, note, who FROM d ORDER BY id'), [
          { id: 1, status: 'new', note: null, who: 'client' },
          { id: 2, status: 'new', note: 'dflt', who: 'client' },
          { id: 3, status: 'done', note: 'n', who: 'client' },
          { id: 4, status: 'new', note: null, who: 'client' },
          { id: 5, status: 'x', note: 'dflt', who: 'client' },
        ]);
      });
    }
  });

  describe('text arrives byte for byte', () => {
    const TEXTS: (string | null)[] = [
      'plain',
      '',
      null,
      `with "double" and 'single' quotes`,
      'comma, inside',
      'line1\nline2',
      'crlf\r\nend',
      'lone\rcr',
      'tab\there',
      '\uFEFFbom inside',
      'back\\slash \\ and \\\\',
      '\\N',
      'NULL',
      'null',
      '😀🎉 4-byte emoji',
      ' padded ',
      'x'.repeat(100_000),
      'é'.repeat(50_000),
    ];
    const expected = TEXTS.map((t, i) => ({ id: i + 1, t, hex: t === null ? null : hex(t) }));
    const create = (): Promise<unknown> =>
      target.query(
        'CREATE TABLE t (id INT PRIMARY KEY, t LONGTEXT) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin',
      );
    const stored = (): Promise<unknown[]> => target.query('SELECT id, t, HEX(t) AS hex FROM t ORDER BY id');

    for (const way of CSV_WAYS) {
      it(`CSV, ${way}`, async () => {
        await create();
        const text = 'id,t\n' + TEXTS.map((t, i) => `${i + 1},${csvField(t)}`).join('\n') + '\n';
        const [input, options] = csvInput(way, csvFile('t.csv', text), text);
        await db.load('t', input, options);
        assert.deepEqual(await stored(), expected);
      });
      it(`CSV with a BOM and CRLF line ends, ${way}`, async () => {
        await create();
        const text = '\uFEFFid,t\r\n' + TEXTS.map((t, i) => `${i + 1},${csvField(t)}`).join('\r\n') + '\r\n';
        const [input, options] = csvInput(way, csvFile('t-crlf.csv', text), text);
        await db.load('t', input, options);
        assert.deepEqual(await stored(), expected);
      });
    }
    for (const method of OBJECT_METHODS) {
      it(`objects, ${method}`, async () => {
        await create();
        await db.load(
          't',
          TEXTS.map((t, i) => ({ id: i + 1, t })),
          { method },
        );
        assert.deepEqual(await stored(), expected);
      });
    }
    it('TSV, raw copy', async () => {
      await create();
      const text = 'id\tt\n' + TEXTS.map((t, i) => `${i + 1}\t${csvField(t)}`).join('\n') + '\n';
      await db.load('t', csvFile('t.tsv', text));
      assert.deepEqual(await stored(), expected);
    });
  });

  describe('strict: a changed or dropped value fails the load and names the line', () => {
    const CASES: { name: string; csv: string; line: number; message: RegExp }[] = [
      {
        name: 'truncated string',
        csv: 'username,level\nann,1\nthis-name-is-far-too-long,2\n',
        line: 3,
        message: /too long|truncated/i,
      },
      {
        name: 'bad date',
        csv: 'username,born\nann,2024-01-31\nbob,2024-02-30\n',
        line: 3,
        message: /date|truncated/i,
      },
      {
        name: 'out-of-range integer',
        csv: 'username,level\nann,1\nbob,300\n',
        line: 3,
        message: /out of range/i,
      },
      {
        name: 'duplicate key',
        csv: 'username,level\nann,1\nbob,2\ncy,3\nbob,4\n',
        line: 5,
        message: /duplicate entry 'bob'/i,
      },
      {
        name: 'foreign key',
        csv: 'username,role_id\nann,1\nbob,99\n',
        line: 3,
        message: /foreign key constraint fails/i,
      },
      { name: 'NULL into NOT NULL', csv: 'username,level\nann,1\n,2\n', line: 3, message: /null/i },
      {
        name: 'rounded decimal',
        csv: 'username,score\nann,1.5\nbob,1.005\n',
        line: 3,
        message: /truncated/i,
      },
      {
        name: 'wrong number of fields',
        csv: 'username,level\nann,1\nbob,2,3\n',
        line: 3,
        message: /expected 2 fields, found 3/,
      },
    ];
    for (const c of CASES) {
      for (const way of CSV_WAYS) {
        it(`${c.name}, ${way}`, async () => {
          await target.query('ALTER TABLE users ADD COLUMN score DECIMAL(5,2)');
          const path = csvFile('bad.csv', c.csv);
          const [input, options] = csvInput(way, path, c.csv);
          const error = await loadError(db.load('users', input, options));
          assert.match(error.message, new RegExp(`:${c.line}: `));
          assert.match(error.message, c.message);
          // row commits each row on its own: the rows before the bad one stay, by design (a
          // malformed record too: the rows before it are written first).
          const kept = way === 'row' ? c.line - 2 : 0;
          assert.equal(await count('users'), kept);
        });
      }
    }

    const OBJECT_CASES: { name: string; rows: Record<string, unknown>[]; message: RegExp }[] = [
      {
        name: 'truncated string',
        rows: [{ username: 'ann' }, { username: 'x'.repeat(21) }],
        message: /too long|truncated/i,
      },
      {
        name: 'bad Date',
        rows: [{ username: 'ann' }, { username: 'bob', born: new Date(NaN) }],
        message: /date|truncated/i,
      },
      {
        name: 'out-of-range integer',
        rows: [{ username: 'ann' }, { username: 'bob', level: 1000 }],
        message: /out of range/i,
      },
      {
        name: 'NaN',
        rows: [{ username: 'ann' }, { username: 'bob', level: Number.NaN }],
        message: /incorrect|truncated|NaN/i,
      },
      { name: 'duplicate key', rows: [{ username: 'ann' }, { username: 'ann' }], message: /duplicate/i },
      { name: 'lone surrogate', rows: [{ username: 'ann' }, { username: 'b\uD800' }], message: /surrogate/ },
    ];
    for (const c of OBJECT_CASES) {
      for (const method of OBJECT_METHODS) {
        it(`objects: ${c.name}, ${method}`, async () => {
          const error = await loadError(db.load('users', c.rows, { method }));
          assert.match(error.message, /^input row 2: /);
          assert.match(error.message, c.message);
          assert.equal(await count('users'), method === 'row' ? 1 : 0);
        });
      }
    }

    it('invalid JSON, which LOAD DATA drops without counting it as skipped', async () => {
      await target.query('CREATE TABLE j (id INT PRIMARY KEY, doc JSON)');
      const text = 'id,doc\n1,"{""a"":1}"\n2,"{oops"\n';
      for (const way of CSV_WAYS) {
        const [input, options] = csvInput(way, csvFile('j.csv', text), text);
        const error = await loadError(db.load('j', input, options));
        assert.match(error.message, /:3: /, way);
        assert.equal(await count('j'), way === 'row' ? 1 : 0, way);
        await target.query('DELETE FROM j');
      }
    });
  });

  describe('a missing table', () => {
    it('is TABLE_NOT_FOUND without create', async () => {
      const error = await loadError(db.load('nope', csvFile('nope.csv', USERS)));
      assert.equal(error.code, 'TABLE_NOT_FOUND');
      assert.equal(error.exitCode, 2);
      assert.match(error.hint ?? '', /--create/);
    });

    it('is created with create: utf8mb4, binary collation, types that hold any value', async () => {
      const text =
        'n,x,when,at,note\n1,1.5,2024-01-02,2024-01-02 03:04:05,hello\n2,2,2024-01-03,2024-01-02T03:04:05,\n';
      const report = await db.load('made', csvFile('made.csv', text), { create: true });
      assert.equal(report.rowsLoaded, 2);
      const [row] = await target.query<{ 'Create Table': string }>('SHOW CREATE TABLE made');
      const ddl = row!['Create Table'];
      assert.match(ddl, /`n` bigint/);
      assert.match(ddl, /`x` double/);
      assert.match(ddl, /`when` date/);
      assert.match(ddl, /`at` datetime\(6\)/);
      assert.match(ddl, /`note` longtext/);
      assert.match(ddl, /CHARSET=utf8mb4 COLLATE=utf8mb4_bin/);
    });

    for (const way of ['raw copy', 'values'] as const) {
      it(`is dropped again when the load fails, ${way}`, async () => {
        const lines = ['n,label'];
        for (let i = 1; i <= 1500; i++) lines.push(i === 1200 ? 'oops,x' : `${i},x`);
        const text = lines.join('\n') + '\n';
        const [input, options] = csvInput(way, csvFile('made.csv', text), text);
        const error = await loadError(db.load('made', input, { ...options, create: true }));
        assert.match(error.message, /:1201: /);
        assert.equal(error.rowsCommitted, 0);
        assert.deepEqual(await target.query("SHOW TABLES LIKE 'made'"), []);
      });
    }
  });

  describe('explain writes nothing', () => {
    it('for a table it would create', async () => {
      const report = await db.explain('fresh', csvFile('fresh.csv', USERS), { create: true });
      assert.match(report.ddl ?? '', /CREATE TABLE `fresh`/);
      assert.match(report.statement, /^LOAD DATA LOCAL INFILE/);
      assert.deepEqual(await target.query("SHOW TABLES LIKE 'fresh'"), []);
    });
    it('for a table that exists', async () => {
      const report = await db.explain('users', csvFile('users.csv', USERS), { method: 'values' });
      assert.equal(report.plan.method, 'values');
      assert.ok(report.plan.reasons.some((r) => /bytes/.test(r)));
      assert.equal(await count('users'), 0);
    });
  });

  describe('values keeps statements under max_allowed_packet', () => {
    it('splits 1000 rows of 20 kB (20 MB) into several statements', async () => {
      await target.query('CREATE TABLE big (id INT PRIMARY KEY, t LONGTEXT)');
      const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, t: String(i % 10).repeat(20_000) }));
      const report = await db.load('big', rows, { method: 'values' });
      assert.equal(report.rowsLoaded, 1000);
      const [row] = await target.query<{ n: number; total: string }>(
        'SELECT COUNT(*) AS n, SUM(LENGTH(t)) AS total FROM big',
      );
      assert.deepEqual(row, { n: 1000, total: '20000000' });
    });
    it('refuses a row bigger than the limit without losing the connection', async () => {
      await target.query('CREATE TABLE big (id INT PRIMARY KEY, t LONGTEXT)');
      const [setting] = await target.query<{ max: number }>('SELECT @@max_allowed_packet AS max');
      const rows = [
        { id: 1, t: 'a' },
        { id: 2, t: 'b'.repeat(Number(setting!.max) + 10) },
      ];
      const error = await loadError(db.load('big', rows, { method: 'values' }));
      assert.match(error.message, /^input row 2: the row takes \d+ bytes/);
      assert.equal(await count('big'), 0);
    });
  });

  describe('hostile identifiers are quoted, never trusted', () => {
    const TABLE = 'we`ird; DROP TABLE users; --';
    const HEADER = ['a`b', 'c"d', 'e f', "g'h", 'i\\j'];
    const table = '`we``ird; DROP TABLE users; --`';
    for (const way of CSV_WAYS) {
      it(`CSV, ${way}`, async () => {
        const text = HEADER.map(csvField).join(',') + '\n1,2,3,4,5\n';
        const [input, options] = csvInput(way, csvFile('hostile.csv', text), text);
        await db.load(TABLE, input, { ...options, create: true });
        assert.deepEqual(await target.query(`SELECT * FROM ${table}`), [
          { 'a`b': 1, 'c"d': 2, 'e f': 3, "g'h": 4, 'i\\j': 5 },
        ]);
        assert.equal(await count('users'), 0); // still there
      });
    }
    it('objects, every method', async () => {
      await target.query(
        `CREATE TABLE ${table} (${HEADER.map((h) => `\`${h.replaceAll('`', '``')}\` TEXT`).join(', ')})`,
      );
      for (const method of OBJECT_METHODS) {
        await db.load(TABLE, [Object.fromEntries(HEADER.map((h) => [h, method]))], { method });
      }
      assert.equal(await count(table), OBJECT_METHODS.length);
    });
  });
});

describe('open() with a mysql2 client the caller owns', { skip }, () => {
  beforeEach(async () => {
    target = await freshTarget('mysql');
    await target.query('CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10))');
  });
  afterEach(() => target.close());
  const rows = [
    { id: 1, s: 'a' },
    { id: 2, s: 'b' },
  ];

  it('a promise connection: loads, keeps the connection open, restores its session', async () => {
    const connection = await mysqlPromise.createConnection(target.url);
    try {
      await connection.query("SET SESSION sql_mode = 'ANSI_QUOTES', SESSION time_zone = '+05:00'");
      const handle = await open(connection);
      assert.equal((await handle.load('t', rows)).rowsLoaded, 2);
      await handle.close();
      const [settings] = await connection.query(
        'SELECT @@SESSION.sql_mode AS mode, @@SESSION.time_zone AS tz',
      );
      assert.deepEqual(settings, [{ mode: 'ANSI_QUOTES', tz: '+05:00' }]);
    } finally {
      await connection.end();
    }
  });

  it('a callback connection', async () => {
    const connection = mysql.createConnection(target.url);
    try {
      const handle = await open(connection);
      await handle.load('t', rows, { method: 'values' });
      await handle.close();
      const count = await new Promise((resolve, reject) =>
        connection.query('SELECT COUNT(*) AS n FROM t', (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      );
      assert.deepEqual(count, [{ n: 2 }]);
    } finally {
      connection.end();
    }
  });

  it('a promise pool: borrows one connection and gives it back', async () => {
    const pool = mysqlPromise.createPool({ uri: target.url, connectionLimit: 1 });
    try {
      const handle = await open(pool);
      await handle.load('t', rows);
      await handle.close();
      // With one connection in the pool, this waits forever unless sluice released it.
      const [result] = await pool.query('SELECT COUNT(*) AS n FROM t');
      assert.deepEqual(result, [{ n: 2 }]);
    } finally {
      await pool.end();
    }
  });

  it('a callback pool', async () => {
    const pool = mysql.createPool({ uri: target.url, connectionLimit: 1 });
    try {
      const handle = await open(pool);
      await handle.load('t', rows, { method: 'pipeline' });
      await handle.close();
      const result = await new Promise((resolve, reject) =>
        pool.query('SELECT COUNT(*) AS n FROM t', (error, r) => (error ? reject(error) : resolve(r))),
      );
      assert.deepEqual(result, [{ n: 2 }]);
    } finally {
      await new Promise((resolve) => pool.end(resolve));
    }
  });

  it('a connection that cannot carry every character is refused', async () => {
    const connection = await mysqlPromise.createConnection({ uri: target.url, charset: 'LATIN1_SWEDISH_CI' });
    try {
      const error = await loadError(open(connection));
      assert.equal(error.code, 'BAD_USAGE');
      assert.match(error.hint ?? '', /utf8mb4/);
    } finally {
      await connection.end();
    }
  });

  it('a mariadb:// URL', async () => {
    const handle = await open(target.url.replace(/^mysql:/, 'mariadb:'));
    try {
      await handle.load('t', rows);
    } finally {
      await handle.close();
    }
    const [row] = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM t');
    assert.equal(row!.n, 2);
  });
});

function hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex').toUpperCase();
}
