import type { Readable } from 'node:stream';
import type { BadRecord } from '../../util/bad-record.js';
import { isSingleByte, partDialect, type CsvDialect } from '../../util/csv-dialect.js';
import type { BulkCopy, RowChunk, RowCounts, TableRef } from '../dialect.js';
import { CsvBytesError, LoadDataCsvRewriter } from './load-data-csv.js';
import { LoadDataEncodeError, encodeLoadDataRows } from './load-data-encoder.js';
import { loadDataLocal } from './load-data-stream.js';
import type { CoreConnection, ResultHeader } from './mysql-client.js';
import type { MysqlSqlBuilder } from './mysql-sql.js';
import { RowsNotStored, ServerWarning, loadDataCounts, readWarnings } from './mysql-warnings.js';

/**
 * MariaDB's latin1 is cp1252 with the five bytes cp1252 leaves undefined mapped to U+0081,
 * U+008D, U+008F, U+0090 and U+009D: byte for byte the WHATWG windows-1252 decoder, all 128 high
 * bytes compared on MariaDB 10.11 (test/integration/byte-layer.test.ts loads them both ways).
 * The rewriter's byte scan assumes ASCII delimiters and quotes, which a single-byte encoding keeps.
 */
export const RAW_CHARSETS: Readonly<Record<string, string>> = {
  'utf-8': 'utf8mb4',
  'windows-1252': 'latin1',
};

function serverCharset(encoding: string | undefined): string {
  const charset = RAW_CHARSETS[encoding ?? 'utf-8'];
  if (charset === undefined) throw new Error(`LOAD DATA is not given ${encoding} bytes raw`);
  return charset;
}

/** An error that names the record it is about: `copyRow` in the numbering BulkCopy documents. */
type Located = Error & { copyRow?: number; copyRecord?: number };

/**
 * LOAD DATA LOCAL INFILE as sluice's bulk path: one statement per call. Rows are encoded
 * (load-data-encoder.ts) or a CSV file rewritten (load-data-csv.ts) into LOAD DATA's escaped
 * format and streamed with backpressure (load-data-stream.ts).
 *
 * LOAD DATA LOCAL reports bad values as warnings even in strict mode and skips duplicate keys and
 * foreign-key failures, so after the statement sluice compares the rows sent with the rows applied
 * and reads SHOW WARNINGS: any difference fails it. A warning that names its row ("at row 7")
 * names the record; one that does not (duplicate entry, foreign key) fails without a record, and
 * the method finds it by bisection (methods/locate-failure.ts), as the database judges a LOAD
 * DATA only at its end (`capabilities.bulkVerdictAtEnd`). No savepoints here: the method owns
 * the transaction.
 */
export class LoadDataBulk implements BulkCopy {
  constructor(
    private readonly connection: CoreConnection,
    private readonly sql: MysqlSqlBuilder,
    /** Payload bytes per packet: within max_allowed_packet. */
    private readonly packetBytes: number,
  ) {}

  /** The statement copyCsv (with the file's delimiter) or copyRows sends, for explain. */
  statement(ref: TableRef, columns: readonly string[], rawCsv: boolean, dialect?: CsvDialect): string {
    return rawCsv
      ? this.sql.loadData(ref, columns, dialect?.delimiter ?? ',', serverCharset(dialect?.encoding))
      : this.sql.loadData(ref, columns, '\t');
  }

  /**
   * The rewriter (load-data-csv.ts) takes any one-byte delimiter, quote (or none) and escape, no
   * header, preamble lines and any NULL strings; not quoted NULL strings.
   */
  rawCsvRefusal(dialect: CsvDialect): string | undefined {
    if (dialect.escape !== '' && !isSingleByte(dialect.escape))
      return `the LOAD DATA rewriter takes a one-byte escape, not ${JSON.stringify(dialect.escape)}`;
    if (dialect.nullQuoted)
      return 'quoted NULL strings (--null-quoted): the LOAD DATA rewriter matches unquoted fields only';
    // A backslash delimiter would clash with ESCAPED BY '\\' in the rewritten bytes.
    if (!isSingleByte(dialect.delimiter) || dialect.delimiter === '\\')
      return `LOAD DATA is given a one-byte delimiter other than a backslash, not ${JSON.stringify(dialect.delimiter)}`;
    if (dialect.quote !== '' && !isSingleByte(dialect.quote))
      return `the LOAD DATA rewriter takes a one-byte quote, not ${JSON.stringify(dialect.quote)}`;
    return undefined;
  }

