import type { TableRef } from './dialects/dialect.js';
import { SluiceError } from './errors.js';
import type { MethodChoice } from './plan/plan.js';
import { METHOD_CHOICES } from './plan/plan.js';
import type { Defaults } from './rows/defaults.js';
import type { Format } from './sources/source.js';
import { FORMATS } from './sources/source.js';
import { checkEncodingName } from './sources/text-encoding.js';
import type { Readable } from 'node:stream';
import type { RejectHandler } from './rejects/reject.js';
import { checkRejectsPath } from './rejects/rejects-file.js';
import { validateCsvOptions, type CsvOptions } from './csv-options.js';
import type { LogicalType } from './dialects/dialect.js';
import type { ReturnedBatch } from './methods/returning.js';

export interface Progress {
  /** Rows handed to the database so far (committed or not). */
  readonly rows: number;
  /** Input bytes consumed so far, for file and stream inputs. */
  readonly bytes: number;
  /** The input's size when known (files). */
  readonly totalBytes: number | undefined;
}

/**
 * Upsert: what to do with a row whose key is already in the table. `key` (default: the primary
 * key) must be a unique index or constraint's columns; `update` (default: every loaded column but
 * the key) the columns an existing row takes from the input.
 */
export interface OnConflict {
  readonly key?: readonly string[];
  readonly action: 'update' | 'ignore';
  readonly update?: readonly string[];
}

/** Load options; the CSV/TSV dialect ones (delimiter, quote, ...) are CsvOptions (csv-options.ts). */
export interface LoadOptions extends CsvOptions {
  /** Upsert instead of failing on a duplicate key (the default, like --on-conflict error). */
  readonly onConflict?: OnConflict;
  /** csv, tsv, ndjson or json; defaults to the file's extension (after .gz, .zst). */
  readonly format?: Format;
  /**
   * The text's encoding, a WHATWG name or label (windows-1252, iso-8859-15, utf-16le, shift_jis,
   * gbk …). Default: strict UTF-8, or UTF-16 when the input starts with a UTF-16 byte-order mark.
   */
  readonly encoding?: string;
  /**
   * CSV: guess the delimiter and quote from the first lines. Default: on for a file named .csv
   * whose header line has no comma, off otherwise; false turns the automatic guess off.
   */
  readonly sniff?: boolean;
  /** auto (default), copy, values, pipeline or row. */
  readonly method?: MethodChoice;
  /** Rows per statement (values) or per batch (pipeline, copy). */
  readonly batchSize?: number;
  /**
   * Renames source columns: `"src=dst,..."` or `{ src: 'dst' }`. With `header: false`, an array
   * names the fields in file order (default then: the table's columns, in its order).
   */
  readonly columns?: string | readonly string[] | Readonly<Record<string, string>>;
  /** Column types for a table sluice creates, instead of the inferred ones: `{ zip: 'text' }`. */
  readonly types?: Readonly<Record<string, LogicalType>>;
  /** Load only the first N records of the input. */
  readonly limit?: number;
  /** Create a missing table from types inferred from the data. Default: true on SQLite, false elsewhere. */
  readonly create?: boolean;
  /** Client-side defaults for fields a row lacks: values or functions called per row. */
  readonly defaults?: Defaults;
  /**
   * Commit every N rows instead of once at the end. 0: one transaction, as without it (on a Galera
   * cluster, where files are committed in chunks by default, one transaction replicated in fragments).
   */
  readonly commitEvery?: number;
  /**
   * Go on from the checkpoint an earlier, interrupted load of this file into this table left
   * (files only; with nothing to resume the load starts from the beginning and says so).
   */
  readonly resume?: boolean;
  /**
   * With commitEvery on a file: reconnections after a transient failure (connection lost, server
   * restart, deadlock), each going on from the last checkpoint. Default 3; 0 turns them off.
   */
  readonly retries?: number;
  /** What sluice tells the user as it goes (resuming, reconnecting): the CLI prints it on stderr. */
  readonly onNotice?: (message: string) => void;
  /** abort (default): the first bad row fails the load. skip: bad rows are rejected, the rest loads. */
  readonly onError?: 'abort' | 'skip';
  /** Skip mode: a path for the rejects CSV (line, code, reason, record), or a callback per rejected row. */
  readonly rejects?: string | RejectHandler;
  /** Skip mode: stop the load once this many rows have been rejected. */
  readonly maxErrors?: number;
  /**
   * Foreign keys by natural key: `{ role: 'roles.name' }` fills the column of the table's foreign
   * key to `roles` with the id of the `roles` row whose `name` is the field's value (looked up in
   * bulk and cached). `'roles.name:role_id'` names the column; `{ 'region,code':
   * 'areas.region,code' }` is a composite key. An unknown key fails the load (skip mode: rejects
   * the row); NULL stays NULL.
   */
  readonly refs?: Readonly<Record<string, string>>;
  /** With refs: insert the parents whose key is unknown (in bulk, insert-if-absent), then use their ids. */
  readonly createMissingRefs?: boolean;
  /**
   * Generated columns to hand back, one entry per input record in input order (null for a
   * rejected record): in `report.returning`, or batch by batch to `onReturning`.
   */
  readonly returning?: readonly string[];
  /**
   * Receives the returned values batch by batch, in input order, as rows are written (in the
   * load's transaction: they are durable once load() resolves, or up to rowsCommitted on failure
   * with commitEvery); report.returning then stays undefined, so memory does not grow.
   */
  readonly onReturning?: (batch: ReturnedBatch) => void;
  /**
   * Drop the table's keys, indexes and foreign keys after BEGIN and rebuild them before COMMIT, in
   * the load's one transaction (PostgreSQL, SQLite: indexes): faster into an empty or small table.
   */
  readonly deferConstraints?: boolean;
  /**
   * Load a file over N connections at once, each copying its own part of the file (cut at record
   * ends), each part committed in chunks with its own checkpoint (commitEvery, default
   * PARALLEL_COMMIT_EVERY rows): not one transaction. Needs a URL or a pool to open N connections.
   * 1: the ordinary load.
   */
  readonly parallel?: number;
  /** Rows sampled for type inference and column discovery (default 1000). */
  readonly sampleSize?: number;
  readonly onProgress?: (progress: Progress) => void;
  /** Stdin for the `-` input (defaults to process.stdin). */
  readonly stdin?: Readable;
}

