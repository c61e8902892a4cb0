import type { Readable } from 'node:stream';
import { abortOnBadRecord } from './bad-record.js';
import { decodeChunks, type Decoding } from './byte-chunks.js';
import { JsonSyntaxError, parseJson, positionOf } from './json-value.js';
import { isRecord } from './object-source.js';
import { emptyBatch, type BadRecordHandler, type ObjectSource, type RecordBatch } from './source.js';

export interface JsonArrayOptions {
  readonly name: string;
  readonly totalBytes?: number;
  readonly onBadRecord: BadRecordHandler;
  /** Skip mode: invalid UTF-8 rejects its element instead of stopping the load. */
  readonly lenient?: boolean;
  /** The byte layer: the encoding, and the counter a decompress stage before counts into. */
  readonly decoding?: Decoding;
  readonly counter?: { bytes: number };
}

/**
 * A JSON array of objects, streamed element by element: ArrayScanner checks the array's own
 * grammar (RFC 8259: '[', elements separated by single commas, ']', nothing after it but
 * whitespace) and cuts out each element's text; parseJson reads the element strictly. Only one
 * element is held at a time, and every element keeps the line it started on for error messages.
 *
 * A broken array (`[{"v":1},]`, `[,{}]`, `[{},,{}]`, `[{"v": {}}}]`, text after the ']') is fatal
 * even in skip mode, reported before the chunk's elements are handed on: nothing after it can be
 * delimited for sure. An element that is delimited but not valid JSON, or not an object, is one
 * bad record (skip mode rejects it and goes on).
 */
export function openJsonArray(input: Readable, options: JsonArrayOptions): ObjectSource {
  const counter = options.counter ?? { bytes: 0 };
  const scanner = new ArrayScanner();
  const texts = decodeChunks(
    input,
    counter,
    options.name,
    () => scanner.line,
    options.lenient,
    true,
    options.decoding,
  );

  let ordinal = 0;
  function emit(element: ScannedElement, out: RecordBatch<Record<string, unknown>>): void {
    ordinal++;
    let value: unknown;
    try {
      value = parseJson(element.text);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      const at = positionOf(element.text, error.offset, element.line);
      options.onBadRecord({
        line: at.line,
        column: at.line === element.line ? at.column + element.column - 1 : at.column,
        reason: `invalid JSON: ${error.message}`,
        raw: element.text,
      });
      return;
    }
    if (!isRecord(value)) {
      options.onBadRecord({
        line: element.line,
        reason: 'expected an object in the array',
        raw: element.text,
      });
      return;
    }
    out.records.push(value);
    out.lines.push(element.line);
    out.ordinals.push(ordinal);
    out.ends.push(element.end);
  }

  const fatal = abortOnBadRecord(options.name);

  return {
    kind: 'objects',
    name: options.name,
    unit: 'line',
    totalBytes: options.totalBytes,
    close: () => input.destroy(),
    bytesRead: () => counter.bytes,
    async *batches() {
      let offset = 0;
      try {
        for await (const { text, bytes, skipped } of texts) {
          offset += skipped;
          const elements = [...scanner.push(text, offset, bytes === text.length)];
          offset += bytes;
          if (scanner.error) fatal(scanner.error);
          const out = emptyBatch<Record<string, unknown>>();
          let failure: unknown;
          try {
            for (const element of elements) emit(element, out);
          } catch (error) {
            // The elements before the bad one go first (see delimited-source.ts).
            if (out.records.length === 0) throw error;
            failure = error;
          }
          if (out.records.length > 0) yield out;
          if (failure !== undefined) throw failure;
        }
        const problem = scanner.end();
        if (problem) fatal(problem);
      } finally {
        input.destroy();
      }
    },
  };
}

interface ScannedElement {
  readonly text: string;
  readonly line: number;
  /** 1-based column of the element's first character on its line. */
  readonly column: number;
  /** The byte offset in the source just after the element's last character. */
  readonly end: number;
}

interface ScanProblem {
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  readonly raw: string;
}

/**
 * Where the scanner is in the array: before its '[', after '[' (an element or ']'), after ','
 * (an element), inside an element, after an element (',' or ']'), after the ']'.
 */
type ScanState = 'before-array' | 'first' | 'after-comma' | 'in-element' | 'after-element' | 'after-array';

const QUOTE = 34;
const BACKSLASH = 92;
const LF = 10;

/**
 * Splits the text of one JSON array into the texts of its elements, chunk by chunk. An element
 * that is an object or an array ends at the bracket that closes its first one (strings and
 * escapes tracked), a string at its closing quote, any other token at whitespace, ',' or ']'.
 * Brackets inside an element are only counted: parseJson checks that they match.
 */
