import type { CsvDialect } from '../util/csv-dialect.js';
import type { Readable } from 'node:stream';
import type { RecordPositions } from '../util/record-positions.js';

/**
 * What a database offers sluice. A dialect supplies primitives (quoting, SQL text, a session with
 * transactions and bulk paths); `src/methods/` owns strategy and is the same for every database.
 * Callers ask for a capability, never for a dialect name.
 */

export type DialectName = 'postgres' | 'mysql' | 'sqlite';

/** Column types sluice infers from data; each dialect maps them to its own SQL types. */
export type LogicalType =
  | 'integer' // 64-bit
  | 'real'
  | 'decimal' // exact: numbers a double cannot hold (infer-types.ts says how big)
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'json'
  | 'text'
  | 'bytes';

export interface TableRef {
  readonly schema?: string;
  readonly name: string;
}

export interface ColumnInfo {
  readonly name: string;
  /** The database's own type name, lower case. */
  readonly type: string;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  /** An identity column GENERATED ALWAYS (PostgreSQL): an INSERT giving it a value says so. */
  readonly generatedAlways?: boolean;
}

/** Session.textFieldCheck's answer: the check, and why the raw CSV path is given up for it. */
export interface FieldCheck {
  readonly check: (field: string) => unknown;
  readonly why: string;
  /**
   * A pattern that the text of every field the check refuses matches. With one, a CSV can still
   * go to the database as its own bytes: a file whose text matches it anywhere is parsed from the
   * statement holding the match on, and checked field by field (rare, so fast). Undefined: the
   * file is parsed from the start.
   */
  readonly screen?: RegExp;
}

export interface TableInfo {
  readonly ref: TableRef;
  readonly columns: readonly ColumnInfo[];
  /** Column sets with a unique index or constraint, the primary key first (upsert keys). */
  readonly uniqueKeys?: readonly (readonly string[])[];
}

/**
 * What an upsert does with a row whose key exists: `update` sets `update` (the columns to
 * rewrite; empty: keep the row), `ignore` keeps the row. Rows that would not change are not
 * rewritten. `types` gives the table's column types, for comparisons a type needs spelled out.
 */
export interface Conflict {
  readonly key: readonly string[];
  readonly action: 'update' | 'ignore';
  readonly update: readonly string[];
  readonly types: ReadonlyMap<string, string>;
}

export interface ColumnDefinition {
  readonly name: string;
  readonly type: LogicalType;
}

export interface Capabilities {
  /** The bulk path's name for explain ("COPY FROM STDIN", "LOAD DATA LOCAL INFILE"), or undefined. */
  readonly copy: string | undefined;
  /** How the bulk path takes a CSV file without parsing it into rows (for explain), or undefined. */
  readonly rawCsvCopy: string | undefined;
  /**
   * The encodings (WHATWG names) whose bytes the raw CSV path takes as they are, the server
   * converting them exactly as the Encoding Standard decodes them; default UTF-8 only. A file in
   * another encoding is decoded in-process and its rows encoded.
   */
  readonly rawCsvEncodings?: readonly string[];
  /** How `pipeline` runs here, for explain. */
  readonly pipeline: string;
  /** Bind parameters one statement may carry, as the server or library build reports it. */
  readonly maxBindParams: number;
  /** Largest statement the server accepts, in bytes (MySQL's max_allowed_packet), if limited. */
  readonly maxStatementBytes: number | undefined;
  /** The database runs in this process: one thread does the parsing and the inserts. */
  readonly inProcess: boolean;
  /**
   * One writer at a time (SQLite): a parallel load's connections would only wait for each other,
   * so --parallel is refused.
   */
  readonly singleWriter?: boolean;
  /** A load creates a missing table unless told not to (the embedded default; servers need --create). */
  readonly createsMissingTables: boolean;
  /** DDL takes part in transactions (a failed load also undoes the CREATE TABLE). */
  readonly transactionalDdl: boolean;
  /**
   * A statement refused for its rows (a constraint, a type) is undone on its own and the
   * transaction stays usable (SQLite; not PostgreSQL, where any error aborts the transaction).
   * Multi-row INSERTs then need no savepoint per batch. A session that says so must refuse
   * savepoint() once the database has rolled the whole transaction back by itself (disk full, I/O
   * error), so that probing for the bad row cannot open a new transaction and commit it.
   */
  readonly survivesStatementError?: boolean;
  /**
   * The database says what a statement changed only after it ran (MySQL's warnings), so a
   * statement that commits on its own (the row method) runs in a transaction of its own, committed
   * only once the statement was found clean.
   */
  readonly vetsBeforeCommit?: boolean;
  /**
   * The bulk path reports refused or changed rows only when its statement ends, and without the
   * row for some (LOAD DATA's counts and warnings): copy then sends one bulk statement per batch,
   * each in a savepoint, so a failure can be traced to its row by bisection.
   */
  readonly bulkVerdictAtEnd?: boolean;
  /**
   * SAVEPOINT with the name of an existing savepoint replaces it (MySQL, MariaDB: the standard's
   * rule; PostgreSQL and SQLite keep both). The transaction owner then leaves a savepoint that
   * served for the next one of its name to replace, one round trip less per batch.
   */
  readonly savepointReplacesSameName?: boolean;
}

