import type { Conflict } from '../dialects/dialect.js';

export type MethodName = 'row' | 'values' | 'pipeline' | 'copy';
export type MethodChoice = MethodName | 'auto';
export const METHOD_CHOICES: readonly MethodChoice[] = ['auto', 'copy', 'values', 'pipeline', 'row'];

/** How a load will run, and why: `explain` prints this, `load` follows it. */
export interface Plan {
  readonly method: MethodName;
  readonly requested: MethodChoice;
  /** Rows pulled from the source per batch (the unit of savepoints and progress). */
  readonly batchSize: number;
  /** Rows in one multi-row INSERT (values); 1 for row and pipeline. */
  readonly rowsPerStatement: number;
  /** The CSV file's bytes go to the bulk path untouched: no parsing in this process. */
  readonly rawCopy: boolean;
  /** copy: each batch is its own bulk statement in a savepoint (else one streams everything). */
  readonly copyPerBatch: boolean;
  /** 'autocommit': each statement commits (row); 'single': one transaction; or every N rows. */
  readonly transaction: 'autocommit' | 'single' | { readonly commitEvery: number };
  /** Upsert: how rows whose key exists are resolved; undefined: a duplicate key fails. */
  readonly conflict?: Conflict;
  readonly reasons: readonly string[];
}
