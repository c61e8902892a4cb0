import type { Readable } from 'node:stream';
import { countNewlines, decodeChunks, type Decoding } from './byte-chunks.js';
import { JsonSyntaxError, parseJson, positionOf } from './json-value.js';
import { MAX_RECORD_CHARS } from './csv-parser.js';
import { isRecord } from './object-source.js';
import {
  emptyBatch,
  type BadRecordHandler,
  type ObjectSource,
  type RecordBatch,
  type SourceStart,
} from './source.js';

export interface NdjsonOptions {
  readonly name: string;
  readonly totalBytes?: number;
  readonly onBadRecord: BadRecordHandler;
  /** Skip mode: invalid UTF-8 rejects its line instead of stopping the load. */
  readonly lenient?: boolean;
  /** A resumed load: `input` starts at `start.offset`, after `start.ordinal` records. */
  readonly start?: SourceStart;
  /** The byte layer: the encoding, and the counter a decompress stage before counts into. */
  readonly decoding?: Decoding;
  readonly counter?: { bytes: number };
}

/**
 * Newline-delimited JSON: one object per line, read as strictly as a JSON array's elements
 * (parseJson: RFC 8259, exact numbers, no lone surrogates). A line holding only JSON whitespace
 * (space, tab, CR) is skipped; anything else that is not one JSON object is a bad record.
 */
export function openNdjson(input: Readable, options: NdjsonOptions): ObjectSource {
  const { start } = options;
  const counter = options.counter ?? { bytes: start?.offset ?? 0 };
  let line = start?.line ?? 1;
  let ordinal = start?.ordinal ?? 0;
  let pending = '';
  /** Skip mode, after a line past the cap: its rest is dropped up to its newline. */
  let droppingLongLine = false;
  const texts = decodeChunks(
    input,
    counter,
    options.name,
    () => line + countNewlines(pending),
    options.lenient,
    start === undefined,
    options.decoding,
  );

  /** `end`: the byte offset just after the line's newline. */
  function parseLine(text: string, end: number, out: RecordBatch<Record<string, unknown>>): void {
    const lineNo = line++;
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (isBlank(trimmed)) return;
    ordinal++;
    if (trimmed.includes('\0')) {
      const what = options.lenient ? 'NUL byte (0x00) or invalid UTF-8' : 'NUL byte (0x00)';
      options.onBadRecord({ line: lineNo, reason: `${what} in this line`, raw: trimmed });
      return;
    }
    let value: unknown;
    try {
      value = parseJson(trimmed);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      options.onBadRecord({
        line: lineNo,
        column: positionOf(trimmed, error.offset, lineNo).column,
        reason: `invalid JSON: ${error.message}`,
        raw: trimmed,
      });
      return;
    }
    if (!isRecord(value)) {
      options.onBadRecord({ line: lineNo, reason: 'expected a JSON object on this line', raw: trimmed });
      return;
    }
    out.records.push(value);
    out.lines.push(lineNo);
    out.ordinals.push(ordinal);
    out.ends.push(end);
  }

  return {
    kind: 'objects',
    name: options.name,
    unit: 'line',
    totalBytes: options.totalBytes,
    close: () => input.destroy(),
    bytesRead: () => counter.bytes,
    async *batches() {
      // Byte offset where `pending` starts; lines are measured only when the text is not ASCII.
      let offset = start?.offset ?? 0;
      let failure: unknown;
      try {
        for await (const decodedText of texts) {
          let text = decodedText.text;
          let bytes = decodedText.bytes;
          if (pending === '') offset += decodedText.skipped;
          if (droppingLongLine) {
            // The rest of a refused over-long line, up to its newline, is dropped unread.
            const nl = text.indexOf('\n');
            if (nl === -1) {
              offset += bytes;
              continue;
            }
            const droppedBytes = Buffer.byteLength(text.slice(0, nl + 1));
            offset += droppedBytes;
            bytes -= droppedBytes;
            text = text.slice(nl + 1);
            droppingLongLine = false;
          }
          const out = emptyBatch<Record<string, unknown>>();
          const buf = pending + text;
          const ascii = bytes === text.length && Buffer.byteLength(pending) === pending.length;
          let pos = 0;
          try {
            for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', pos)) {
              offset += ascii ? nl + 1 - pos : Buffer.byteLength(buf.slice(pos, nl + 1));
              parseLine(buf.slice(pos, nl), offset, out);
              pos = nl + 1;
            }
          } catch (error) {
            // The lines before the bad one go first (see delimited-source.ts).
            if (out.records.length === 0) throw error;
            failure = error;
          }
          if (out.records.length > 0) yield out;
          if (failure !== undefined) throw failure;
          pending = buf.slice(pos);
          // A line is capped as CSV records are: a file with no newline must not fill memory.
          if (pending.length > MAX_RECORD_CHARS) {
            const lineNo = line++;
            const raw = pending.slice(0, 200);
            offset += Buffer.byteLength(pending);
            pending = '';
            droppingLongLine = true;
            options.onBadRecord({
              line: lineNo,
              reason: `line longer than ${MAX_RECORD_CHARS} characters`,
              raw,
            });
          }
        }
        const out = emptyBatch<Record<string, unknown>>();
        if (pending !== '') parseLine(pending, offset + Buffer.byteLength(pending), out);
        pending = '';
        if (out.records.length > 0) yield out;
      } finally {
        input.destroy();
      }
    },
  };
}

/** Only JSON's own whitespace (RFC 8259: space, tab, CR; LF ends the line): `trim()` also drops NBSP and BOM. */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