/**
 * A node of a multi-primary cluster (MariaDB Galera): what a load must respect there (write-set
 * limits, read on the node) and where it can go when this node is lost.
 */
export interface ClusterInfo {
  readonly kind: 'galera';
  readonly size: number;
  /** wsrep_local_state_comment: Synced, Donor/Desynced, Joining, ... */
  readonly state: string;
  /** Part of the Primary component (a node cut off from the majority is not). */
  readonly primary: boolean;
  /** wsrep_ready: the node takes queries. */
  readonly ready: boolean;
  /** wsrep_reject_queries is set: the node answers 1047 to every query on a table. */
  readonly rejectsQueries: boolean;
  /** Every node's client address (host:port), from wsrep_incoming_addresses. */
  readonly nodes: readonly string[];
  /** wsrep_max_ws_rows (0: no limit) and wsrep_max_ws_size in bytes: global, read only. */
  readonly maxWsRows: number;
  readonly maxWsSize: number;
  /** auto_increment_increment: generated ids step by this (the cluster size by default). */
  readonly autoIncrementStep: number;
}

/** Rows per committed chunk on a cluster, and the arithmetic behind the number (for explain). */
export interface ClusterChunk {
  readonly rows: number;
  readonly reason: string;
}

/** Rows a write stored: new rows, rows it changed, and rows it found already as given (upsert). */
export interface RowCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** A foreign key of a table: its `columns` refer to `parentColumns` of `parent`. */
export interface ForeignKey {
  readonly columns: readonly string[];
  readonly parent: TableRef;
  readonly parentColumns: readonly string[];
}

