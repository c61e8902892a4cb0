import type { Readable } from 'node:stream';
import type { BadRecord } from '../../sources/source.js';
import type { BulkCopy, RowChunk, TableRef } from '../dialect.js';
import { CsvBytesError, LoadDataCsvRewriter } from './load-data-csv.js';
import { LoadDataEncodeError, encodeLoadDataRows } from './load-data-encoder.js';
import { loadDataLocal } from './load-data-stream.js';
import { query, type CoreConnection, type ResultHeader } from './mysql-client.js';
import type { MysqlSqlBuilder } from './mysql-sql.js';
import { RowsNotStored, ServerWarning, loadDataCounts, readWarnings } from './mysql-warnings.js';

/**
 * A statement carries at most this much payload or this many pieces, then the next one starts.
 * Between statements sluice reads the server's verdict (counts, warnings) while it can still
 * name the row: the statement's bytes are kept until then, so memory is bounded by this size.
 * The piece limit keeps a statement's rows inside the 64 chunks copy.ts remembers lines for.
 */
const STATEMENT_BYTES = 8 << 20;
const STATEMENT_PIECES = 32;
const STATEMENT = 'sluice_load_data';
const PROBE = 'sluice_load_probe';
const LF = 0x0a;

/** Encoded records, one per line, and the copyRow each one reports (see copy.ts). */
interface Piece {
  readonly bytes: Buffer;
  readonly records: number;
  /** Source lines of the records (raw CSV), or undefined: row numbers from `firstRow`. */
  readonly lines: readonly number[] | undefined;
  readonly firstRow: number;
}

/** An error that names the row it is about, in the numbering copy.ts expects. */
type Located = Error & { copyRow?: number };

/**
 * LOAD DATA LOCAL INFILE as sluice's bulk path. Rows are encoded (load-data-encoder.ts) or a CSV
 * file rewritten (load-data-csv.ts) into LOAD DATA's escaped format and streamed with
 * backpressure (load-data-stream.ts), in statements of bounded size, each inside a savepoint.
 *
 * LOAD DATA LOCAL reports bad values as warnings even in strict mode and skips duplicate keys and
 * foreign-key failures, so after each statement sluice compares the rows sent with the rows
 * applied and reads SHOW WARNINGS: any difference fails the load. A warning that names its row
 * ("at row 7") gives the line at once; one that does not (duplicate entry, foreign key) is found
 * by bisection inside savepoints: O(log n) statements over the kept bytes, run only on failure.
 */
export class LoadDataBulk implements BulkCopy {
  constructor(
    private readonly connection: CoreConnection,
    private readonly sql: MysqlSqlBuilder,
    /** Payload bytes per packet: within max_allowed_packet. */
    private readonly packetBytes: number,
  ) {}

  /** The statement copyCsv (with the file's delimiter) or copyRows sends, for explain. */
  statement(ref: TableRef, columns: readonly string[], rawCsv: boolean, delimiter?: string): string {
    return this.sql.loadData(ref, columns, rawCsv ? (delimiter ?? ',') : '\t');
  }

  copyRows(ref: TableRef, columns: readonly string[], chunks: AsyncIterable<RowChunk>): Promise<number> {
    async function* pieces(): AsyncGenerator<Piece> {
      let seen = 0;
      for await (const chunk of chunks) {
        let bytes: Buffer;
        try {
          bytes = encodeLoadDataRows(chunk.rows);
        } catch (error) {
          if (!(error instanceof LoadDataEncodeError)) throw error;
          throw located(new Error(error.message), seen + error.row + 1);
        }
        yield { bytes, records: chunk.rows.length, lines: undefined, firstRow: seen + 1 };
        seen += chunk.rows.length;
      }
    }
    return this.run(this.sql.loadData(ref, columns, '\t'), pieces());
  }

  copyCsv(ref: TableRef, columns: readonly string[], bytes: Readable, delimiter: string): Promise<number> {
    // Read only as LOAD DATA asks: a 'data' listener the caller attached must not set it flowing.
    bytes.pause();
    const rewriter = new LoadDataCsvRewriter(delimiter, (bad: BadRecord) => {
      throw located(new Error(bad.reason), bad.line);
    });
    const width = columns.length;
    async function* pieces(): AsyncGenerator<Piece> {
      const piece = (out: { bytes: Buffer; lines: number[] }): Piece => {
        if (rewriter.columns !== -1 && rewriter.columns !== width)
          throw new Error(`the header has ${rewriter.columns} fields, the load expects ${width}`);
        return { bytes: out.bytes, records: out.lines.length, lines: out.lines, firstRow: 0 };
      };
      try {
        for await (const chunk of bytes as AsyncIterable<Buffer>) yield piece(rewriter.push(chunk));
        yield piece(rewriter.end());
      } catch (error) {
        if (error instanceof CsvBytesError) throw located(new Error(error.message), error.line);
        throw error;
      }
    }
    return this.run(this.sql.loadData(ref, columns, delimiter), pieces());
  }

