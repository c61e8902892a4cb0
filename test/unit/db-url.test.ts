import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionOptions } from '../../src/dialects/mysql/mysql-dialect.js';
import { DbUrlError, canonicalDbUrl, parseDbUrl } from '../../src/util/db-url.js';
import { redactSecret, redactUrl } from '../../src/util/redact-url.js';

/** Passwords as people paste them, unencoded, with every character that ends a URL part. */
const PASSWORDS = ['S3cr@tPw9', 'pa/ss', '12/ss', 'pa?ss', '12?ss', 'pa#ss', 'p@ss/w0rd', 'a:b:c', '50%off'];

describe('issue 11 defect 2: a database URL with an unencoded password', () => {
  for (const password of PASSWORDS) {
    it(`reads ${JSON.stringify(password)} whole, to the last @`, () => {
      const url = parseDbUrl(`postgres://app:${password}@db.example:5433/sales?sslmode=disable`);
      assert.deepEqual(
        [url.user, url.password, url.authority, url.path, url.query],
        ['app', password, 'db.example:5433', 'sales', 'sslmode=disable'],
      );
      assert.deepEqual(url.hosts, [{ host: 'db.example', port: 5433 }]);
      // The standard form reads back exactly through the WHATWG parser (which pg uses).
      const standard = new URL(canonicalDbUrl(url));
      assert.equal(decodeURIComponent(standard.password), password);
      assert.equal(standard.host, 'db.example:5433');
      assert.equal(standard.pathname, '/sales');
    });
  }

  it('decodes percent-escapes in the user and password; a lone % stays', () => {
    const url = parseDbUrl('mysql://u%40x:p%2Fw%25@h/db');
    assert.deepEqual([url.user, url.password], ['u@x', 'p/w%']);
    assert.equal(parseDbUrl('mysql://u:100%@h/db').password, '100%');
    assert.equal(parseDbUrl('mysql://u:%zz%4@h/db').password, '%zz%4');
  });

  it('keeps an @ of the user name, IPv6 hosts, host lists and a URL without userinfo', () => {
    const url = parseDbUrl('postgres://me@corp.com:pw@[::1]:5432/db');
    assert.deepEqual(
      [url.user, url.password, url.hosts],
      ['me@corp.com', 'pw', [{ host: '::1', port: 5432 }]],
    );
    assert.deepEqual(parseDbUrl('mysql://u@h1:3306,h2:3307,h3/db').hosts, [
      { host: 'h1', port: 3306 },
      { host: 'h2', port: 3307 },
      { host: 'h3', port: undefined },
    ]);
    const bare = parseDbUrl('postgres://localhost/db?application_name=me@work');
    assert.deepEqual(
      [bare.user, bare.password, bare.authority, bare.query],
      [undefined, undefined, 'localhost', 'application_name=me@work'],
    );
    assert.equal(parseDbUrl('postgres://u@h/db?x=a@b').user, 'u');
  });

  it('refuses a URL that reads two ways, quoting none of it', () => {
    for (const url of [
      'postgres://u:S3cretPW@host/db?x=a@evil',
      'postgres://h:5432/db?x=S3cretPW@evil',
      'postgres://u:S3cretPW/x@host/db?application_name=a@evil',
    ]) {
      assert.throws(
        () => parseDbUrl(url),
        (error: unknown) =>
          error instanceof DbUrlError &&
          /ambiguous/.test(error.message) &&
          /%40/.test(error.hint) &&
          !error.message.includes('S3cretPW'),
      );
      assert.equal(redactUrl(url), 'postgres://***@evil');
    }
  });

  it('refuses a bad host part, and redactUrl hides everything up to the last @', () => {
    assert.throws(() => parseDbUrl('postgres://u:S3cretPW@[::1'), DbUrlError);
    assert.equal(redactUrl('postgres://u:S3cr@t/PW@[::1'), 'postgres://***@[::1');
    assert.equal(redactUrl('postgres://host:notaport/db'), 'postgres://host:notaport/db');
  });

  it('redactUrl hides the whole password, whatever its characters', () => {
    for (const password of PASSWORDS) {
      assert.equal(redactUrl(`postgres://u:${password}@h:1/db`), 'postgres://u:***@h:1/db', password);
    }
    assert.equal(redactUrl('mysql://root@127.0.0.1/test'), 'mysql://root@127.0.0.1/test');
    assert.equal(redactUrl('postgres://db/x?password=hunter2&ssl=1'), 'postgres://db/x?password=***&ssl=1');
    assert.equal(redactUrl('sqlite:app.db'), 'sqlite:app.db');
  });

  it('redactSecret removes the password as written, decoded and encoded', () => {
    const url = 'postgres://u:S3cr@t/Pw%3F9@h/db';
    const text = `a S3cr@t/Pw%3F9 b S3cr@t/Pw?9 c S3cr%40t%2FPw%3F9 d ${url} e postgres://u:S3cr%40t%2FPw%3F9@h/db`;
    const out = redactSecret(text, url);
    assert.equal(out, 'a *** b *** c *** d postgres://u:***@h/db e postgres://u:***@h/db');
  });

  it('redactSecret on an unreadable URL removes every text that could be its password', () => {
    const url = 'postgres://u:S3cr@t/PW@[::1';
    const out = redactSecret('S3cr@t/PW and S3cr@t and u:S3cr', url);
    assert.ok(!out.includes('S3cr'), out);
  });

  it('mysql2 options carry the password exactly', () => {
    const options = connectionOptions(
      'mariadb://u:S3cr@t/Pw?9#x:y%z@db.example:3307/app?connectTimeout=5000',
    );
    assert.deepEqual(
      [options.user, options.password, options.host, options.port, options.database, options.connectTimeout],
      ['u', 'S3cr@t/Pw?9#x:y%z', 'db.example', 3307, 'app', 5000],
    );
  });
});
