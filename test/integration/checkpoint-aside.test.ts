/**
 * A checkpointed load on PostgreSQL does its checkpoint work before the first transaction (the
 * table read, created, its row written) on a connection of its own (Session.aside), so that the
 * load's own session reaches its first COPY having done what an unchecked load's does: a session
 * that read other relations first ran the same COPY into a table with a foreign key 14 % slower
 * (postgres-session.ts, describeTable; docs/BENCHMARKS.md "Checkpoints"). The speed is the
 * benchmark's to show; this test shows where the statements go, on the real server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/dialects/dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { resumableLoad } from '../../src/resume/resumable-load.js';
import { DIALECTS, freshTarget, type TestTarget } from '../support/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-aside-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The session with every statement it is asked to run recorded, in order, until it closes. */
function recorded(session: Session): { session: Session; calls: string[] } {
  const calls: string[] = [];
  const watched = ['execute', 'select', 'count', 'executeMany', 'begin', 'describeTable'];
  const proxy = new Proxy(session, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || !watched.includes(String(key))) return value;
      return (...args: unknown[]) => {
        const first = args[0];
        calls.push(`${String(key)} ${typeof first === 'string' ? first : JSON.stringify(first ?? '')}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { session: proxy, calls };
}

const skip = !DIALECTS.includes('postgres');

describe('checkpoint work before the first COPY (PostgreSQL)', { skip }, () => {
  let target: TestTarget;
  let file: string;
  before(async () => {
    target = await freshTarget('postgres');
    await target.query('CREATE TABLE roles (id integer PRIMARY KEY)');
    await target.query('INSERT INTO roles VALUES (1), (2)');
    await target.query(
      'CREATE TABLE people (id integer PRIMARY KEY, name text, role_id integer REFERENCES roles (id))',
    );
    file = join(dir, 'people.csv');
    let text = 'id,name,role_id\n';
    for (let i = 1; i <= 250; i++) text += `${i},p${i},${(i % 2) + 1}\n`;
    writeFileSync(file, text);
  });
  after(() => target.close());

  for (const withAside of [true, false]) {
    it(
      withAside
        ? 'goes on a connection of its own: the load session touches no checkpoint row before its first BEGIN'
        : 'without a second connection (a client passed in), it goes on the load session itself',
      async () => {
        await target.query('DELETE FROM people');
        const opened = await postgresDialect.connect(target.url, {});
        const real = withAside
          ? opened
          : Object.assign(Object.create(opened) as Session, { aside: undefined });
        const { session, calls } = recorded(real);
        try {
          const report = await resumableLoad({ session, reconnect: undefined }, 'people', file, {
            commitEvery: 100,
          });
          assert.equal(report.rowsLoaded, 250);
          assert.equal(report.checkpoints, 3);
        } finally {
          await opened.close();
        }
        const firstBegin = calls.findIndex((c) => c.startsWith('begin'));
        assert.ok(firstBegin >= 0, calls.join('\n'));
        const touching = calls.slice(0, firstBegin).filter((c) => /sluice_checkpoints/.test(c));
        if (withAside) assert.deepEqual(touching, []);
        else assert.ok(touching.length > 0, calls.join('\n'));
        // The checkpoint row was still written inside every chunk's transaction, on the load session.
        const advances = calls.filter((c) => /^execute UPDATE "sluice_checkpoints"/.test(c));
        assert.equal(advances.length, 3);
        const [left] = await target.query<{ n: string }>('SELECT count(*) AS n FROM sluice_checkpoints');
        assert.equal(Number(left!.n), 0);
        const [stored] = await target.query<{ n: string }>('SELECT count(*) AS n FROM people');
        assert.equal(Number(stored!.n), 250);
      },
    );
  }
});
