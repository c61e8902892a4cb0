import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSecret, redactUrl } from '../../src/util/redact-url.js';

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    assert.equal(redactUrl('postgres://app:s3cret@db:5432/x'), 'postgres://app:***@db:5432/x');
    assert.equal(redactUrl('mysql://root@127.0.0.1/test'), 'mysql://root@127.0.0.1/test');
    assert.equal(redactUrl('postgres://db/x?password=hunter2&ssl=1'), 'postgres://db/x?password=***&ssl=1');
    assert.equal(redactUrl('sqlite:app.db'), 'sqlite:app.db');
  });

  it('removes a password echoed anywhere in a message', () => {
    const url = 'postgres://app:p%40ss@db/x';
    assert.equal(
      redactSecret(`cannot connect to ${url} as app with p@ss`, url),
      'cannot connect to postgres://app:***@db/x as app with ***',
    );
  });
});
