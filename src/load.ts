import type { Session, TableRef } from './dialects/dialect.js';
import { UnstorableValue } from './dialects/unstorable.js';
import { SluiceError } from './errors.js';
import { METHODS } from './methods/index.js';
import { countRows, type MethodContext } from './methods/method.js';
import { LoadTransaction, type CommitHooks } from './methods/transaction.js';
import { validateOptions, type LoadOptions } from './options.js';
import { prepareLoad, type PreparedLoad } from './prepare.js';
import type { ExplainReport, LoadReport } from './report.js';
import { BARRIER, MISSING, type MappedChunk } from './rows/row-mapper.js';
import { csvField } from './rejects/rejects-file.js';
import type { LoadInput } from './sources/from-input.js';
import { rawCsvInput } from './raw-csv-input.js';
import { byteExact } from './sources/text-encoding.js';
import { jsonText } from './util/json-text.js';
import type { CheckpointRun } from './resume/checkpoint-run.js';
import { upsertStatements } from './plan/upsert-statements.js';
import { ReturnedRows } from './methods/returning.js';
import { resolveRefBatch } from './rows/ref-stage.js';
import { ConstraintRebuild } from './methods/deferred-constraints.js';

/**
 * One load: prepare (source, sample, table, plan), then run the planned method inside the
 * transaction its owner (methods/transaction.ts) keeps. Resolves only after the final COMMIT is
 * acknowledged.
 */