/** Table names: 'name', 'schema.name', or a { schema, name } object for names that contain dots. */
export function tableRef(table: string | TableRef): TableRef {
  if (typeof table !== 'string') return table;
  if (table === '') throw new SluiceError('BAD_USAGE', 'the table name is empty');
  const dot = table.indexOf('.');
  if (dot > 0 && dot < table.length - 1 && table.indexOf('.', dot + 1) === -1) {
    return { schema: table.slice(0, dot), name: table.slice(dot + 1) };
  }
  return { name: table };
}

export function validateOptions(options: LoadOptions): void {
  if (options.method !== undefined && !METHOD_CHOICES.includes(options.method)) {
    throw new SluiceError('BAD_USAGE', `unknown method ${JSON.stringify(options.method)}`, {
      hint: `use one of ${METHOD_CHOICES.join(', ')}`,
    });
  }
  if (options.format !== undefined && !FORMATS.includes(options.format)) {
    throw new SluiceError('BAD_USAGE', `unknown format ${JSON.stringify(options.format)}`, {
      hint: `use one of ${FORMATS.join(', ')}`,
    });
  }
  if (options.encoding !== undefined) checkEncodingName(options.encoding);
  if (options.onError !== undefined && options.onError !== 'abort' && options.onError !== 'skip') {
    throw new SluiceError('BAD_USAGE', `unknown on-error mode ${JSON.stringify(options.onError)}`, {
      hint: 'use abort or skip',
    });
  }
  if (options.onError !== 'skip' && (options.rejects !== undefined || options.maxErrors !== undefined)) {
    throw new SluiceError('BAD_USAGE', 'rejects and max-errors only apply when bad rows are skipped', {
      hint: 'add --on-error skip (onError: "skip")',
    });
  }
  // An unwritable rejects file is found now, before anything is read or written, not at the first
  // rejected row (where it would fail a load half done).
  if (options.onError === 'skip' && typeof options.rejects === 'string') checkRejectsPath(options.rejects);
  const conflict = options.onConflict;
  if (conflict !== undefined) {
    if (conflict.action !== 'update' && conflict.action !== 'ignore') {
      throw new SluiceError('BAD_USAGE', `unknown on-conflict action ${JSON.stringify(conflict.action)}`, {
        hint: 'use update or ignore (or leave onConflict out to fail on a duplicate key)',
      });
    }
    if (conflict.key !== undefined && conflict.key.length === 0)
      throw new SluiceError('BAD_USAGE', 'the conflict key names no column', { hint: 'give --key col,...' });
    if (conflict.update !== undefined && conflict.action === 'ignore')
      throw new SluiceError('BAD_USAGE', '--update only applies to --on-conflict update');
  }
  if (
    options.onReturning !== undefined &&
    (options.returning === undefined || options.returning.length === 0)
  )
    throw new SluiceError('BAD_USAGE', 'onReturning needs returning: the columns to hand back');
  if (options.returning !== undefined && options.returning.length === 0)
    throw new SluiceError('BAD_USAGE', 'returning names no column', { hint: "e.g. returning: ['id']" });
  if (options.returning !== undefined && options.method === 'row')
    throw new SluiceError('BAD_USAGE', 'returning is not offered with --method row', {
      hint: 'use another method: returned ids come back at bulk speed on every other one',
    });
  if (options.createMissingRefs === true && options.refs === undefined)
    throw new SluiceError('BAD_USAGE', '--create-missing-refs needs --ref');
  if (options.deferConstraints !== undefined && typeof options.deferConstraints !== 'boolean')
    throw new SluiceError('BAD_USAGE', 'deferConstraints must be true or false');
  if (options.deferConstraints === true && options.resume === true)
    throw new SluiceError(
      'BAD_USAGE',
      '--defer-constraints cannot be used with --resume: a deferred load is one transaction, with nothing to resume',
    );
  positive('parallel', options.parallel);
  if ((options.parallel ?? 1) > 1) refuseWithParallel(options);
  positive('maxErrors', options.maxErrors);
  positive('batchSize', options.batchSize);
  if (options.commitEvery !== 0) positive('commitEvery', options.commitEvery);
  positive('sampleSize', options.sampleSize);
  positive('limit', options.limit);
  validateCsvOptions(options);
  if (options.retries !== undefined && (!Number.isSafeInteger(options.retries) || options.retries < 0))
    throw new SluiceError(
      'BAD_USAGE',
      `retries must be a whole number of at least 0, got ${String(options.retries)}`,
    );
}

