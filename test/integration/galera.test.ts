/**
 * Loads into a real 3-node MariaDB Galera cluster on loopback (scripts/galera.sh start; .ci/run
 * starts one): detection, chunked commits with checkpoints, a write set over the cluster's limit
 * split, a node refusing queries passed over, two loads through two nodes at once, and 1M-row
 * loads during which a node is SIGKILLed (the one the load is connected to, and another) that
 * finish by themselves with every row exactly once. Skipped, saying so, when no cluster is up.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { open } from '../../src/index.js';
import { BIN } from '../support/cli.js';

const NODES = [4406, 4407, 4408];
const url = (...ports: number[]) => `mysql://root@${ports.map((p) => `127.0.0.1:${p}`).join(',')}/test`;
const SCRIPT = fileURLToPath(new URL('../../scripts/galera.sh', import.meta.url));
const run = promisify(execFile);

async function node(port: number): Promise<mysql.Connection> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'test' });
  // Reads wait for every write the cluster has committed (a node applies others' writes later).
  await c.query('SET SESSION wsrep_sync_wait = 1');
  return c;
}

async function clusterUp(): Promise<boolean> {
  try {
    const c = await node(NODES[0]!);
    const [rows] = await c.query("SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'");
    await c.end();
    return Number((rows as { Value: string }[])[0]?.Value) === NODES.length;
  } catch {
    return false;
  }
}

const USERS =
  'CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(100) NOT NULL UNIQUE, email VARCHAR(255), created_at DATETIME, role_id INT)';

/** `count` users named `${prefix}${n}`: disjoint files for concurrent loads. */
async function usersFile(dir: string, name: string, prefix: string, count: number): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  let text = 'username,email,created_at,role_id\n';
  for (let i = 1; i <= count; i++) {
    text += `${prefix}${i},${prefix}${i}@example.org,2024-05-06 07:08:09,${1 + (i % 5)}\n`;
    if (text.length > 1 << 16) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  out.end(text);
  await once(out, 'finish');
  return path;
}

interface Cli {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: string[], whenRunning?: () => Promise<void>): Promise<Cli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'load', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    whenRunning?.().catch((error: unknown) => {
      child.kill('SIGKILL');
      reject(error as Error);
    });
  });
}

