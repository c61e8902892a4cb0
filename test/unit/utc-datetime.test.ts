import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utcDatetime } from '../../src/dialects/mysql/utc-datetime.js';

describe('zoned timestamps as UTC DATETIME text (issue 12 item 7, MySQL)', () => {
  it('applies the offset and keeps the fractional digits as written', () => {
    const cases: [string, string][] = [
      ['2024-03-05T07:08:09.000Z', '2024-03-05 07:08:09.000'],
      ['2024-03-05T12:38:09.123456+05:30', '2024-03-05 07:08:09.123456'],
      ['2024-03-05T12:38:09+0530', '2024-03-05 07:08:09'],
      ['2024-03-05T12:08:09+05', '2024-03-05 07:08:09'],
      ['2024-03-05T07:08:09-00:00', '2024-03-05 07:08:09'],
      ['2024-03-05T07:08:09+14:00', '2024-03-04 17:08:09'],
      ['2024-12-31T20:00-05:00', '2025-01-01 01:00:00'],
      ['2024-03-01T01:00:00.5+02:00', '2024-02-29 23:00:00.5'],
      ['0001-01-01T05:30:00+05:30', '0001-01-01 00:00:00'],
      ['0099-06-01 00:00:00Z', '0099-06-01 00:00:00'],
      ['9999-12-31T23:59:59.999999Z', '9999-12-31 23:59:59.999999'],
    ];
    for (const [text, utc] of cases) assert.equal(utcDatetime(text), utc, text);
  });

  it('leaves anything else as written, for the server to store or refuse', () => {
    for (const text of [
      '2024-03-05 07:08:09',
      '2024-02-30T00:00:00Z',
      '2024-03-05T24:00:00Z',
      '2024-03-05T07:08:60Z',
      '2024-03-05T07:08:09+05:60',
      '0001-01-01T00:00:00+05:30',
      '9999-12-31T23:59:59-01:00',
      'yesterday',
    ]) {
      assert.equal(utcDatetime(text), text, text);
    }
  });
});
