/**
 * What a parallel load (by file shares or by batches) checks and does once, on its first
 * connection, before the N connections start.
 */
import type { Session, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import { explain } from '../load.js';
import type { LoadOptions } from '../options.js';
import type { LoadInput } from '../sources/from-input.js';

/** N connections are needed: a single client cannot give them, and a single-writer database would serialise them. */
export function refuseWithoutConnections(session: Session, canOpenMore: boolean, n: number): void {
  if (!canOpenMore)
    throw new SluiceError(
      'BAD_USAGE',
      `--parallel ${n} needs ${n} connections, and sluice was given one client, which it cannot open more of`,
      { hint: 'pass a URL or a pool (pg.Pool, mysql2 createPool) to open() to load in parallel' },
    );
  if (session.capabilities.singleWriter === true)
    throw new SluiceError(
      'BAD_USAGE',
      `--parallel ${n}: ${session.dialect} has one writer at a time, so N connections would only wait for each other`,
      { hint: 'load without --parallel' },
    );
}

/**
 * A missing table is created before the connections start, from the sample of `input` a serial
 * load would infer its types from, so that N connections do not race to create it. Outside any
 * transaction: the connections commit on their own. The DDL run, or undefined when the table exists.
 */
export async function createMissingTable(
  session: Session,
  ref: TableRef,
  input: LoadInput,
  options: LoadOptions,
): Promise<string | undefined> {
  if ((await session.describeTable(ref)) !== undefined) return undefined;
  const plan = await explain(session, ref, input, {
    ...options,
    parallel: undefined,
    rejects: undefined,
    onNotice: undefined,
  });
  if (plan.ddl === undefined) return undefined;
  await session.execute(plan.ddl);
  return plan.ddl;
}