/** Rows the load's checkpoint says are committed, read on `port`. */
async function checkpointRows(port: number): Promise<number> {
  const c = await node(port).catch(() => undefined);
  if (c === undefined) return 0;
  try {
    const [rows] = await c.query('SELECT rows_loaded AS n FROM sluice_checkpoints');
    return Number((rows as { n: unknown }[])[0]?.n ?? 0);
  } catch {
    return 0;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function counts(port: number): Promise<{ rows: number; distinct: number }> {
  const c = await node(port);
  try {
    const [rows] = await c.query('SELECT COUNT(*) AS n, COUNT(DISTINCT username) AS d FROM users');
    const row = (rows as { n: unknown; d: unknown }[])[0]!;
    return { rows: Number(row.n), distinct: Number(row.d) };
  } finally {
    await c.end();
  }
}

async function resetUsers(): Promise<void> {
  const c = await node(NODES[0]!);
  await c.query('DROP TABLE IF EXISTS users, sluice_checkpoints');
  await c.query(USERS);
  await c.end();
}

const up = await clusterUp();
if (!up)
  console.log(
    `# Galera suite SKIPPED: no 3-node cluster at ${url(...NODES)}; start one with scripts/galera.sh start (.ci/run does)`,
  );

describe('Galera cluster', { skip: up ? false : 'no cluster: scripts/galera.sh start' }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-galera-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('detected: a file is committed in chunks with checkpoints, and explain says so', async () => {
    await resetUsers();
    const file = await usersFile(dir, 'chunks.csv', 'c', 120_000);
    const db = await open(url(NODES[0]!));
    try {
      const plan = await db.explain('users', file);
      assert.match(plan.notes.join('\n'), /Galera cluster of 3 nodes, loading through 127\.0\.0\.1:4406/);
      assert.match(plan.notes.join('\n'), /a commit every 50000 rows, each with its checkpoint/);
      const report = await db.load('users', file);
      assert.equal(report.rowsLoaded, 120_000);
      assert.equal(report.checkpoints, 3);
      // Every node has every row (read with wsrep_sync_wait), and the checkpoint is gone.
      for (const port of NODES) assert.deepEqual(await counts(port), { rows: 120_000, distinct: 120_000 });
      assert.equal(await checkpointRows(NODES[2]!), 0);
      const oneTx = await db.explain('users', file, { commitEvery: 0 });
      assert.match(
        oneTx.notes.join('\n'),
        /one transaction, as asked \(--commit-every 0\).*\(streaming replication\)/,
      );
    } finally {
      await db.close();
    }
  });

  test('--commit-every 0: one transaction, replicated in fragments', async () => {
    await resetUsers();
    const file = await usersFile(dir, 'one-tx.csv', 'o', 30_000);
    const result = await cli([file, '--db', url(NODES[1]!), '--table', 'users', '--commit-every', '0']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /streaming replication/);
    assert.deepEqual(await counts(NODES[0]!), { rows: 30_000, distinct: 30_000 });
  });

  test('a chunk over the cluster write-set limit is split and loads', async () => {
    await resetUsers();
    const file = await usersFile(dir, 'split.csv', 's', 100_000);
    const admin = await node(NODES[0]!);
    // 50,000 rows are about 3.4 MB of write set: over 1 MiB, so the chunk must be halved twice.
    await admin.query('SET GLOBAL wsrep_max_ws_size = 1048576');
    try {
      const result = await cli([file, '--db', url(NODES[0]!), '--table', 'users']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        /Maximum writeset size exceeded: going on from the last checkpoint with a commit every 25000 rows/,
      );
      assert.deepEqual(await counts(NODES[2]!), { rows: 100_000, distinct: 100_000 });
    } finally {
      await admin.query('SET GLOBAL wsrep_max_ws_size = 2147483647');
      await admin.end();
    }
  });

  test('a node that refuses queries (1047) is passed over, even as the only host in the URL', async () => {
    await resetUsers();
    const file = await usersFile(dir, 'reject.csv', 'r', 1_000);
    const admin = await node(NODES[2]!);
    await admin.query('SET GLOBAL wsrep_reject_queries = ALL');
    try {
      const result = await cli([file, '--db', url(NODES[2]!), '--table', 'users']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /loading through 127\.0\.0\.1:440[67]/);
    } finally {
      await admin.query('SET GLOBAL wsrep_reject_queries = NONE');
      await admin.end();
    }
    assert.deepEqual(await counts(NODES[0]!), { rows: 1_000, distinct: 1_000 });
  });

  test('two loads through two nodes into one table at once', async () => {
    await resetUsers();
    const a = await usersFile(dir, 'a.csv', 'a', 150_000);
    const b = await usersFile(dir, 'b.csv', 'b', 150_000);
    const [ra, rb] = await Promise.all([
      cli([a, '--db', url(NODES[0]!), '--table', 'users']),
      cli([b, '--db', url(NODES[1]!), '--table', 'users']),
    ]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    assert.deepEqual(await counts(NODES[2]!), { rows: 300_000, distinct: 300_000 });
  });

  for (const [what, victim] of [
    ['the node the load is connected to', 0],
    ['another node', 2],
  ] as const) {
    test(`1M rows, ${what} SIGKILLed in the middle: the load finishes by itself, every row once`, async () => {
      await resetUsers();
      const file = await usersFile(dir, 'million.csv', 'm', 1_000_000);
      const watch = NODES[1]!;
      try {
        const result = await cli([file, '--db', url(NODES[0]!), '--table', 'users'], async () => {
          while ((await checkpointRows(watch)) < 200_000) await sleep(100);
          await run('bash', [SCRIPT, 'kill', String(victim + 1)]);
        });
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /loaded 1000000 rows/);
        if (victim === 0) assert.match(result.stderr, /reconnecting .* to go on from the last checkpoint/);
        assert.deepEqual(await counts(watch), { rows: 1_000_000, distinct: 1_000_000 });
      } finally {
        await run('bash', [SCRIPT, 'start-node', String(victim + 1)]);
      }
    });
  }
});