/** SQL text, pure: no values ever pass through here, only identifiers and placeholders. */
export interface SqlBuilder {
  quoteIdent(name: string): string;
  table(ref: TableRef): string;
  /** The placeholder for the 1-based parameter `index`. */
  placeholder(index: number): string;
  /** INSERT for `rows` rows of `columns`, parameters numbered from 1 row by row. */
  insert(ref: TableRef, columns: readonly string[], rows: number): string;
  createTable(ref: TableRef, columns: readonly ColumnDefinition[]): string;
  typeName(type: LogicalType): string;
  /** INSERT of `rows` rows that resolves rows whose key exists as `conflict` says. */
  upsert(ref: TableRef, columns: readonly string[], rows: number, conflict: Conflict): string;
  /** SELECT count(*) of the table's rows whose key is one of `rows` rows of key parameters. */
  countExisting(ref: TableRef, key: readonly string[], rows: number): string;
  /**
   * A temporary staging table with `columns` of `ref` (their types and collations, so the database
   * compares staged keys as the table does; no rows, no constraints) and an ordinal the database
   * fills in arrival order: the statements, run in order.
   */
  createStaging(staging: string, ref: TableRef, columns: readonly string[]): readonly string[];
  /** Empties the staging table between batches. */
  clearStaging(staging: string): string;
  /**
   * The merge of the staged rows into the table, as `conflict` says. `generations`: only the rows
   * of generation $1 (the k-th occurrence of a key among the staged rows, by the database's own
   * equality, in ordinal order, is generation k), so no statement meets a key twice.
   */
  mergeStaged(
    ref: TableRef,
    staging: string,
    columns: readonly string[],
    conflict: Conflict,
    generations: boolean,
  ): string;
  /**
   * The merge as one statement that selects (rows inserted, rows inserted or updated), where the
   * database can say which (PostgreSQL: RETURNING); absent: the affected count and a probe of the
   * existing keys (`countStagedExisting`) give the counts.
   */
  mergeStagedCounted?(
    ref: TableRef,
    staging: string,
    columns: readonly string[],
    conflict: Conflict,
    generations: boolean,
  ): string;
  /** SELECT count(*) of the staged rows (of generation $1 with `generations`) whose key is in the table. */
  countStagedExisting(ref: TableRef, staging: string, key: readonly string[], generations: boolean): string;
  /** SELECT count(*) of the keys that occur more than once among the staged rows (the database's equality). */
  countStagedDuplicates(staging: string, key: readonly string[]): string;
  /** SELECT generation, count(*) of the staged rows, by generation in ascending order. */
  stagedGenerations(staging: string, key: readonly string[]): string;
  dropStaging(staging: string): string;
  /**
   * Statistics for the staging table before a merge reads it, where the database keeps none by
   * itself (PostgreSQL: autovacuum never analyzes a temporary table).
   */
  analyzeStaging?(staging: string): string;
  /**
   * What ends a SELECT that must read the latest committed rows rather than the transaction's
   * snapshot (MySQL's REPEATABLE READ: a locking read). Absent: a plain SELECT does.
   */
  latestRows?(): string;
}

/** The staging table's ordinal: the database numbers staged rows in the order they arrive. */
export const ORDINAL_COLUMN = 'sluice_ordinal';
/** A staged row's generation, computed by the database: the k-th occurrence of its key is k. */
export const GENERATION_COLUMN = 'sluice_generation';

/**
 * A connection in use by one load. Transactions are explicit so methods can commit every N rows;
 * savepoints let a method retry part of a batch without losing the rest.
 */
export interface Session {
  readonly dialect: DialectName;
  readonly capabilities: Capabilities;
  readonly sql: SqlBuilder;
  /** A JS value as this driver's parameter (Date, boolean, objects, bigint, Buffer). */
  toParam(value: unknown): unknown;
  /**
   * For CSV/TSV fields bound to `column` by a statement: a conversion to the value the database
   * would store from the text anyway, where binding it is cheaper than binding the text (SQLite:
   * integers into INTEGER-affinity columns). Undefined, or absent: the text is bound as it is.
   */
  textFieldConverter?(column: ColumnInfo): ((field: string) => unknown) | undefined;
  /**
   * For CSV/TSV fields going into `column`, on every method: a check that puts an UnstorableValue
   * in place of a field the database would silently change (PostgreSQL: digits past a numeric's
   * scale, which it rounds), and passes every other field as it is, with why, for the plan, and a
   * screen for the raw copy (FieldCheck.screen), which may look for the end of a field in `csv`.
   * Undefined, or absent: none.
   */
  textFieldCheck?(column: ColumnInfo, csv: CsvDialect): FieldCheck | undefined;
  /**
   * For CSV/TSV fields going into a column sluice creates for an inferred type: the form the
   * column must receive to hold what the text means, on every method (MySQL: a zoned timestamp as
   * UTC text, DATETIME having no zone), and why, for the report. Undefined, or absent: the text
   * goes as written. A CSV with such a column is parsed rather than sent to the bulk path raw.
   */
  createdColumnConverter?(type: LogicalType): CreatedColumnConverter | undefined;

