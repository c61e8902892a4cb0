import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterInfo } from '../../src/dialects/dialect.js';
import { canTakeWrites, galeraChunk, isWriteSetTooBig } from '../../src/dialects/mysql/galera.js';
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
  test('chunks are sized by the write set their rows make: 4 MiB, under half of wsrep_max_ws_size', () => {
    // 50 bytes a row encoded, 100 in the write set (x2): 4 MiB / 100.
    const users = galeraChunk(CLUSTER, 50);
    assert.equal(users.rows, 41_943);
    assert.match(
      users.reason,
      /^50 bytes per row encoded .*x2 for the write set: the 4194304 bytes aimed at \/ 100 bytes$/,
    );
    // A lowered wsrep_max_ws_size: half of it.
    const lowered = galeraChunk({ ...CLUSTER, maxWsSize: 1_048_576 }, 50);
    assert.equal(lowered.rows, 5_242);
    assert.match(lowered.reason, /half of wsrep_max_ws_size 1048576 \/ 100 bytes/);
    // Wide rows get fewer rows, narrow ones are capped, a row wider than the budget goes alone.
    assert.equal(galeraChunk(CLUSTER, 2_000).rows, 1_048);
    assert.equal(galeraChunk(CLUSTER, 5).rows, 100_000);
    assert.match(galeraChunk(CLUSTER, 5).reason, /capped at 100000 rows/);
    assert.equal(galeraChunk(CLUSTER, 10_000_000).rows, 1);
    assert.equal(galeraChunk(CLUSTER, 49.2).rows, 41_943);
    // Unknown: taken as 100 bytes.
    assert.equal(galeraChunk(CLUSTER, undefined).rows, 20_971);
  });

  test('chunks stay under wsrep_max_ws_rows, the checkpoint row counted', () => {
    assert.equal(galeraChunk({ ...CLUSTER, maxWsRows: 20_000 }, 50).rows, 19_999);
    assert.match(
      galeraChunk({ ...CLUSTER, maxWsRows: 20_000 }, 50).reason,
      /capped by wsrep_max_ws_rows 20000/,
    );
    assert.equal(galeraChunk({ ...CLUSTER, maxWsRows: 1 }, 50).rows, 1);
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