class ArrayScanner {
  line = 1;
  error: ScanProblem | undefined;
  private state: ScanState = 'before-array';
  /** Offsets in the whole input: of the chunk being scanned, and of the current line's start. */
  private chunkStart = 0;
  private lineStart = 0;
  private element = '';
  private elementLine = 1;
  private elementColumn = 1;
  private depth = 0;
  /** The element is a bare token (number, literal, garbage) rather than a container or string. */
  private bare = false;
  private inString = false;
  private escaped = false;

  /** `offset`: the source byte offset of `text`; `ascii`: it holds only one-byte characters. */
  *push(text: string, offset = 0, ascii = false): Generator<ScannedElement> {
    let start = 0;
    // Measured from the last element's end, so a non-ASCII chunk is measured once, not per element.
    let measured = 0;
    let measuredBytes = offset;
    const byteAt = (i: number): number => {
      if (ascii) return offset + i;
      measuredBytes += Buffer.byteLength(text.slice(measured, i));
      measured = i;
      return measuredBytes;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.state === 'in-element') {
        let ends = false;
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) {
            this.inString = false;
            ends = this.depth === 0;
          }
        } else if (this.bare) {
          if (c === 32 || c === LF || c === 13 || c === 9 || c === 44 || c === 93) {
            yield {
              text: this.element + text.slice(start, i),
              line: this.elementLine,
              column: this.elementColumn,
              end: byteAt(i),
            };
            this.element = '';
            this.state = 'after-element';
            i--; // read the delimiter again as structure
            continue;
          }
        } else if (c === QUOTE) this.inString = true;
        else if (c === 123 || c === 91) this.depth++;
        else if (c === 125 || c === 93) ends = --this.depth === 0;
        if (c === LF) this.newline(i);
        if (ends) {
          yield {
            text: this.element + text.slice(start, i + 1),
            line: this.elementLine,
            column: this.elementColumn,
            end: byteAt(i + 1),
          };
          this.element = '';
          this.state = 'after-element';
        }
        continue;
      }
      if (c === LF) this.newline(i);
      if (c === 32 || c === LF || c === 13 || c === 9) continue; // whitespace between tokens
      if (this.state === 'before-array') {
        if (c === 91) this.state = 'first';
        else this.fail(text, i, 'expected a JSON array (the input must start with "[")');
      } else if (this.state === 'first' || this.state === 'after-comma') {
        if (c === 93 && this.state === 'first') this.state = 'after-array';
        else if (c === 44 || c === 93) {
          this.fail(
            text,
            i,
            this.state === 'first' ? 'expected an element or "]" after "["' : 'expected an element after ","',
          );
        } else {
          this.state = 'in-element';
          this.elementLine = this.line;
          this.elementColumn = this.chunkStart + i - this.lineStart + 1;
          this.depth = c === 123 || c === 91 ? 1 : 0;
          this.inString = c === QUOTE;
          this.bare = !this.inString && this.depth === 0;
          this.escaped = false;
          start = i;
        }
      } else if (this.state === 'after-element') {
        if (c === 44) this.state = 'after-comma';
        else if (c === 93) this.state = 'after-array';
        else this.fail(text, i, 'expected "," or "]" after an element of the array');
      } else {
        this.fail(text, i, 'unexpected text after the end of the array');
      }
      if (this.error) return;
    }
    if (this.state === 'in-element') this.element += text.slice(start);
    this.chunkStart += text.length;
  }

  end(): ScanProblem | undefined {
    if (this.error) return undefined;
    if (this.state === 'in-element' && this.bare) {
      // A bare token at the very end: the array is still open after it.
      this.state = 'after-element';
    }
    if (this.state === 'before-array')
      return { line: this.line, column: 1, reason: 'the input is empty: expected a JSON array', raw: '' };
    if (this.state !== 'after-array') {
      // Where the input ended.
      return {
        line: this.line,
        column: this.chunkStart - this.lineStart + 1,
        reason: 'invalid JSON: the array is not closed (the input ended early)',
        raw: this.element,
      };
    }
    return undefined;
  }

  private newline(i: number): void {
    this.line++;
    this.lineStart = this.chunkStart + i + 1;
  }

  private fail(text: string, i: number, reason: string): void {
    const shown = JSON.stringify(String.fromCodePoint(text.codePointAt(i)!));
    this.error ??= {
      line: this.line,
      column: this.chunkStart + i - this.lineStart + 1,
      reason: `invalid JSON: ${reason}, found ${shown}`,
      raw: text.slice(i, i + 40),
    };
  }
}