  private async run(sql: string, source: AsyncIterable<Piece>): Promise<number> {
    const iterator = source[Symbol.asyncIterator]();
    let loaded = 0;
    try {
      let pending = await iterator.next();
      while (!pending.done) {
        const kept: Piece[] = [];
        let size = 0;
        const payload = async function* (): AsyncGenerator<Buffer> {
          while (!pending.done) {
            const piece = pending.value;
            kept.push(piece);
            size += piece.bytes.length;
            yield piece.bytes;
            pending = await iterator.next();
            if (size >= STATEMENT_BYTES || kept.length >= STATEMENT_PIECES) return;
          }
        };
        await this.command(`SAVEPOINT ${this.sql.quoteIdent(STATEMENT)}`);
        const records = (): number => kept.reduce((n, p) => n + p.records, 0);
        let header: ResultHeader;
        try {
          header = await loadDataLocal(this.connection, sql, payload(), this.packetBytes);
        } catch (error) {
          // The stream's own errors (a bad record, an unencodable value) already name their row.
          if ((error as Located).copyRow !== undefined || !isServerError(error)) throw error;
          throw await this.locate(sql, kept, error as Error);
        }
        const problem = await this.verdict(header, records());
        if (problem !== undefined) throw await this.locate(sql, kept, problem);
        await this.command(`RELEASE SAVEPOINT ${this.sql.quoteIdent(STATEMENT)}`);
        loaded += records();
      }
    } finally {
      await iterator.return?.();
    }
    return loaded;
  }

  /** Why the server's answer is not "every row stored as sent", or undefined when it is. */
  private async verdict(header: ResultHeader, sent: number): Promise<Located | undefined> {
    if (header.warningStatus > 0) {
      const warnings = await readWarnings(this.connection);
      return (
        warnings[0] ??
        new RowsNotStored(`the server reported ${header.warningStatus} warnings it did not list`)
      );
    }
    const counts = loadDataCounts(header.info);
    if (header.affectedRows !== sent || (counts !== undefined && counts.records !== sent)) {
      return new RowsNotStored(`the server stored ${header.affectedRows} of the ${sent} rows sent`);
    }
    return undefined;
  }

  /**
   * The row to blame for a failed statement: the one its warning names, else found by bisection
   * over the statement's records (the rows before it are applied, as they would be row by row).
   */
  private async locate(sql: string, kept: readonly Piece[], problem: Located): Promise<Located> {
    if (problem instanceof ServerWarning && problem.row !== undefined)
      return located(problem, copyRowAt(kept, problem.row - 1));
    try {
      await this.command(`ROLLBACK TO SAVEPOINT ${this.sql.quoteIdent(STATEMENT)}`);
    } catch {
      return problem; // the transaction is gone (deadlock, lost connection): nothing to probe
    }
    const records = splitRecords(kept);
    let start = 0;
    let end = records.length;
    let found: { index: number; problem: Located } | undefined;
    while (end - start >= 1) {
      const mid = end - start === 1 ? end : start + Math.ceil((end - start) / 2);
      const issue = await this.probe(sql, records.slice(start, mid));
      if (issue === undefined) {
        if (mid === end) break;
        start = mid;
        continue;
      }
      if (issue instanceof ServerWarning && issue.row !== undefined)
        return located(issue, copyRowAt(kept, start + issue.row - 1));
      if (mid - start === 1) return located(issue, copyRowAt(kept, start));
      found = { index: start, problem: issue };
      end = mid;
    }
    return found === undefined ? problem : located(found.problem, copyRowAt(kept, found.index));
  }

  /** Loads `records` inside a savepoint; keeps them if the server took them all as sent. */
  private async probe(sql: string, records: readonly Buffer[]): Promise<Located | undefined> {
    const savepoint = this.sql.quoteIdent(PROBE);
    await this.command(`SAVEPOINT ${savepoint}`);
    let issue: Located | undefined;
    try {
      const header = await loadDataLocal(
        this.connection,
        sql,
        once(Buffer.concat(records)),
        this.packetBytes,
      );
      issue = await this.verdict(header, records.length);
    } catch (error) {
      if (!isServerError(error)) throw error;
      issue = error as Error;
    }
    if (issue !== undefined) await this.command(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    await this.command(`RELEASE SAVEPOINT ${savepoint}`);
    return issue;
  }

  private async command(sql: string): Promise<void> {
    await query(this.connection, sql);
  }
}

function located(error: Located, copyRow: number): Located {
  error.copyRow = copyRow;
  return error;
}

/** The copyRow of the statement's `index`-th record (0-based). */
function copyRowAt(kept: readonly Piece[], index: number): number {
  let rest = index;
  for (const piece of kept) {
    if (rest < piece.records) return piece.lines === undefined ? piece.firstRow + rest : piece.lines[rest]!;
    rest -= piece.records;
  }
  throw new Error(`LOAD DATA blamed row ${index + 1}, beyond the rows sent`);
}

/** The statement's records as views of the kept bytes: every record is exactly one line. */
function splitRecords(kept: readonly Piece[]): Buffer[] {
  const records: Buffer[] = [];
  for (const piece of kept) {
    let from = 0;
    for (let n = piece.bytes.indexOf(LF); n !== -1; n = piece.bytes.indexOf(LF, n + 1)) {
      records.push(piece.bytes.subarray(from, n + 1));
      from = n + 1;
    }
  }
  return records;
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

/** An error the server sent about the statement, as opposed to a broken connection. */
function isServerError(error: unknown): boolean {
  const e = error as { sqlState?: unknown; fatal?: unknown } | null;
  return typeof e?.sqlState === 'string' && e.fatal !== true;
}