  async copyRows(
    ref: TableRef,
    columns: readonly string[],
    chunks: AsyncIterable<RowChunk>,
  ): Promise<RowCounts> {
    let sent = 0;
    async function* payload(): AsyncGenerator<Buffer> {
      for await (const chunk of chunks) {
        let bytes: Buffer;
        try {
          bytes = encodeLoadDataRows(chunk.rows);
        } catch (error) {
          if (!(error instanceof LoadDataEncodeError)) throw error;
          throw Object.assign(new Error(error.message), { copyRow: sent + error.row + 1 });
        }
        sent += chunk.rows.length;
        yield bytes;
      }
    }
    const header = await loadDataLocal(
      this.connection,
      this.sql.loadData(ref, columns, '\t'),
      payload(),
      this.packetBytes,
    );
    await this.verify(header, sent, (row) => ({ copyRow: row }));
    return { inserted: sent, updated: 0, unchanged: 0 };
  }

  encodeRows(this: void, rows: readonly (readonly unknown[])[]): Buffer {
    try {
      return encodeLoadDataRows(rows);
    } catch (error) {
      if (!(error instanceof LoadDataEncodeError)) throw error;
      throw Object.assign(new Error(error.message), { copyRow: error.row + 1 });
    }
  }

  async copyEncoded(
    ref: TableRef,
    columns: readonly string[],
    bytes: Buffer,
    rows: number,
  ): Promise<RowCounts> {
    async function* payload(): AsyncGenerator<Buffer> {
      yield bytes;
    }
    const header = await loadDataLocal(
      this.connection,
      this.sql.loadData(ref, columns, '\t'),
      payload(),
      this.packetBytes,
    );
    await this.verify(header, rows, (row) => ({ copyRow: row }));
    return { inserted: rows, updated: 0, unchanged: 0 };
  }

  async copyCsv(
    ref: TableRef,
    columns: readonly string[],
    bytes: Readable,
    dialect: CsvDialect,
    opensFile = true,
  ): Promise<RowCounts> {
    // Read only as LOAD DATA asks: a 'data' listener the caller attached must not set it flowing.
    bytes.pause();
    const width = columns.length;
    const charset = serverCharset(dialect.encoding);
    const part = partDialect(dialect, opensFile);
    const rewriter = new LoadDataCsvRewriter(
      part,
      (bad: BadRecord) => {
        throw Object.assign(new Error(bad.reason), { copyRow: bad.line });
      },
      width,
      opensFile,
      charset === 'utf8mb4',
    );
    const { delimiter } = dialect;
    let sent = 0;
    // Bytes that are not UTF-8: the records before them go first, and the error after the verdict.
    let invalid: Error | undefined;
    async function* payload(): AsyncGenerator<Buffer> {
      const take = (out: { bytes: Buffer; lines: number[] }): Buffer => {
        if (rewriter.columns !== -1 && rewriter.columns !== width)
          throw new Error(`the header has ${rewriter.columns} fields, the load expects ${width}`);
        sent += out.lines.length;
        return out.bytes;
      };
      try {
        for await (const chunk of bytes as AsyncIterable<Buffer>) {
          yield take(rewriter.push(chunk));
          // A bad record ends the statement with the records before it (see the rewriter).
          if (rewriter.failure !== undefined) return;
        }
        yield take(rewriter.end());
      } catch (error) {
        if (!(error instanceof CsvBytesError)) throw error;
        invalid = Object.assign(new Error(error.message), { copyRow: error.line });
        yield take(error.before);
      }
    }
    const header = await loadDataLocal(
      this.connection,
      this.sql.loadData(ref, columns, delimiter, charset),
      payload(),
      this.packetBytes,
    );
    // "at row n" is the statement's n-th record: the file's, when the statement opens the file.
    await this.verify(header, sent, (row) => ({ copyRecord: row }));
    if (rewriter.failure !== undefined) throw rewriter.failure.error;
    if (invalid !== undefined) throw invalid;
    return { inserted: sent, updated: 0, unchanged: 0 };
  }

  /** Fails unless the server stored every row as sent; a warning that names its row says which. */
  private async verify(
    header: ResultHeader,
    sent: number,
    place: (row: number) => Partial<Located>,
  ): Promise<void> {
    if (header.warningStatus > 0) {
      const [first] = await readWarnings(this.connection);
      if (first === undefined)
        throw new RowsNotStored(`the server reported ${header.warningStatus} warnings it did not list`);
      if (first instanceof ServerWarning && first.row !== undefined)
        throw Object.assign(first, place(first.row));
      throw first;
    }
    const counts = loadDataCounts(header.info);
    if (header.affectedRows !== sent || (counts !== undefined && counts.records !== sent)) {
      throw new RowsNotStored(`the server stored ${header.affectedRows} of the ${sent} rows sent`);
    }
  }
}