export async function load(
  session: Session,
  table: string | TableRef,
  input: LoadInput,
  options: LoadOptions = {},
  /** A checkpointed load (resume/resumable-load.ts): where it starts, and its checkpoint hooks. */
  run?: CheckpointRun,
  /** A batch of a parallel load by batches (src/parallel/parallel-batches.ts): its commit hooks. */
  batchHooks?: CommitHooks,
  /**
   * A second connection to the same node, for commits that take turns on a cluster (LoadTransaction's
   * `spare`): used by the raw copy of a file cut at commit points only (`takeTurns`), whose every
   * statement goes through the transaction's connection.
   */
  partner?: Session,
): Promise<LoadReport> {
  const started = performance.now();
  const start = run?.start;
  // A share of a parallel load reads its file only up to its end (src/parallel/).
  const end = run?.end;
  const prepared = await prepareLoad(session, table, input, options, start && { start }, end);
  const { plan, source, mapper, ref, ddl } = prepared;
  const state = { rowsRead: 0, rowsSent: 0, bytesSent: 0, dbRejected: 0 };
  const raw =
    plan.rawCopy && source.kind === 'text' && source.path !== undefined
      ? rawCsvInput(source.path, source, mapper.columns, () => progress(), start, end, prepared.rawChecks)
      : undefined;
  // Compressed input and encodings whose record ends are not file offsets: the bar counts the bytes
  // read from the file (a read chunk ahead of the rows handed on), against the file's size.
  const layer = source.byteLayer;
  const positionsAreFileBytes =
    layer === undefined || (layer.compression === undefined && byteExact(layer.decoding.encoding));
  const progress = (): void =>
    options.onProgress?.({
      rows: state.rowsSent,
      bytes:
        raw !== undefined ? raw.bytesRead() : positionsAreFileBytes ? state.bytesSent : source.bytesRead(),
      totalBytes: source.totalBytes,
    });

  const returned =
    prepared.returning &&
    new ReturnedRows(session, ref, prepared.returning.setup, options.onReturning, (start?.ordinal ?? 0) + 1);

  async function* chunks(): AsyncGenerator<MappedChunk> {
    for await (const read of prepared.sample.batches()) {
      state.rowsRead += read.records.length;
      let batch = read;
      let refused: SluiceError | undefined;
      const pool = prepared.returning?.pool;
      // A bulk stream holds the connection: it ends before a lookup or a reservation, and only then.
      if (
        (prepared.refs !== undefined && prepared.refs.resolver.needsLookup(read, prepared.refs.header)) ||
        pool?.lacks(read.records.length) === true
      )
        yield BARRIER;
      if (prepared.refs !== undefined) {
        const writes = prepared.refs.resolver.parentWrites;
        ({ batch, failure: refused } = await resolveRefBatch(prepared, read, options.onError ?? 'abort'));
        if (prepared.refs.resolver.parentWrites !== writes) tx.wroteBesideRows();
      }
      await pool?.ensure(batch.records.length, plan.batchSize);
      const { chunk, failure } = mapper.map(batch);
      returned?.mapped(chunk, mapper.columns);
      if (chunk.rows.length > 0) yield chunk;
      if (failure !== undefined) throw failure;
      if (refused !== undefined) throw refused;
    }
  }

  const hooks =
    run?.hooks(
      () => prepared.rejects?.flush() ?? Promise.resolve(),
      () => state.dbRejected,
    ) ?? batchHooks;
  // --defer-constraints: the drop after BEGIN and the rebuild before COMMIT are the transaction's hooks.
  const rebuild = prepared.deferral && new ConstraintRebuild(session, ref, prepared.deferral);
  // The rebuild of --defer-constraints runs on the load's session, inside its one transaction.
  const spare = rebuild === undefined ? partner : undefined;
  const tx = new LoadTransaction(session, plan.transaction, rebuild ? rebuild.around(hooks) : hooks, spare);
  const context: MethodContext = {
    session,
    ref,
    columns: mapper.columns,
    plan,
    tx,
    source: {
      name: source.name,
      unit: source.unit,
      delimiter: source.kind === 'text' ? source.delimiter : undefined,
    },
    raw,
    afterWrite: returned?.readsBack === true ? (run) => returned.afterWrite(run) : undefined,
    onRows: (rows, last) => {
      state.rowsSent += rows;
      if (last !== undefined) returned?.written(last.ordinal);
      // JS collections count items, not bytes: their bar counts rows.
      if (last !== undefined && source.unit === 'line') state.bytesSent = last.end;
      progress();
    },
    onError: options.onError ?? 'abort',
    reject: (run, index, error) => {
      const { message, code } = session.describeError(error);
      state.dbRejected++;
      returned?.rejected(run.ordinals[index]!);
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

  const ddlInTransaction = tx.transactional && session.capabilities.transactionalDdl;
  let created = false;
  try {
    if (ddl !== undefined && !ddlInTransaction) {
      await session.execute(ddl);
      created = true;
    }
    await run?.begin();
    await tx.begin();
    if (ddl !== undefined && ddlInTransaction) await session.execute(ddl);
    if (raw !== undefined) source.close();
    const result = await METHODS[plan.method](context, raw !== undefined ? emptyChunks() : chunks());
    // The rejects file is complete on disk before COMMIT: rows cannot be committed while the
    // record of the rows rejected beside them is lost.
    await prepared.rejects?.close();
    await tx.finish();
    await run?.finish();
    const seconds = (performance.now() - started) / 1000;
    // A resumed load counts its earlier runs too, through the checkpoint it started from.
    const none = { inserted: 0, updated: 0, unchanged: 0 };
    const base = run?.base ?? { rowsLoaded: 0, rowsRejected: 0, counts: none, checkpoints: 0 };
    const rejected = (prepared.rejects?.count ?? 0) + base.rowsRejected;
    const loaded = countRows(result.counts) + base.rowsLoaded;
    // Records the parser refused never became rows: they count as read and as rejected.
    const rowsRead =
      (raw !== undefined ? loaded : state.rowsRead + prepared.sourceRejects.count) +
      (raw !== undefined ? 0 : base.rowsLoaded + base.rowsRejected);
    // Records past the last row written (refused by the parser) still have their null slot.
    returned?.written((start?.ordinal ?? 0) + state.rowsRead + prepared.sourceRejects.count);
    return {
      table: displayName(ref),
      dialect: session.dialect,
      method: plan.method,
      rowsRead,
      rowsLoaded: loaded,
      rowsInserted: result.counts.inserted + base.counts.inserted,
      rowsUpdated: result.counts.updated + base.counts.updated,
      rowsUnchanged: result.counts.unchanged + base.counts.unchanged,
      rowsRejected: rejected,
      seconds,
      rowsPerSecond: seconds > 0 ? Math.round(loaded / seconds) : loaded,
      batchSize: plan.batchSize,
      rowsPerStatement: plan.rowsPerStatement,
      rawCopy: result.rawCopy ?? plan.rawCopy,
      ddl,
      notes: prepared.notes,
      checkpoints: run?.checkpoints ?? 0,
      resumedFrom: start,
      ...(returned?.collected !== undefined ? { returning: returned.collected } : {}),
      ...(prepared.refs !== undefined ? { refsCreated: prepared.refs.resolver.created } : {}),
      deferredConstraints: rebuild?.report(),
    };
  } catch (error) {
    await tx.rollback();
    // A table created outside the transaction (MySQL DDL commits at once) goes when nothing of
    // the load stayed, so a failed load leaves the database as it found it.
    if (created && tx.committed === 0)
      await session.execute(`DROP TABLE ${session.sql.table(ref)}`).catch(() => undefined);
    source.close();
    await prepared.rejects?.close().catch(() => undefined);
    const sluice =
      error instanceof SluiceError
        ? error
        : new SluiceError('LOAD_FAILED', session.describeError(error).message, { cause: error });
    // Bad input found with nothing of the load kept (all rolled back) is still exit 2: the database
    // is as it was. The rows before a bad record are written first so that a database error on one
    // of them, the first bad row in file order, is the one reported.
    const writeStarted = sluice.code === 'BAD_INPUT' ? tx.committed > 0 : state.rowsRead > 0;
    throw sluice.with({
      rowsCommitted: run?.committed?.rowsLoaded ?? tx.committed,
      writeStarted: writeStarted || (run?.committed?.rowsLoaded ?? 0) > 0,
    });
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
    plan.conflict !== undefined
      ? upsertStatements(session, ref, mapper.columns, plan)
      : plan.method === 'copy' && session.bulk
        ? session.bulk.statement(
            ref,
            mapper.columns,
            plan.rawCopy,
            prepared.source.kind === 'text' ? prepared.source.dialect : undefined,
          )
        : session.sql.insert(ref, mapper.columns, 1) +
          (plan.rowsPerStatement > 1 ? ` -- x ${plan.rowsPerStatement} rows per statement` : '');
  return {
    table: displayName(ref),
    dialect: session.dialect,
    plan,
    columns: mapper.columns,
    ddl: prepared.ddl,
    notes: prepared.notes,
    statement,
    deferredConstraints: prepared.deferral && {
      rebuilt: prepared.deferral.plan.deferred,
      kept: prepared.deferral.plan.kept,
    },
  };
}

/** A rejected row as text for the rejects file: a CSV line for CSV/TSV input, JSON otherwise. */
function recordText(
  columns: readonly string[],
  row: readonly unknown[],
  delimiter: string | undefined,
): string {
  // A value a check refused is written as the source gave it.
  const own = (v: unknown): unknown =>
    v instanceof UnstorableValue && v.original !== undefined ? v.original : v;
  if (delimiter !== undefined) {
    return row.map((v) => (v === null ? '' : csvField(String(own(v))))).join(delimiter);
  }
  const object: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    if (row[i] !== MISSING) object[column] = own(row[i]);
  });
  // Numbers exact: a bigint or a JSON number no double holds is written as its digits.
  return jsonText(object)!;
}

function displayName(ref: TableRef): string {
  return ref.schema === undefined ? ref.name : `${ref.schema}.${ref.name}`;
}

// eslint-disable-next-line require-yield
async function* emptyChunks(): AsyncGenerator<MappedChunk> {
  return;
}
