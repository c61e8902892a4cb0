import type { CsvDialect } from '../util/csv-dialect.js';

const LF = 0x0a;
const CR = 0x0d;
/** The quote of a dialect that has none (`--quote ''`): no byte is one. */
const NO_QUOTE = -1;

const enum State {
  /** At the start of a field (a quote here opens a quoted field). */
  Field,
  /** Inside an unquoted field: quotes are text. */
  Unquoted,
  Quoted,
  /** Just after a quote inside a quoted field: it closed the field, or a doubled quote follows. */
  QuoteClosed,
  /** A CR right after a closing quote: an LF must follow. */
  QuoteClosedCr,
  /** Text after a closing quote: the parser refuses the record through the end of its line. */
  SkipLine,
}

const enum Blank {
  /** Nothing on the line yet. */
  Empty,
  /** Only a CR so far (a line of just CR is blank: CRLF). */
  Cr,
  Content,
}

/**
 * Finds where CSV records end in a byte stream, as sluice's parser (src/sources/csv-parser.ts)
 * cuts them: a quote opens a quoted field only at the start of a field, "" inside one is a quote,
 * a newline inside one is text, CRLF and LF end a record, blank lines are not records, and text
 * after a closing quote makes a record the parser refuses through the end of its line. The raw copy
 * uses it to cut a file into statements of exactly N records; the bulk path's own scanner (the
 * PostgreSQL guard, the LOAD DATA rewriter) still judges each statement's bytes, so a place where
 * the database would read them differently is refused there, not here.
 *
 * A chunk is scanned with native searches for the next newline and the next quote; only the
 * bytes around a quote are looked at one by one.
 */
export class CsvRecordEnds {
  private state = State.Field;
  private blank = Blank.Empty;

  /** `quote` NO_QUOTE (-1): a dialect without quoting, where only newlines end records. */
  constructor(
    private readonly delimiter: number,
    private readonly quote = 0x22,
  ) {}

  /**
   * Scans `chunk` from `from` until `wanted` records have ended or the chunk has: `found` record
   * ends, and `next`, the offset just after the last of them (or the chunk's length).
   */
  scan(chunk: Buffer, from: number, wanted: number): { found: number; next: number } {
    const length = chunk.length;
    const delimiter = this.delimiter;
    const quoteByte = this.quote;
    let found = 0;
    let i = from;
    // The next quote at or after i in an unquoted stretch; -2: not searched yet; -1: none (ever,
    // without a quote character: Buffer.indexOf(-1) would look for 0xff).
    let quote = quoteByte === NO_QUOTE ? -1 : -2;
    while (i < length && found < wanted) {
      switch (this.state) {
        case State.Quoted: {
          const q = chunk.indexOf(quoteByte, i);
          if (q === -1) return { found, next: length };
          i = q + 1;
          this.state = State.QuoteClosed;
          continue;
        }
        case State.QuoteClosed: {
          const b = chunk[i]!;
          if (b === quoteByte) {
            this.state = State.Quoted;
            i++;
          } else if (b === delimiter) {
            this.state = State.Field;
            i++;
          } else if (b === LF) {
            i++;
            found += this.recordEnd();
          } else if (b === CR) {
            this.state = State.QuoteClosedCr;
            i++;
          } else this.state = State.SkipLine;
          continue;
        }
        case State.QuoteClosedCr:
          if (chunk[i] === LF) {
            i++;
            found += this.recordEnd();
          } else this.state = State.SkipLine;
          continue;
        case State.SkipLine: {
          const n = chunk.indexOf(LF, i);
          if (n === -1) return { found, next: length };
          i = n + 1;
          found += this.recordEnd();
          continue;
        }
        default: {
          // Field or Unquoted: the line runs to the next LF unless a quote opens a field first.
          let n = chunk.indexOf(LF, i);
          if (n === -1) n = length;
          if (quote !== -1 && quote < i) quote = chunk.indexOf(quoteByte, i);
          if (quote !== -1 && quote < n) {
            const opens = quote === i ? this.state === State.Field : chunk[quote - 1] === delimiter;
            this.blank = Blank.Content;
            this.state = opens ? State.Quoted : State.Unquoted;
            i = quote + 1;
            continue;
          }
          if (n === length) {
            // The line goes on in the next chunk.
            if (i < length) {
              this.blank =
                this.blank === Blank.Empty && length - i === 1 && chunk[i] === CR ? Blank.Cr : Blank.Content;
              const last = chunk[length - 1];
              this.state = last === delimiter ? State.Field : State.Unquoted;
            }
            return { found, next: length };
          }
          const blank =
            (this.blank === Blank.Empty && (n === i || (n === i + 1 && chunk[i] === CR))) ||
            (this.blank === Blank.Cr && n === i);
          if (!blank) this.blank = Blank.Content;
          i = n + 1;
          found += this.recordEnd();
        }
      }
    }
    return { found, next: i };
  }

  /** At the end of the input: 1 when a last record without a newline is pending, else 0. */
  end(): number {
    const pending = this.blank === Blank.Content || this.state !== State.Field;
    this.state = State.Field;
    this.blank = Blank.Empty;
    return pending ? 1 : 0;
  }

