import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Capabilities } from '../../src/dialects/dialect.js';
import { choosePlan } from '../../src/plan/choose-method.js';
import { SluiceError } from '../../src/errors.js';

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
const embedded: Capabilities = {
  ...server,
  copy: undefined,
  rawCsvCopy: undefined,
  maxBindParams: 32766,
  inProcess: true,
};
const base = {
  requested: 'auto' as const,
  columns: 4,
  rawCsvEligible: false,
  batchSize: undefined,
  commitEvery: undefined,
  onError: 'abort' as const,
};

describe('choosePlan', () => {
  it('picks the bulk path when the database has one, raw bytes for an untouched CSV file', () => {
    const plan = choosePlan({ ...base, capabilities: server, rawCsvEligible: true });
    assert.equal(plan.method, 'copy');
    assert.equal(plan.rawCopy, true);
    assert.equal(plan.transaction, 'single');
    assert.ok(plan.reasons.some((r) => r.includes('COPY FROM STDIN')));
  });

  it('encodes rows when the CSV needs transformation', () => {
    assert.equal(choosePlan({ ...base, capabilities: server }).rawCopy, false);
  });

  it('picks multi-row INSERTs without a bulk path, sized to the parameter limit', () => {
    const plan = choosePlan({ ...base, capabilities: embedded, columns: 500 });
    assert.equal(plan.method, 'values');
    assert.equal(plan.rowsPerStatement, 65); // floor(32766 / 500)
    assert.equal(plan.batchSize % plan.rowsPerStatement, 0);
  });

  it('refuses a --batch-size that would overflow the parameter limit', () => {
    assert.throws(
      () => choosePlan({ ...base, capabilities: server, requested: 'values', columns: 10, batchSize: 7000 }),
      (e: unknown) => e instanceof SluiceError && e.code === 'BAD_USAGE' && /65535/.test(e.message),
    );
  });

  it('refuses copy where there is no bulk path', () => {
    assert.throws(
      () => choosePlan({ ...base, capabilities: embedded, requested: 'copy' }),
      (e: unknown) => e instanceof SluiceError && e.code === 'METHOD_UNAVAILABLE',
    );
  });

  it('runs row in autocommit and honours commit-every for the others', () => {
    assert.equal(choosePlan({ ...base, capabilities: server, requested: 'row' }).transaction, 'autocommit');
    assert.deepEqual(choosePlan({ ...base, capabilities: server, commitEvery: 500 }).transaction, {
      commitEvery: 500,
    });
  });

  it('says how pipeline runs on this database', () => {
    const plan = choosePlan({ ...base, capabilities: server, requested: 'pipeline' });
    assert.ok(plan.reasons.includes('pipeline here: pipelined'));
  });
});

describe('choosePlan in skip mode', () => {
  it('encodes rows in smaller copy batches instead of passing raw bytes', () => {
    const plan = choosePlan({ ...base, capabilities: server, rawCsvEligible: true, onError: 'skip' });
    assert.equal(plan.method, 'copy');
    assert.equal(plan.rawCopy, false);
    assert.equal(plan.batchSize, 10_000);
  });
});

describe('choosePlan with --defer-constraints (issue 18)', () => {
  const refusal = (input: Partial<Parameters<typeof choosePlan>[0]>, words: RegExp): void => {
    assert.throws(
      () => choosePlan({ ...base, capabilities: server, deferConstraints: true, ...input }),
      (error: unknown) =>
        error instanceof SluiceError &&
        error.exitCode === 2 &&
        /^--defer-constraints cannot be used here: /.test(error.message) &&
        words.test(error.message),
    );
  };

  it('keeps the plan of a plain load, raw copy included', () => {
    const plan = choosePlan({ ...base, capabilities: server, rawCsvEligible: true, deferConstraints: true });
    assert.equal(plan.rawCopy, true);
    assert.equal(plan.transaction, 'single');
  });

  it('refuses what needs the keys mid-load or commits without them', () => {
    refusal({ commitEvery: 100 }, /--commit-every splits the load/);
    refusal({ requested: 'row' }, /--method row commits every row/);
    refusal({ onError: 'skip' }, /--on-error skip/);
    refusal(
      { conflict: { key: ['username'], action: 'update', update: ['email'], types: new Map() } },
      /an upsert needs the unique index on its key \(username\)/,
    );
  });
});