  /**
   * For JS values (objects, NDJSON, JSON arrays; never CSV/TSV text) going to `column`: the
   * conversion its type needs before toParam or the bulk encoder sees the value (JSON text for
   * a JSON column, an array literal for a PostgreSQL array, a refusal for a number a float
   * column would round). Undefined for a column that takes values as they are, which is most of
   * them: such columns cost nothing per value.
   */
  valueConverter?(column: ColumnInfo): ((value: unknown) => unknown) | undefined;
  /** Runs one statement; resolves to the rows it affected. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs one query; resolves to its rows as arrays of values (the checkpoint table is read so). */
  select(sql: string, params?: readonly unknown[]): Promise<readonly (readonly unknown[])[]>;
  /**
   * Runs one prepared statement once per parameter row, as fast as the driver can (pipeline).
   * `upsert`: a row may change none, one or two rows (MySQL counts an update twice).
   */
  executeMany(sql: string, rows: readonly (readonly unknown[])[], upsert?: boolean): Promise<number>;
  /** Runs a statement that selects one number (a count). */
  count(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Counts of an upsert statement of `rows` rows with distinct keys, `existing` of which had
   * their key in the table, from the rows it affected. Absent: affected = inserted + updated.
   */
  upsertCounts?(rows: number, existing: number, affected: number): RowCounts;
  /**
   * Runs an INSERT ... SELECT upsert of `rows` staged rows (no parameters) and counts it from the
   * server's own report, where it makes one that counts each row as if written alone (MySQL:
   * "Records: N  Duplicates: D", D the rows whose key existed when the row came, earlier rows of
   * the same statement included, so a key may repeat among the rows). Absent: the merge is counted
   * by `SqlBuilder.mergeStagedCounted` or by a probe, and a key never repeats in one statement.
   */
  upsertSelect?(sql: string, rows: number): Promise<RowCounts>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  savepoint(name: string): Promise<void>;
  releaseSavepoint(name: string): Promise<void>;
  rollbackToSavepoint(name: string): Promise<void>;
  describeTable(ref: TableRef): Promise<TableInfo | undefined>;
  /** The table's foreign keys (for refs by natural key: which column refers to which parent). */
  foreignKeys(ref: TableRef): Promise<readonly ForeignKey[]>;
  /**
   * `count` values of `column`'s generator (PostgreSQL: its sequence, identity or serial; SQLite:
   * past the rowid and AUTOINCREMENT counter, under the write lock the call takes), reserved for
   * this load: no other insert can be given one of them, so a row sent with one is known to have
   * that id before it is written (returning). Called inside the load's transaction. Absent where
   * values cannot be reserved (MySQL's auto-increment): returning then reads ids back by a unique key.
   */
  reserveIds?(ref: TableRef, column: string, count: number): Promise<readonly (number | bigint)[]>;
  /**
   * The storage engine of `ref` when it does not take part in transactions (MySQL's MyISAM, Aria,
   * MEMORY: each statement's rows stay as they are written, whatever the transaction does), so a
   * checkpoint could not commit with them. Undefined when the table is transactional or missing;
   * absent on databases where every table is.
   */
  nonTransactionalEngine?(ref: TableRef): Promise<string | undefined>;
  /**
   * Why the server would commit one bulk statement in several parts of its own (MariaDB Galera's
   * `wsrep_load_data_splitting`: a LOAD DATA committed every 10,000 rows), so a checkpoint could not
   * commit with its rows; undefined when it commits a statement only with its transaction.
   */
  splitsBulkStatements?(): Promise<string | undefined>;
  /**
   * The error is about the connection or a lost race (connection reset or killed, server shutdown,
   * serialization failure, deadlock), not about the data: a checkpointed load reconnects and goes
   * on from its last checkpoint (--retries).
   */
  isTransient(error: unknown): boolean;
  /** The database's own words for a driver error, with its code (SQLSTATE, errno) when it has one. */
  describeError(error: unknown): { message: string; code?: string };
  /** Ends the session; closes the connection only if sluice opened it. */
  close(): Promise<void>;
  /**
   * A second connection to the same database, for the reads and writes a load does before its
   * first statement (a checkpointed load's checkpoint row), so that this session starts its first
   * bulk statement as fresh as an unchecked load's does (postgres-session.ts, describeTable, says
   * why that matters on PostgreSQL). The caller closes it. Absent where it would change nothing or
   * could not be opened (a client passed in, an in-process database, a cluster whose nodes apply
   * another connection's writes later).
   */
  aside?(): Promise<Session>;
  /** The bulk path (COPY, LOAD DATA), when the database has one. */
  readonly bulk?: BulkCopy;
  /** The cluster this session's server belongs to (Galera), when it is a cluster node. */
  readonly cluster?: ClusterInfo;
  /** The node (`host:port`) this session is connected to, when sluice chose it among several. */
  readonly node?: string;
  /**
   * Rows per committed chunk that stay under the cluster's write-set limits, for rows of
   * `encodedRowBytes` (their average bulk-encoded size; undefined when unknown). Cluster only.
   */
  clusterChunkRows?(encodedRowBytes: number | undefined): ClusterChunk;
  /**
   * The error says one transaction's changes were too many for the cluster to replicate as one
   * write set (Galera's wsrep_max_ws_rows / wsrep_max_ws_size): smaller chunks would pass.
   */
  isWriteSetTooBig?(error: unknown): boolean;
  /**
   * Makes the session's transactions replicate in fragments as they go (Galera streaming
   * replication) instead of as one write set at COMMIT (`on`), or back as they were: one atomic
   * load of any size on a cluster.
   */
  replicateInFragments?(on: boolean): Promise<void>;
  /** Dropping and rebuilding keys and indexes around a load (--defer-constraints). */
  readonly constraints?: DeferrableConstraints;
}

/**
 * A key, index or foreign key a load drops before its rows and rebuilds after them, inside its own
 * transaction (--defer-constraints).
 */
export interface DeferredDefinition {
  readonly kind: 'primary key' | 'unique' | 'exclusion' | 'foreign key' | 'inbound foreign key' | 'index';
  readonly name: string;
  /** The table it belongs to (for an inbound foreign key, the other table), quoted. */
  readonly table: string;
  /** Its definition as the database prints it (pg_get_constraintdef, pg_get_indexdef, sqlite_master). */
  readonly definition: string;
}

/** What --defer-constraints does on one table, read from the catalog inside the load's transaction. */
export interface ConstraintDeferral {
  readonly deferred: readonly DeferredDefinition[];
  /** What stays in place, and why (a NOT VALID foreign key, an index a view depends on). */
  readonly kept: readonly string[];
  /** The statement that locks the table for the load, where the database needs one. */
  readonly lock: string | undefined;
  /** Statements that drop the deferred definitions, in order. */
  readonly drop: readonly string[];
  /** Settings for the rebuild (memory, workers), local to the transaction. */
  readonly settings: readonly string[];
  /** Statements that rebuild them, in order, each with the definition it restores (for errors). */
  readonly rebuild: readonly { readonly sql: string; readonly name: string }[];
  /**
   * Everything the rebuild must restore, as comparable text (definitions, comments, replica
   * identity, clustering): read again after the rebuild, it must be the same.
   */
  readonly fingerprint: readonly string[];
  /** Rows the table holds now, as the database estimates them (0: empty; undefined: not known). */
  readonly existingRows: number | undefined;
}

/** The catalog side of --defer-constraints; the strategy lives in methods/deferred-constraints.ts. */
export interface DeferrableConstraints {
  /** Sentences for explain: what is deferred on this database and what it costs others. */
  readonly how: readonly string[];
  /** What the load would drop and rebuild on `ref`, or why it cannot. Reads only. */
  plan(ref: TableRef): Promise<ConstraintDeferral | { readonly refused: string }>;
}

export interface CreatedColumnConverter {
  readonly convert: (field: string) => unknown;
  /** For the report: what is converted, e.g. "zoned timestamps are stored as UTC". */
  readonly why: string;
}

/**
 * A batch of rows aligned to `columns`, values as JS values (strings and null for text sources),
 * with each row's place in the source.
 */
export interface RowChunk extends RecordPositions {
  readonly rows: readonly (readonly unknown[])[];
}

export interface BulkCopy {
  /**
   * Streams rows into the table through the bulk path, encoding them in-process. Must pull the
   * next chunk only when the connection can take more (backpressure), and resolve only after the
   * server acknowledged the end of the data; on error the server-side copy is aborted.
   */
  copyRows(ref: TableRef, columns: readonly string[], chunks: AsyncIterable<RowChunk>): Promise<RowCounts>;
  /**
   * Rows as the bytes copyEncoded sends, one line per row, so that the lines start..end of them
   * are rows start..end (a batch held for the database's verdict is held as these bytes, not as
   * JS rows). Pure. A value the bulk path cannot write throws an error whose `copyRow` is its
   * 1-based row. Present together with copyEncoded.
   */
  encodeRows?(rows: readonly (readonly unknown[])[]): Buffer;
  /** One bulk statement of `rows` rows already encoded by encodeRows; as copyRows otherwise. */
  copyEncoded?(ref: TableRef, columns: readonly string[], bytes: Buffer, rows: number): Promise<RowCounts>;
  /**
   * Streams a CSV file's bytes untouched (its header line included, skipped by the database) into
   * `columns`; same backpressure and acknowledgement rules as copyRows. An error names the bad
   * record by a line of the file (the header is line 1): `copyRow`, the line the record starts on,
   * when the bulk path knows it, `copyLine`, the line as the database counts them, which
   * `recordStartLine` turns into the line the record starts on, or `copyRecord`, the record's
   * number (1-based, header not counted). An error that names no record is searched for by
   * copy.ts. When the file uses CSV the database would read differently from sluice's parser, the
   * bulk path fails before that place with an error whose `rawCsvUnsafe` is true, and copy.ts
   * loads the file parsed instead. A bulk path takes no savepoints and never commits: the method
   * owns the transaction.
   *
   * `opensFile` false: the bytes are a later part of the file (a raw copy cut into statements of N
   * records, or resumed at a checkpoint): no header line, no byte order mark, and line 1 of an error
   * is the part's first line.
   */
  copyCsv?(
    ref: TableRef,
    columns: readonly string[],
    bytes: Readable,
    dialect: CsvDialect,
    opensFile?: boolean,
  ): Promise<RowCounts>;
  /**
   * Why copyCsv cannot take a file written in `dialect` as its own bytes (for explain), or
   * undefined when it can: such a file is parsed and its rows encoded instead.
   */
  rawCsvRefusal?(dialect: CsvDialect): string | undefined;
  /**
   * The line the record a copyCsv error called `copyLine` starts on, reading the file's bytes again
   * from the start (error path only); undefined when it cannot tell. Present when copyCsv reports
   * `copyLine`.
   */
  recordStartLine?(
    bytes: AsyncIterable<Uint8Array>,
    dialect: CsvDialect,
    copyLine: number,
  ): Promise<number | undefined>;
  /** The statement the bulk path sends, for explain (no values); `dialect` is the raw CSV's. */
  statement(ref: TableRef, columns: readonly string[], rawCsv: boolean, dialect?: CsvDialect): string;
}

export interface Dialect {
  readonly name: DialectName;
  /** URL schemes this dialect answers to. */
  readonly schemes: readonly string[];
  /** True when `client` is a driver object this dialect can use (structural check, no import). */
  accepts(client: unknown): boolean;
  /**
   * True when `client` is a pool, which lends a connection per connect(): a parallel load takes N
   * of them. A single client is one connection, and cannot be multiplied.
   */
  isPool?(client: object): boolean;
  connect(target: string | object, options?: ConnectOptions): Promise<Session>;
}

export interface ConnectOptions {
  /**
   * The session will only read (explain): a missing SQLite file is not created, and a connection
   * sluice opens from a URL runs read-only transactions, so not even a bug could write.
   */
  readonly readOnly?: boolean;
  /**
   * A reconnection after a failure on this node (`host:port`, Session.node): on a cluster the
   * other nodes are tried first.
   */
  readonly failedNode?: string;
  /**
   * A second connection beside a session on this node (`host:port`, Session.node): on a cluster
   * it is tried first, so that both are on the same node.
   */
  readonly node?: string;
}