  /** A line ended outside quotes: 1 when it held a record, 0 when it was blank. */
  private recordEnd(): number {
    // A record that opened with a quote, or a refused one, set Content on its way.
    const record = this.blank === Blank.Content ? 1 : 0;
    this.state = State.Field;
    this.blank = Blank.Empty;
    return record;
  }
}

/** A place in the file: the byte offset just after a record, and the records before it. */
export interface CsvPosition {
  readonly offset: number;
  readonly ordinal: number;
}

/** Consecutive whole records of a CSV file, to go to the database as one statement. */
export interface CsvPiece {
  /** The piece opens the file: it holds the header line (and a byte order mark, if any). */
  readonly first: boolean;
  readonly start: CsvPosition;
  /** The piece's bytes, pulled as the database takes them; the next piece starts where they end. */
  readonly bytes: AsyncIterable<Buffer>;
  /** Records in the piece (the header not counted); final once `bytes` is consumed. */
  readonly records: number;
  /** The position after the piece's last record; final once `bytes` is consumed. */
  readonly end: CsvPosition;
}

/**
 * Cuts a CSV byte stream into pieces of exactly `every` records (the last may hold fewer), each
 * ending just after a record's newline, records read in the file's dialect (its delimiter and
 * quote, or none). The stream starts at `start`: at offset 0 it opens with the preamble lines and
 * the header line (if the dialect has them), which go in the first piece uncounted. Bytes pass
 * through untouched; a piece must be consumed before the next is asked for. No escape character:
 * the planner keeps such a file parsed when it would be cut (rawCsvCutRefusal).
 */
export async function* cutCsvRecords(
  input: AsyncIterable<Buffer>,
  dialect: CsvDialect,
  every: number,
  start: CsvPosition,
): AsyncGenerator<CsvPiece> {
  if (dialect.escape !== '') throw new Error('the record cutter does not follow escape sequences');
  const ends = new CsvRecordEnds(
    dialect.delimiter.charCodeAt(0),
    dialect.quote === '' ? NO_QUOTE : dialect.quote.charCodeAt(0),
  );
  const iterator = input[Symbol.asyncIterator]();
  let leftover: Buffer | undefined;
  let finished = false;
  let position = start;
  let headerToSkip = start.offset === 0 && dialect.header ? 1 : 0;
  // Preamble lines (--skip-lines), read past unparsed as the parser does: to their newline.
  let linesToSkip = start.offset === 0 ? dialect.skipLines : 0;
  let bomChecked = start.offset !== 0;
  const pull = async (): Promise<Buffer | undefined> => {
    if (leftover !== undefined) {
      const chunk = leftover;
      leftover = undefined;
      return chunk;
    }
    if (finished) return undefined;
    const next = await iterator.next();
    if (next.done === true) {
      finished = true;
      return undefined;
    }
    return next.value;
  };
  for (;;) {
    // Nothing left (or only what an earlier piece ended at): no empty piece.
    const head = await pull();
    if (head === undefined) return;
    leftover = head;
    const piece = {
      first: position.offset === 0,
      start: position,
      records: 0,
      end: position,
      bytes: undefined as unknown as AsyncIterable<Buffer>,
    };
    let offset = position.offset;
    piece.bytes = (async function* (): AsyncGenerator<Buffer> {
      for (;;) {
        let chunk = await pull();
        // A byte order mark is looked for in the file's first three bytes, however they arrive.
        while (!bomChecked && chunk !== undefined && chunk.length < 3) {
          const more = await pull();
          if (more === undefined) break;
          chunk = Buffer.concat([chunk, more]);
        }
        if (chunk === undefined) {
          // A last line without a newline: the header itself, in a file of no records.
          if (headerToSkip > 0) headerToSkip -= ends.end();
          else piece.records += ends.end();
          piece.end = { offset, ordinal: piece.start.ordinal + piece.records };
          return;
        }
        let from = 0;
        if (!bomChecked) {
          bomChecked = true;
          if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) from = 3;
        }
        while (linesToSkip > 0 && from < chunk.length) {
          const newline = chunk.indexOf(LF, from);
          if (newline === -1) from = chunk.length;
          else {
            from = newline + 1;
            linesToSkip--;
          }
        }
        if (headerToSkip > 0 && linesToSkip === 0) {
          const header = ends.scan(chunk, from, headerToSkip);
          headerToSkip -= header.found;
          from = header.next;
        }
        const { found, next } =
          linesToSkip > 0 ? { found: 0, next: chunk.length } : ends.scan(chunk, from, every - piece.records);
        piece.records += found;
        if (piece.records === every) {
          if (next < chunk.length) leftover = chunk.subarray(next);
          offset += next;
          // Final before the last bytes go: a consumer need not pull past them.
          piece.end = { offset, ordinal: piece.start.ordinal + piece.records };
          yield next === chunk.length ? chunk : chunk.subarray(0, next);
          return;
        }
        offset += chunk.length;
        yield chunk;
      }
    })();
    yield piece;
    position = piece.end;
  }
}
