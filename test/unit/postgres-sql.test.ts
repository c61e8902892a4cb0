/** PostgreSQL SQL text: quoting, placeholders, type names, the COPY statements, errors' CONTEXT. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyPosition, describePostgresError } from '../../src/dialects/postgres/postgres-errors.js';
import { PostgresSqlBuilder } from '../../src/dialects/postgres/postgres-sql.js';
import { dialectOf } from '../support/csv-scanners.js';

const sql = new PostgresSqlBuilder();

describe('PostgresSqlBuilder', () => {
  it('quotes identifiers with double quotes, doubling the quotes inside', () => {
    assert.equal(sql.quoteIdent('users'), '"users"');
    assert.equal(sql.quoteIdent('Robert"); DROP TABLE users; --'), '"Robert""); DROP TABLE users; --"');
    assert.equal(sql.table({ schema: 'my schema', name: 'a.b' }), '"my schema"."a.b"');
    assert.throws(() => sql.quoteIdent('a\0b'), /NUL/);
  });

  it('numbers placeholders $1, $2 … row by row', () => {
    assert.equal(
      sql.insert({ name: 't' }, ['a', 'b'], 2),
      'INSERT INTO "t" ("a", "b") VALUES ($1, $2), ($3, $4)',
    );
  });

  it('inserts all-default rows without a column list', () => {
    assert.equal(sql.insert({ name: 't' }, [], 1), 'INSERT INTO "t" DEFAULT VALUES');
    assert.equal(sql.insert({ name: 't' }, [], 3), 'INSERT INTO "t" SELECT FROM generate_series(1, 3)');
  });

  it('maps inferred types to PostgreSQL types', () => {
    const names = (
      ['integer', 'real', 'boolean', 'date', 'timestamp', 'timestamptz', 'json', 'text', 'bytes'] as const
    ).map((t) => sql.typeName(t));
    assert.deepEqual(names, [
      'bigint',
      'double precision',
      'boolean',
      'date',
      'timestamp',
      'timestamptz',
      'jsonb',
      'text',
      'bytea',
    ]);
  });

  it('writes COPY for encoded rows and for raw CSV (comma or tab)', () => {
    const ref = { name: 'users' };
    assert.equal(sql.copyText(ref, ['a', 'b"c']), 'COPY "users" ("a", "b""c") FROM STDIN (FORMAT text)');
    assert.equal(
      sql.copyCsv(ref, ['a'], dialectOf(',')),
      `COPY "users" ("a") FROM STDIN (FORMAT csv, HEADER true, DELIMITER ',')`,
    );
    assert.equal(
      sql.copyCsv(ref, ['a'], dialectOf('\t')),
      `COPY "users" ("a") FROM STDIN (FORMAT csv, HEADER true, DELIMITER E'\\t')`,
    );
    assert.equal(
      sql.copyCsv(ref, ['a'], dialectOf("'")),
      `COPY "users" ("a") FROM STDIN (FORMAT csv, HEADER true, DELIMITER '''')`,
    );
    assert.throws(() => sql.copyCsv(ref, ['a'], dialectOf('\\')), /delimiter/);
  });

  it('spells out the dialect options COPY takes: HEADER false, QUOTE, NULL, FORCE_NULL', () => {
    const ref = { name: 'users' };
    const dialect = { ...dialectOf(';'), header: false, quote: "'", nullStrings: ['\\N'], nullQuoted: true };
    assert.equal(
      sql.copyCsv(ref, ['a', 'b'], dialect),
      `COPY "users" ("a", "b") FROM STDIN (FORMAT csv, HEADER false, DELIMITER ';', QUOTE E'''', NULL E'\\\\N', FORCE_NULL ("a", "b"))`,
    );
  });
});

/** A server error as pg builds it from an ErrorResponse (pg-protocol's DatabaseError fields). */
function serverError(fields: Record<string, string>): Error {
  return Object.assign(new Error(fields.message), { severity: 'ERROR', ...fields });
}

describe('PostgreSQL errors', () => {
  it('reads the COPY line and column from CONTEXT', () => {
    const error = serverError({
      message: 'invalid input syntax for type integer: "x"',
      code: '22P02',
      where: 'COPY users, line 7, column role_id: "x"',
    });
    assert.deepEqual(copyPosition(error, 'users', ['username', 'role_id']), { line: 7, column: 'role_id' });
  });

  it('reads lines without a column, and null input', () => {
    const missing = serverError({ message: 'm', code: '22P04', where: 'COPY users, line 3: "a,b"' });
    assert.deepEqual(copyPosition(missing, 'users', ['a']), { line: 3, column: undefined });
    const nulls = serverError({
      message: 'm',
      code: '23502',
      where: 'COPY users, line 12, column a: null input',
    });
    assert.deepEqual(copyPosition(nulls, 'users', ['a']), { line: 12, column: 'a' });
    const bare = serverError({ message: 'm', code: '23505', where: 'COPY users, line 2' });
    assert.deepEqual(copyPosition(bare, 'users', []), { line: 2, column: undefined });
  });

  it('is not misled by a hostile table or column name', () => {
    const table = 'x, line 99, column y';
    const error = serverError({
      message: 'm',
      code: '22P02',
      where: `COPY ${table}, line 4, column a: b: "v"`,
    });
    assert.deepEqual(copyPosition(error, table, ['a', 'a: b']), { line: 4, column: 'a: b' });
  });

  it('yields nothing for a translated CONTEXT or a non-COPY error', () => {
    const german = serverError({ message: 'm', code: '22P02', where: 'COPY users, Zeile 7, Spalte a: "x"' });
    assert.equal(copyPosition(german, 'users', ['a']), undefined);
    assert.equal(copyPosition(new Error('socket hang up'), 'users', ['a']), undefined);
  });

  it("gives the server's message with its DETAIL and the SQLSTATE", () => {
    const error = serverError({
      message: 'duplicate key value violates unique constraint "users_username_key"',
      code: '23505',
      detail: 'Key (username)=(bob) already exists.',
    });
    assert.deepEqual(describePostgresError(error, undefined), {
      message:
        'duplicate key value violates unique constraint "users_username_key": Key (username)=(bob) already exists.',
      code: '23505',
    });
  });

  it('scrubs the connection password from any message', () => {
    const url = 'postgres://app:s3cretPW@db.example.com/prod';
    const error = Object.assign(new Error(`could not connect with ${url} (password s3cretPW)`), {
      code: 'ECONNREFUSED',
    });
    const described = describePostgresError(error, url);
    assert.doesNotMatch(described.message, /s3cretPW/);
    assert.equal(described.code, 'ECONNREFUSED');
  });
});
