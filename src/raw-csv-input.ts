import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { RowChunk } from './dialects/dialect.js';
import type { RawCsvInput } from './methods/method.js';
import { decompressStage } from './sources/decompress.js';
import { lastByte, openSource, READ_CHUNK } from './sources/from-input.js';
import type { CsvDialect } from './util/csv-dialect.js';
import type { SourceStart } from './sources/source.js';
import { lineAtOffset } from './resume/source-identity.js';
import { ScreenedField, TextScreen, csvLineRefused } from './sources/text-screen.js';

/**
 * The field checks of a raw copy (Session.textFieldCheck, every one with a screen): the pattern
 * any field they refuse matches, and the checks by column name.
 */
export interface RawFieldChecks {
  readonly screen: RegExp;
  readonly checks: ReadonlyMap<string, (field: string) => unknown>;
}

/** Puts each check's verdict in place of its field (an UnstorableValue the encoder refuses). */
function checkFields(record: unknown[], checks: readonly (((field: string) => unknown) | undefined)[]): void {
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    const field = record[i];
    if (check !== undefined && typeof field === 'string') record[i] = check(field);
  }
}

function screened(): ScreenedField {
  return new ScreenedField(
    'a field holds a value its column would not store as written: the file is parsed from this statement on',
  );
}

/**
 * A CSV file as the raw copy path takes it (methods/csv-file-copy.ts): its bytes, and the same
 * file parsed again for the cases the raw copy hands back. Built here, beside load.ts, so that
 * methods and dialects never open sources. A compressed file's bytes are decompressed first (the
 * database gets the CSV text); progress counts the compressed bytes read.
 */
export function rawCsvInput(
  path: string,
  file: { readonly format: 'csv' | 'tsv'; readonly dialect: CsvDialect; readonly header: readonly string[] },
  columns: readonly string[],
  onBytes: () => void,
  /** A resumed load: the checkpoint's position (past the header), where the bytes start. */
  start: SourceStart | undefined,
  /** A share of a parallel load: the byte offset where its bytes stop (a record's end). */
  end?: number,
  /** Columns whose fields are checked (FieldCheck.screen): the bytes are screened, parsed rows checked. */
  fieldChecks?: RawFieldChecks,
): RawCsvInput {
  const { format, dialect } = file;
  // A headerless file is read again with the names it was first read with.
  const names = dialect.header ? undefined : file.header;
  const from = start?.offset ?? 0;
  let read = 0;
  /** The file's CSV bytes: `counted` ones move progress (the file's own bytes, compressed or not). */
  async function* csvBytes(counted: boolean, chunkSize: number, offset = 0): AsyncGenerator<Buffer> {
    const file = createReadStream(path, { highWaterMark: chunkSize, start: offset, ...lastByte(end) });
    const compressed = { bytes: 0 };
    const stage = await decompressStage(file, path, path, compressed);
    // Only the bytes that go to the database are screened (reread ones are for error paths).
    const screen =
      counted && fieldChecks !== undefined
        ? new TextScreen(
            fieldChecks.screen,
            csvLineRefused(
              dialect,
              columns.map((name) => fieldChecks.checks.get(name)),
            ),
          )
        : undefined;
    try {
      for await (const chunk of stage.stream as AsyncIterable<Buffer>) {
        if (screen?.matches(chunk) === true) throw screened();
        if (counted) {
          read = stage.compression === undefined ? read + chunk.length : compressed.bytes;
          onBytes();
        }
        yield chunk;
      }
      // The last line had no line end: the database has it, but not its end, until this returns.
      if (screen?.end() === true) throw screened();
    } finally {
      stage.stream.destroy();
    }
  }
  async function* parsed(at?: SourceStart): AsyncGenerator<RowChunk> {
    // Read again as it was first read: the dialect holds a sniff's delimiter and the encoding.
    const source = await openSource(path, {
      format,
      csv: dialect,
      columns: names,
      encoding: dialect.encoding,
      sniff: false,
      start: at,
      end,
    });
    if (source.kind !== 'text') throw new Error(`${path} did not open as delimited text`);
    if (source.header.length !== columns.length)
      throw new Error(`${path} changed while it was loaded: its header has ${source.header.length} fields`);
    const checks = fieldChecks === undefined ? [] : columns.map((name) => fieldChecks.checks.get(name));
    const checked = checks.some((c) => c !== undefined);
    try {
      for await (const batch of source.batches()) {
        if (checked) for (const record of batch.records) checkFields(record, checks);
        yield { ...batch, rows: batch.records };
      }
    } finally {
      source.close();
    }
  }
  return {
    dialect,
    start: { offset: from, ordinal: start?.ordinal ?? 0 },
    bytes() {
      read = 0;
      // Counted as the bulk path pulls them: a 'data' listener would set the file flowing before
      // the database is ready, and the bytes read meanwhile would be lost. 64 KiB reads, as for
      // parsing: 1 MiB ones loaded no faster (PostgreSQL or MySQL) and left more dead buffers
      // between collections (MySQL, 5M rows: 141 MB peak RSS against 120 MB).
      return Readable.from(csvBytes(true, READ_CHUNK, from), { objectMode: false });
    },
    bytesRead: () => from + read,
    parsed,
    reread: (offset = 0) => Readable.from(csvBytes(false, 1 << 20, offset), { objectMode: false }),
    lineAt: (offset) => lineAtOffset(path, offset),
    async lineOfRecord(n) {
      for await (const chunk of parsed()) {
        const i = chunk.ordinals.indexOf(n);
        if (i !== -1) return chunk.lines[i];
        if (chunk.ordinals[chunk.ordinals.length - 1]! > n) return undefined;
      }
      return undefined;
    },
  };
}
