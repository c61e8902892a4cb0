import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../../src/index.js';
import { checkHeaderNames, nameHeader } from '../../src/rows/header-names.js';

describe('header names for a created table (issue 12 item 6)', () => {
  it('names an empty header name column<N> by its 0-based position, padded as DuckDB pads it', () => {
    const header = ['a', 'b', '', 'd', 'e', 'f', 'g', 'h', 'i', 'j', ''];
    const row = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'];
    const named = nameHeader(header, [row], true);
    assert.equal(named.names[2], 'column02');
    assert.equal(named.names[10], 'column10');
    assert.deepEqual(named.omitted, []);
    assert.deepEqual(named.notes, [
      'column 3 of the header has no name: named "column02"',
      'column 11 of the header has no name: named "column10"',
    ]);
    assert.deepEqual(nameHeader(['x', ''], [['1', '2']], true).names, ['x', 'column1']);
  });

  it('leaves out an unnamed column that is empty in every sampled record, and says how far it looked', () => {
    const named = nameHeader(
      ['a', 'b', ''],
      [
        ['1', 'x', null],
        ['2', null, null],
      ],
      false,
    );
    assert.deepEqual(named.names, ['a', 'b', 'column2']);
    assert.deepEqual(named.omitted, [2]);
    assert.deepEqual(named.notes, [
      'column 3 of the header has no name and no value in the first 2 records: left out of the table',
    ]);
    // A quoted "" is a value (the empty string), not an empty field: the column stays.
    assert.deepEqual(nameHeader(['a', ''], [['1', '']], true).omitted, []);
    assert.match(nameHeader(['a', ''], [['1', null]], true).notes[0]!, /no value in any record/);
    // A table needs a column: a header of nothing but empty, unused names keeps them.
    assert.deepEqual(nameHeader(['', ''], [[null, null]], true), {
      names: ['column0', 'column1'],
      omitted: [],
      notes: [
        'column 1 of the header has no name: named "column0"',
        'column 2 of the header has no name: named "column1"',
      ],
    });
  });

  it('never takes a name the header uses, and suffixes repeated names _1, _2 ignoring case', () => {
    assert.deepEqual(nameHeader(['', 'column0'], [['1', '2']], true).names, ['column0_1', 'column0']);
    assert.deepEqual(nameHeader(['a', 'a', 'a_1', 'A'], [['1', '2', '3', '4']], true).names, [
      'a',
      'a_2',
      'a_1',
      'A_3',
    ]);
    assert.deepEqual(nameHeader(['id', 'ID'], [['1', '2']], true).notes, [
      'column 2 of the header repeats the name "ID": named "ID_1"',
    ]);
  });

  it('into an existing table: an empty or repeated name is an error on line 1 that lists the columns', () => {
    assert.throws(
      () => checkHeaderNames(['a', ''], 'gov.csv', ['a', 'b']),
      (e: unknown) =>
        e instanceof SluiceError &&
        e.code === 'BAD_INPUT' &&
        e.message === 'gov.csv:1: column 2 of the header has no name' &&
        e.hint!.startsWith('the table has: a, b;'),
    );
    assert.throws(
      () => checkHeaderNames(['a', 'b', 'a'], 'dup.csv', ['a', 'b']),
      (e: unknown) =>
        e instanceof SluiceError &&
        e.message === 'dup.csv:1: columns 1 and 3 of the header are both named "a"',
    );
    // Names that differ only in case may be two columns (PostgreSQL): the row mapper decides.
    checkHeaderNames(['a', 'A'], 'case.csv', ['a', 'A']);
  });
});
