import type { Session, TableRef } from '../dialects/dialect.js';
import { SluiceError, type SourceLocation } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import type { MappedChunk } from '../rows/row-mapper.js';
import type { Run } from './runs.js';

/** Everything a method needs; the same for every database. */
export interface MethodContext {
  readonly session: Session;
  readonly ref: TableRef;
  readonly columns: readonly string[];
  readonly plan: Plan;
  readonly source: {
    readonly name: string;
    readonly unit: 'line' | 'row';
    readonly path: string | undefined;
    readonly delimiter: string | undefined;
  };
  /** Called after each batch is written (not yet committed), for progress. */
  readonly onBatch: (rows: number) => void;
  /** Called as raw bytes go to the database (raw CSV copy), for progress. */
  readonly onBytes: (bytes: number) => void;
  /** abort: the first bad row fails the load; skip: bad rows go to `reject` and the rest loads. */
  readonly onError: 'abort' | 'skip';
  /** Records row `index` of `run` as rejected (skip mode); throws when --max-errors is reached. */
  readonly reject: (run: Run, index: number, error: unknown) => void;
  /** Called after each COMMIT with the number of rows it made durable. */
  readonly onCommit: (rows: number) => void;
}

export interface MethodResult {
  readonly rowsLoaded: number;
  /** False when a planned raw copy was loaded parsed instead (the bulk path would misread it). */
  readonly rawCopy?: boolean;
}

export type LoadMethod = (
  context: MethodContext,
  chunks: AsyncIterable<MappedChunk>,
) => Promise<MethodResult>;

/** A database error on a row, as a LOAD_FAILED error at that row's location. */
export function rowError(
  context: MethodContext,
  error: unknown,
  line: number | undefined,
  extra?: Partial<SourceLocation>,
): SluiceError {
  if (error instanceof SluiceError) return error;
  const { message, code } = context.session.describeError(error);
  return new SluiceError('LOAD_FAILED', code === undefined ? message : `${message} (${code})`, {
    location: { source: context.source.name, line, unit: context.source.unit, ...extra },
    cause: error,
  });
}
