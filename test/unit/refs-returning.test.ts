/**
 * Issue 15, the parts that touch no database: ref specs as the library and the CLI write them,
 * the plan's reasons for refs and returning, and returned rows handed on in input order with
 * null slots for rejected and unparsable records.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Capabilities, Session } from '../../src/dialects/dialect.js';
import { SluiceError } from '../../src/errors.js';
import { ReturnedRows, type ReturnedBatch } from '../../src/methods/returning.js';
import { choosePlan } from '../../src/plan/choose-method.js';
import { parseRefs } from '../../src/rows/refs.js';
import { parseLoadArgs } from '../../src/cli/options.js';

describe('parseRefs', () => {
  it('reads field=table.column, a named column, a schema and composite keys', () => {
    assert.deepEqual(parseRefs({ role: 'roles.name' }), [
      { fields: ['role'], parent: { name: 'roles' }, keyColumns: ['name'], column: undefined },
    ]);
    assert.deepEqual(parseRefs({ role: 'auth.roles.name:role_id' }), [
      {
        fields: ['role'],
        parent: { schema: 'auth', name: 'roles' },
        keyColumns: ['name'],
        column: 'role_id',
      },
    ]);
    assert.deepEqual(parseRefs({ 'region,code': 'areas.region,code' }), [
      {
        fields: ['region', 'code'],
        parent: { name: 'areas' },
        keyColumns: ['region', 'code'],
        column: undefined,
      },
    ]);
  });

  it('refuses a spec without a table, with an empty name or mismatched field counts', () => {
    for (const [field, target] of [
      ['role', 'name'],
      ['role', 'roles.'],
      ['a,b', 'areas.region'],
      ['role', 'roles.name:'],
    ] as const) {
      assert.throws(
        () => parseRefs({ [field]: target }),
        (e: unknown) => e instanceof SluiceError && e.code === 'BAD_USAGE',
        `${field}=${target}`,
      );
    }
  });

  it('the CLI: --ref is repeatable and --create-missing-refs needs no value', () => {
    const args = parseLoadArgs(
      [
        'u.csv',
        '--ref',
        'role=roles.name',
        '--ref',
        'region,code=areas.region,code',
        '--create-missing-refs',
      ],
      {},
    );
    assert.deepEqual(args.options.refs, { role: 'roles.name', 'region,code': 'areas.region,code' });
    assert.equal(args.options.createMissingRefs, true);
    assert.throws(
      () => parseLoadArgs(['u.csv', '--ref', 'role'], {}),
      (e: unknown) => e instanceof SluiceError && e.code === 'BAD_USAGE',
    );
  });
});

describe('choosePlan with refs and returning', () => {
  const server: Capabilities = {
    copy: 'COPY FROM STDIN',
    rawCsvCopy: 'its bytes go to COPY untouched',
    pipeline: 'pipelined',
    maxBindParams: 65535,
    maxStatementBytes: undefined,
    inProcess: false,
    createsMissingTables: false,
    transactionalDdl: true,
  };
  const base = {
    capabilities: server,
    requested: 'auto' as const,
    columns: 4,
    rawCsvEligible: false,
    batchSize: undefined,
    commitEvery: undefined,
    onError: 'abort' as const,
  };

  it('says why a CSV is parsed, and a statement per batch when values are read back', () => {
    const plan = choosePlan({
      ...base,
      parsedBecause: '--ref replaces key fields by ids',
      betweenBatches: 'returned values are read back',
    });
    assert.equal(plan.rawCopy, false);
    assert.equal(plan.copyPerBatch, true);
    assert.ok(plan.reasons.includes('the CSV is parsed, not copied raw: --ref replaces key fields by ids'));
    assert.ok(plan.reasons.some((r) => r.endsWith('returned values are read back between batches')));
  });

  it('refs alone keep the one COPY stream', () => {
    const plan = choosePlan({ ...base, parsedBecause: '--ref replaces key fields by ids' });
    assert.equal(plan.copyPerBatch, false);
  });
});

describe('ReturnedRows', () => {
  const session = {} as Session; // never asked: these rows carry their reserved ids
  const setup = {
    columns: ['id'],
    mode: 'reserved' as const,
    readKey: ['id'],
    idColumn: 'id',
    integers: new Set(['id']),
  };
  const chunk = (ordinals: number[], ids: unknown[]) => ({
    rows: ids.map((id) => ['x', id]),
    lines: ordinals.map((o) => o + 1),
    ordinals,
    ends: ordinals,
  });

  it('hands rows on in input order, null for a rejected record and one the parser refused', () => {
    const batches: ReturnedBatch[] = [];
    const rows = new ReturnedRows(session, { name: 't' }, setup, (b) => batches.push(b), 1);
    rows.mapped(chunk([1, 2, 3], ['1000', '1007', 1014]), ['name', 'id']);
    rows.rejected(2);
    rows.written(3);
    // Record 4 was refused by the parser: it never became a row.
    rows.mapped(chunk([5], [1021]), ['name', 'id']);
    rows.written(5);
    rows.written(5);
    assert.deepEqual(batches, [
      { first: 1, rows: [{ id: 1000 }, null, { id: 1014 }] },
      { first: 4, rows: [null, { id: 1021 }] },
    ]);
  });

  it('collects everything for report.returning without a callback, from a resumed ordinal', () => {
    const rows = new ReturnedRows(session, { name: 't' }, setup, undefined, 11);
    rows.mapped(chunk([11, 12], [5, 6]), ['name', 'id']);
    rows.written(13);
    assert.deepEqual(rows.collected, [{ id: 5 }, { id: 6 }, null]);
  });
});
