import type { Readable } from 'node:stream';
import { abortOnBadRecord } from './bad-record.js';
import { decodeChunks } from './byte-chunks.js';
import { isRecord } from './object-source.js';
import type { BadRecordHandler, ObjectSource, RecordBatch } from './source.js';

export interface JsonArrayOptions {
  readonly name: string;
  readonly totalBytes?: number;
  readonly onBadRecord: BadRecordHandler;
  /** Skip mode: invalid UTF-8 rejects its element instead of stopping the load. */
  readonly lenient?: boolean;
}

/**
 * A JSON array of objects, streamed: a small scanner finds where each top-level element starts and
 * ends (tracking strings, escapes and nesting), and `JSON.parse` reads the element. Only one element
 * is held at a time, and every element keeps the line it started on for error messages, which a
 * generic streaming JSON parser does not report.
 */
export function openJsonArray(input: Readable, options: JsonArrayOptions): ObjectSource {
  const counter = { bytes: 0 };
  const scanner = new ArrayScanner();
  const texts = decodeChunks(input, counter, options.name, () => scanner.line, options.lenient);

  function emit(element: ScannedElement, out: RecordBatch<Record<string, unknown>>): void {
    let value: unknown;
    try {
      value = JSON.parse(element.text);
    } catch (error) {
      options.onBadRecord({
        line: element.line,
        reason: `invalid JSON: ${(error as Error).message}`,
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
      try {
        for await (const text of texts) {
          const out: RecordBatch<Record<string, unknown>> = { records: [], lines: [] };
          for (const element of scanner.push(text)) emit(element, out);
          if (out.records.length > 0) yield out;
          // The array's structure is broken: nothing after this point can be delimited, so it is
          // never skipped as one bad record.
          if (scanner.error) fatal(scanner.error);
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
}

interface ScanProblem {
  readonly line: number;
  readonly reason: string;
  readonly raw: string;
}

type ScanState = 'before-array' | 'before-element' | 'in-element' | 'after-array';

/** Splits the text of one JSON array into the texts of its elements, chunk by chunk. */
class ArrayScanner {
  line = 1;
  error: ScanProblem | undefined;
  private state: ScanState = 'before-array';
  private element = '';
  private elementLine = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;

  *push(text: string): Generator<ScannedElement> {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.state === 'in-element') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === '\\') this.escaped = true;
          else if (c === '"') this.inString = false;
        } else if (c === '"') this.inString = true;
        else if (c === '{' || c === '[') this.depth++;
        else if (c === '}' || c === ']' || c === ',') {
          if (this.depth > 0 && c !== ',') {
            this.depth--;
          } else if (this.depth === 0) {
            // A ',' or the array's ']' ends a top-level element.
            yield { text: this.element + text.slice(start, i), line: this.elementLine };
            this.element = '';
            this.state = c === ']' ? 'after-array' : 'before-element';
          }
        }
      } else if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') {
        // whitespace between tokens
      } else if (this.state === 'before-array') {
        if (c !== '[') this.fail(`expected a JSON array, found ${JSON.stringify(c)}`, text.slice(i, i + 40));
        else this.state = 'before-element';
      } else if (this.state === 'before-element') {
        if (c === ']') this.state = 'after-array';
        else if (c !== ',') {
          this.state = 'in-element';
          this.elementLine = this.line;
          this.depth = 0;
          start = i;
          i--; // rescan this character inside the element
          continue;
        }
      } else if (this.state === 'after-array') {
        this.fail('unexpected text after the end of the array', text.slice(i, i + 40));
      }
      if (c === '\n') this.line++;
    }
    if (this.state === 'in-element') this.element += text.slice(start);
  }

  end(): ScanProblem | undefined {
    if (this.error) return undefined;
    if (this.state === 'before-array')
      return { line: this.line, reason: 'the input is empty: expected a JSON array', raw: '' };
    if (this.state !== 'after-array') {
      return {
        line: this.elementLine,
        reason: 'the JSON array is not closed (input ended early)',
        raw: this.element,
      };
    }
    return undefined;
  }

  private fail(reason: string, raw: string): void {
    this.error ??= { line: this.line, reason, raw };
  }
}
