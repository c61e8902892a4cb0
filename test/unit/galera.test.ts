import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterInfo } from '../../src/dialects/dialect.js';
import { canTakeWrites, galeraChunkRows, isWriteSetTooBig } from '../../src/dialects/mysql/galera.js';
import { isTransientMysqlError } from '../../src/dialects/mysql/mysql-errors.js';
import { SluiceError } from '../../src/errors.js';

const CLUSTER: ClusterInfo = {
  kind: 'galera',
  size: 3,
  state: 'Synced',
  primary: true,
  ready: true,
  rejectsQueries: false,
  nodes: ['127.0.0.1:4406', '127.0.0.1:4407', '127.0.0.1:4408'],
  maxWsRows: 0,
  maxWsSize: 2147483647,
  autoIncrementStep: 3,
};

/** The errors as mysql2 gives them (texts measured on a 3-node cluster, galera-findings). */
const driverError = (errno: number, sqlMessage: string) =>
  Object.assign(new Error(sqlMessage), { errno, sqlMessage, code: 'X', sqlState: 'HY000' });

describe('Galera', () => {
  test('chunks stay under wsrep_max_ws_rows, the checkpoint row counted', () => {
    assert.equal(galeraChunkRows(CLUSTER), 50_000);
    assert.equal(galeraChunkRows({ ...CLUSTER, maxWsRows: 20_000 }), 19_999);
    assert.equal(galeraChunkRows({ ...CLUSTER, maxWsRows: 1 }), 1);
  });

  test('a node takes writes only Synced, Primary, ready and not rejecting queries', () => {
    assert.equal(canTakeWrites(CLUSTER), true);
    assert.equal(canTakeWrites({ ...CLUSTER, state: 'Donor/Desynced' }), false);
    assert.equal(canTakeWrites({ ...CLUSTER, state: 'Joining' }), false);
    assert.equal(canTakeWrites({ ...CLUSTER, primary: false }), false);
    assert.equal(canTakeWrites({ ...CLUSTER, ready: false }), false);
    assert.equal(canTakeWrites({ ...CLUSTER, rejectsQueries: true }), false);
  });

  test('write-set limits are split, not retried; a lost Primary component is retried', () => {
    const rows = driverError(1180, 'wsrep_max_ws_rows exceeded');
    const size = driverError(1105, 'Maximum writeset size exceeded');
    const primary = driverError(
      1180,
      'Error while appending streaming replication fragment(provider status: Not connected to Primary Component)',
    );
    assert.equal(isWriteSetTooBig(rows), true);
    assert.equal(isWriteSetTooBig(size), true);
    // Wrapped as sluice wraps a driver error: the cause chain is read.
    assert.equal(isWriteSetTooBig(new SluiceError('LOAD_FAILED', 'x', { cause: size })), true);
    assert.equal(isWriteSetTooBig(primary), false);
    assert.equal(isTransientMysqlError(rows), false);
    assert.equal(isTransientMysqlError(primary), true);
    assert.equal(
      isTransientMysqlError(driverError(1047, 'WSREP has not yet prepared node for application use')),
      true,
    );
    assert.equal(isTransientMysqlError(driverError(1213, 'Deadlock found when trying to get lock')), true);
  });
});
