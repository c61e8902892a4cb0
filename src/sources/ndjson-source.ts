import type { Readable } from 'node:stream';
import { countNewlines, decodeChunks } from './byte-chunks.js';
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
}

/** Newline-delimited JSON: one object per line, blank lines skipped. */
export function openNdjson(input: Readable, options: NdjsonOptions): ObjectSource {
  const { start } = options;
  const counter = { bytes: start?.offset ?? 0 };
  let line = start?.line ?? 1;
  let ordinal = start?.ordinal ?? 0;
  let pending = '';
  const texts = decodeChunks(
    input,
    counter,
    options.name,
    (prefix) => line + countNewlines(pending + prefix),
    options.lenient,
    start === undefined,
  );

  /** `end`: the byte offset just after the line's newline. */
  function parseLine(text: string, end: number, out: RecordBatch<Record<string, unknown>>): void {
    const lineNo = line++;
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() === '') return;
    ordinal++;
    if (trimmed.includes('\0')) {
      const what = options.lenient ? 'NUL byte (0x00) or invalid UTF-8' : 'NUL byte (0x00)';
      options.onBadRecord({ line: lineNo, reason: `${what} in this line`, raw: trimmed });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      options.onBadRecord({
        line: lineNo,
        reason: `invalid JSON: ${(error as Error).message}`,
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
        for await (const { text, bytes, skipped } of texts) {
          const out = emptyBatch<Record<string, unknown>>();
          if (pending === '') offset += skipped;
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
