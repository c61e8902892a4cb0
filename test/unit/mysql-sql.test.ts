import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MysqlSqlBuilder, usesRowAlias } from '../../src/dialects/mysql/mysql-sql.js';
import { connectionOptions } from '../../src/dialects/mysql/mysql-dialect.js';
import { UnstorableValue, toMysqlValue, utcDateTime } from '../../src/dialects/mysql/mysql-values.js';

const sql = new MysqlSqlBuilder();

describe('MySQL SQL text', () => {
  it('quotes identifiers with backticks, doubling any inside', () => {
    assert.equal(sql.quoteIdent('a`b'), '`a``b`');
    assert.equal(sql.quoteIdent("x'; DROP TABLE t; --"), "`x'; DROP TABLE t; --`");
    assert.equal(sql.table({ schema: 'd`b', name: 't' }), '`d``b`.`t`');
    assert.throws(() => sql.quoteIdent('a\0b'), /NUL/);
  });

  it('writes ? placeholders', () => {
    assert.equal(
      sql.insert({ name: 't' }, ['a', 'b'], 2),
      'INSERT INTO `t` (`a`, `b`) VALUES (?, ?), (?, ?)',
    );
  });

  it('creates utf8mb4 tables with types that hold any value', () => {
    assert.equal(
      sql.createTable({ name: 't' }, [
        { name: 'n', type: 'integer' },
        { name: 'x', type: 'real' },
        { name: 'b', type: 'boolean' },
        { name: 'd', type: 'date' },
        { name: 'ts', type: 'timestamp' },
        { name: 'tz', type: 'timestamptz' },
        { name: 'j', type: 'json' },
        { name: 's', type: 'text' },
        { name: 'y', type: 'bytes' },
      ]),
      'CREATE TABLE `t` (\n  `n` BIGINT,\n  `x` DOUBLE,\n  `b` BOOLEAN,\n  `d` DATE,\n  `ts` DATETIME(6),\n' +
        '  `tz` DATETIME(6),\n  `j` JSON,\n  `s` LONGTEXT,\n  `y` LONGBLOB\n) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
  });

  it('writes LOAD DATA with separators as hex literals, the same under every sql_mode', () => {
    assert.equal(
      sql.loadData({ name: 'we`ird' }, ['a', 'b'], '\t'),
      "LOAD DATA LOCAL INFILE 'sluice' INTO TABLE `we``ird` CHARACTER SET utf8mb4 " +
        "FIELDS TERMINATED BY X'09' ESCAPED BY X'5C' LINES TERMINATED BY X'0A' (`a`, `b`)",
    );
  });
});

describe('JS values for MySQL', () => {
  it('numbers as shortest round-trip text, dates as UTC DATETIME text', () => {
    assert.equal(toMysqlValue(0.1), '0.1');
    assert.equal(toMysqlValue(2n ** 64n), '18446744073709551616');
    assert.equal(toMysqlValue(true), '1');
    assert.equal(toMysqlValue(new Date('2024-01-02T03:04:05.006Z')), '2024-01-02 03:04:05.006');
    assert.equal(utcDateTime(new Date(Date.UTC(10000, 0, 1))), '+010000-01-01T00:00:00.000Z');
    assert.equal(toMysqlValue({ a: 1 }), '{"a":1}');
    assert.equal(toMysqlValue(null), null);
  });

  it('refuses what has no stored form instead of changing it', () => {
    assert.ok(toMysqlValue('a\uDC00') instanceof UnstorableValue);
    assert.ok(toMysqlValue(() => 1) instanceof UnstorableValue);
  });
});

describe('mysql URLs', () => {
  it('become mysql2 options; the password is decoded, query parameters parsed', () => {
    const options = connectionOptions(
      'mariadb://u%40x:p%2Fw@db.example:3307/app?connectTimeout=5000&ssl=%7B%7D',
    );
    assert.equal(options.user, 'u@x');
    assert.equal(options.password, 'p/w');
    assert.equal(options.host, 'db.example');
    assert.equal(options.port, 3307);
    assert.equal(options.database, 'app');
    assert.equal(options.connectTimeout, 5000);
    assert.deepEqual(options.ssl, {});
  });
  it('refuse to parse with the password redacted', () => {
    assert.throws(
      () => connectionOptions('mysql://root:s3cret@[bad/x'),
      (error: Error) => !/s3cret/.test(error.message),
    );
  });
});

describe('MySQL upsert SQL (MariaDB VALUES(), MySQL 8.0.19+ row alias)', () => {
  const conflict = {
    key: ['k'],
    action: 'update' as const,
    update: ['a', 'b'],
    types: new Map<string, string>(),
  };
  const mariadb = new MysqlSqlBuilder(false);
  const mysql8 = new MysqlSqlBuilder(true);

  it('picks the form from the server version', () => {
    assert.equal(usesRowAlias('10.11.6-MariaDB-0+deb12u1'), false);
    assert.equal(usesRowAlias('5.5.5-10.11.6-MariaDB'), false);
    assert.equal(usesRowAlias('8.0.18'), false);
    assert.equal(usesRowAlias('8.0.19'), true);
    assert.equal(usesRowAlias('8.4.0'), true);
    assert.equal(usesRowAlias('9.1.0-commercial'), true);
    assert.equal(usesRowAlias('5.7.44-log'), false);
  });

  it('MariaDB: VALUES(c) in the multi-row statement and in the staged merge', () => {
    assert.equal(
      mariadb.upsert({ name: 't' }, ['k', 'a', 'b'], 2, conflict),
      'INSERT INTO `t` (`k`, `a`, `b`) VALUES (?, ?, ?), (?, ?, ?) ON DUPLICATE KEY UPDATE `a` = VALUES(`a`), `b` = VALUES(`b`)',
    );
    assert.equal(
      mariadb.mergeStaged({ name: 't' }, 'st', ['k', 'a', 'b'], conflict, false),
      'INSERT INTO `t` (`k`, `a`, `b`) SELECT `k`, `a`, `b` FROM `st` s ORDER BY s.`k`, s.`sluice_ordinal` ON DUPLICATE KEY UPDATE `a` = VALUES(`a`), `b` = VALUES(`b`)',
    );
  });

  it('MySQL 8: the row alias, never VALUES()', () => {
    assert.equal(
      mysql8.upsert({ name: 't' }, ['k', 'a', 'b'], 2, conflict),
      'INSERT INTO `t` (`k`, `a`, `b`) VALUES (?, ?, ?), (?, ?, ?) AS `sluice_new` ON DUPLICATE KEY UPDATE `a` = `sluice_new`.`a`, `b` = `sluice_new`.`b`',
    );
    assert.equal(
      mysql8.mergeStaged({ name: 't' }, 'st', ['k', 'a', 'b'], conflict, false),
      'INSERT INTO `t` (`k`, `a`, `b`) SELECT `k`, `a`, `b` FROM (SELECT `k`, `a`, `b`, s.`sluice_ordinal` FROM `st` s) AS `sluice_new` ' +
        'ORDER BY `sluice_new`.`k`, `sluice_new`.`sluice_ordinal` ON DUPLICATE KEY UPDATE `a` = `sluice_new`.`a`, `b` = `sluice_new`.`b`',
    );
    assert.doesNotMatch(mysql8.upsert({ name: 't' }, ['k', 'a'], 1, conflict), /VALUES\(/);
  });

  it('ignore is a no-op update of the key on both', () => {
    const ignore = { ...conflict, action: 'ignore' as const };
    for (const sql of [mariadb, mysql8])
      assert.match(
        sql.upsert({ name: 't' }, ['k', 'a'], 1, ignore),
        /ON DUPLICATE KEY UPDATE `t`\.`k` = `t`\.`k`$/,
      );
  });
});