/**
 * The options a parallel load cannot honour: they need the load's one transaction, one count or
 * one sequence of rows, which N connections loading parts of the file at once do not have.
 */
function refuseWithParallel(options: LoadOptions): void {
  const refused = (what: string, why: string, hint?: string) => {
    throw new SluiceError('BAD_USAGE', `${what} cannot be used with --parallel: ${why}`, {
      hint: hint ?? 'drop one of them',
    });
  };
  if (options.deferConstraints === true)
    refused(
      '--defer-constraints',
      "it drops and rebuilds the keys inside the load's one transaction, and a parallel load is N connections committing chunks of their own",
      'load without --parallel to defer the constraints, or without --defer-constraints to load in parallel',
    );
  if (options.commitEvery === 0)
    refused('--commit-every 0', 'a parallel load commits each part in chunks, never as one transaction');
  if (options.returning !== undefined)
    refused('returning', 'generated values come back in input order, and the parts are written at once');
  if (options.maxErrors !== undefined)
    refused('--max-errors', "it counts the rejects of the whole load, and each part's are counted apart");
  if (options.limit !== undefined)
    refused('--limit', 'it reads only the first records, which the first part holds');
}

function positive(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SluiceError('BAD_USAGE', `${name} must be a whole number of at least 1, got ${String(value)}`);
  }
}
