import type { Session, TableRef } from './dialects/dialect.js';
import { SluiceError } from './errors.js';
import { METHODS } from './methods/index.js';
import type { MethodContext } from './methods/method.js';
import { validateOptions, type LoadOptions } from './options.js';
import { prepareLoad, type PreparedLoad } from './prepare.js';
import type { ExplainReport, LoadReport } from './report.js';
import { MISSING, type MappedChunk } from './rows/row-mapper.js';
import { csvField } from './rejects/rejects-file.js';
import type { LoadInput } from './sources/from-input.js';

/**
 * One load: prepare (source, sample, table, plan), then run the planned method inside the planned
 * transaction. Resolves only after the final COMMIT is acknowledged.
 */
export async function load(
  session: Session,
  table: string | TableRef,
  input: LoadInput,
  options: LoadOptions = {},
): Promise<LoadReport> {
  const started = performance.now();
  const prepared = await prepareLoad(session, table, input, options);
  const { plan, source, mapper, ref, ddl } = prepared;
  const state = { rowsRead: 0, rowsSent: 0, committed: 0, rawBytes: 0 };
  const progress = (): void =>
    options.onProgress?.({
      rows: state.rowsSent,
      bytes: plan.rawCopy ? state.rawBytes : source.bytesRead(),
      totalBytes: source.totalBytes,
    });

  async function* chunks(): AsyncGenerator<MappedChunk> {
    for await (const batch of prepared.sample.batches()) {
      state.rowsRead += batch.records.length;
      yield mapper.map(batch);
    }
  }

  const context: MethodContext = {
    session,
    ref,
    columns: mapper.columns,
    plan,
    source: {
      name: source.name,
      unit: source.unit,
      path: source.kind === 'text' ? source.path : undefined,
      delimiter: source.kind === 'text' ? source.delimiter : undefined,
    },
    onBatch: (rows) => {
      state.rowsSent += rows;
      progress();
    },
    onBytes: (bytes) => {
      state.rawBytes += bytes;
    },
    onCommit: (rows) => {
      state.committed += rows;
    },
    onError: options.onError ?? 'abort',
    reject: (run, index, error) => {
      const { message, code } = session.describeError(error);
      prepared.rejects!.add({
        line: run.lines[index]!,
        code: code ?? 'LOAD_FAILED',
        reason: message,
        record: recordText(
          run.columns,
          run.rows[index]!,
          source.kind === 'text' ? source.delimiter : undefined,
        ),
      });
    },
  };

  const transactional = plan.transaction !== 'autocommit';
  const ddlInTransaction = transactional && session.capabilities.transactionalDdl;
  let created = false;
  try {
    if (ddl !== undefined && !ddlInTransaction) {
      await session.execute(ddl);
      created = true;
    }
    if (transactional) await session.begin();
    if (ddl !== undefined && ddlInTransaction) await session.execute(ddl);
    if (plan.rawCopy) source.close();
    const result = await METHODS[plan.method](context, plan.rawCopy ? emptyChunks() : chunks());
    // The rejects file is complete on disk before COMMIT: rows cannot be committed while the
    // record of the rows rejected beside them is lost.
    await prepared.rejects?.close();
    if (transactional) {
      await session.commit();
      state.committed = result.rowsLoaded;
    }
    const seconds = (performance.now() - started) / 1000;
    const rejected = prepared.rejects?.count ?? 0;
    // Records the parser refused never became rows: they count as read and as rejected.
    const rowsRead = plan.rawCopy ? result.rowsLoaded : state.rowsRead + prepared.sourceRejects.count;
    return {
      table: displayName(ref),
      dialect: session.dialect,
      method: plan.method,
      rowsRead,
      rowsLoaded: result.rowsLoaded,
      rowsRejected: rejected,
      seconds,
      rowsPerSecond: seconds > 0 ? Math.round(result.rowsLoaded / seconds) : result.rowsLoaded,
      batchSize: plan.batchSize,
      rowsPerStatement: plan.rowsPerStatement,
      rawCopy: result.rawCopy ?? plan.rawCopy,
      ddl,
    };
  } catch (error) {
    if (transactional) await rollbackQuietly(session);
    // A table created outside the transaction (MySQL DDL commits at once) goes when nothing of
    // the load stayed, so a failed load leaves the database as it found it.
    if (created && state.committed === 0)
      await session.execute(`DROP TABLE ${session.sql.table(ref)}`).catch(() => undefined);
    source.close();
    await prepared.rejects?.close().catch(() => undefined);
    const sluice =
      error instanceof SluiceError
        ? error
        : new SluiceError('LOAD_FAILED', session.describeError(error).message, { cause: error });
    throw sluice.with({ rowsCommitted: state.committed, writeStarted: state.rowsRead > 0 });
  }
}

/** The plan and the SQL a load would use; reads the input's first rows and writes nothing. */
export async function explain(
  session: Session,
  table: string | TableRef,
  input: LoadInput,
  options: LoadOptions = {},
): Promise<ExplainReport> {
  // explain writes nothing: bad records in the sample are counted (--max-errors still applies) but
  // go to no rejects file and no callback. The options are checked as given first.
  validateOptions(options);
  const prepared: PreparedLoad = await prepareLoad(session, table, input, { ...options, rejects: undefined });
  prepared.source.close();
  await prepared.rejects?.close();
  const { plan, mapper, ref } = prepared;
  const statement =
    plan.method === 'copy' && session.bulk
      ? session.bulk.statement(
          ref,
          mapper.columns,
          plan.rawCopy,
          prepared.source.kind === 'text' ? prepared.source.delimiter : undefined,
        )
      : session.sql.insert(ref, mapper.columns, 1) +
        (plan.rowsPerStatement > 1 ? ` -- x ${plan.rowsPerStatement} rows per statement` : '');
  return {
    table: displayName(ref),
    dialect: session.dialect,
    plan,
    columns: mapper.columns,
    ddl: prepared.ddl,
    statement,
  };
}

async function rollbackQuietly(session: Session): Promise<void> {
  try {
    await session.rollback();
  } catch {
    // The connection may be gone; the server rolls back an open transaction on disconnect.
  }
}

/** A rejected row as text for the rejects file: a CSV line for CSV/TSV input, JSON otherwise. */
function recordText(
  columns: readonly string[],
  row: readonly unknown[],
  delimiter: string | undefined,
): string {
  if (delimiter !== undefined) {
    return row.map((v) => (v === null ? '' : csvField(String(v)))).join(delimiter);
  }
  const object: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    if (row[i] !== MISSING) object[column] = row[i];
  });
  return JSON.stringify(object, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

function displayName(ref: TableRef): string {
  return ref.schema === undefined ? ref.name : `${ref.schema}.${ref.name}`;
}

// eslint-disable-next-line require-yield
async function* emptyChunks(): AsyncGenerator<MappedChunk> {
  return;
}
