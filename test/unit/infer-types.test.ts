import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferType, typeOfText } from '../../src/rows/infer-types.js';

describe('type inference', () => {
  it('recognises text forms', () => {
    const cases: [string, string][] = [
      ['42', 'integer'],
      ['-7', 'integer'],
      ['0', 'integer'],
      ['007', 'text'],
      ['3.5', 'real'],
      ['-0.25', 'real'],
      ['1e10', 'real'],
      ['1.', 'text'],
      ['.', 'text'],
      ['2024-02-29', 'date'],
      ['2023-02-29', 'text'],
      ['2024-13-01', 'text'],
      ['2024-01-02 03:04:05', 'timestamp'],
      ['2024-01-02T03:04:05.123', 'timestamp'],
      ['2024-01-02T03:04:05Z', 'timestamptz'],
      ['2024-01-02T03:04:05+02:00', 'timestamptz'],
      ['12345678901234567890', 'text'],
      ['hello', 'text'],
    ];
    for (const [text, type] of cases) assert.equal(typeOfText(text), type, text);
  });

  // Issue 12 item 7: a type sluice infers must hold every sampled value exactly on every database.
  it('issue 12 item 7: claims a type only for text it stores without rounding, truncating or shifting', () => {
    const cases: [string, string][] = [
      // 64-bit integers to the limits; a sign, a leading zero or a negative zero would be lost.
      ['9223372036854775807', 'integer'],
      ['-9223372036854775808', 'integer'],
      ['9223372036854775808', 'text'],
      ['-9223372036854775809', 'text'],
      ['-0', 'text'],
      ['+5', 'text'],
      // Reals only when the double reads back as the same number.
      ['0.1', 'real'],
      ['0.30000000000000004', 'real'],
      ['1.7976931348623157e308', 'real'],
      ['5e-324', 'real'],
      ['-2.5E-3', 'real'],
      ['.5', 'real'],
      ['0.1000000000000000055511151231257827', 'text'],
      ['3.14159265358979323846', 'text'],
      ['1e400', 'text'],
      ['1e-400', 'text'],
      ['-0.0', 'text'],
      ['+1.5', 'text'],
      ['NaN', 'text'],
      ['Infinity', 'text'],
      // Dates in years 0001-9999 (PostgreSQL has no year 0).
      ['0001-01-01', 'date'],
      ['9999-12-31', 'date'],
      ['0000-01-01', 'text'],
      ['2000-02-29', 'date'],
      ['1900-02-29', 'text'],
      ['0004-02-29', 'date'],
      // Timestamps: up to microseconds, real seconds, real offsets.
      ['2024-03-05 07:08', 'timestamp'],
      ['2024-03-05T07:08:09.123456', 'timestamp'],
      ['2024-03-05T07:08:09.1234567', 'text'],
      ['2024-03-05T07:08:09.123456789', 'text'],
      ['2024-03-05T07:08:60', 'text'],
      ['2024-03-05T24:00:00', 'text'],
      ['2024-03-05T07:08:09.000Z', 'timestamptz'],
      ['2024-03-05T07:08:09-00:00', 'timestamptz'],
      ['2024-03-05T07:08:09+14:00', 'timestamptz'],
      ['2024-03-05T07:08:09+0530', 'timestamptz'],
      ['2024-03-05T07:08:09+05', 'timestamptz'],
      ['2024-03-05T07:08:09+14:01', 'text'],
      ['2024-03-05T07:08:09+05:60', 'text'],
      ['2024-03-05T07:08:09.1234567Z', 'text'],
      // The UTC instant must be in years 0001-9999 (MySQL's DATETIME range).
      ['0001-01-01T00:00:00Z', 'timestamptz'],
      ['0001-01-01T05:30:00+05:30', 'timestamptz'],
      ['0001-01-01T00:00:00+05:30', 'text'],
      ['9999-12-31T23:59:59.999999Z', 'timestamptz'],
      ['9999-12-31T23:59:59-01:00', 'text'],
    ];
    for (const [text, type] of cases) assert.equal(typeOfText(text), type, text);
  });

  it('issue 12 item 7: widens only to a type that still holds every value', () => {
    // 2^53 + 1 fits bigint but not a double: with a real beside it the column is text.
    assert.equal(inferType(['9007199254740993', '1.5']), 'text');
    assert.equal(inferType(['9007199254740992', '1.5']), 'real');
    assert.equal(inferType(['9007199254740993', '1']), 'integer');
    // Zoneless and zoned times together would need a zone assumed for the zoneless ones.
    assert.equal(inferType(['2024-01-01 10:00', '2024-01-01T10:00Z']), 'text');
  });

  it('widens across values and ignores nulls', () => {
    assert.equal(inferType(['1', null, '2']), 'integer');
    assert.equal(inferType(['1', '2.5']), 'real');
    assert.equal(inferType(['1', 'x']), 'text');
    assert.equal(inferType([null, null]), 'text');
    assert.equal(inferType(['2024-01-01', '2024-01-01 10:00']), 'timestamp');
  });

  it('types JS values', () => {
    assert.equal(inferType([1, 2]), 'integer');
    assert.equal(inferType([1, 2.5]), 'real');
    assert.equal(inferType([10n]), 'integer');
    assert.equal(inferType([true, false]), 'boolean');
    assert.equal(inferType([new Date()]), 'timestamptz');
    assert.equal(inferType([{ a: 1 }, [1, 2]]), 'json');
    assert.equal(inferType([Buffer.from('x')]), 'bytes');
  });
});
