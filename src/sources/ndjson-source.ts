import type { Readable } from 'node:stream';
import { countNewlines, decodeChunks } from './byte-chunks.js';
import { isRecord } from './object-source.js';
import type { BadRecordHandler, ObjectSource, RecordBatch } from './source.js';

export interface NdjsonOptions {
  readonly name: string;
  readonly totalBytes?: number;
  readonly onBadRecord: BadRecordHandler;
  /** Skip mode: invalid UTF-8 rejects its line instead of stopping the load. */
  readonly lenient?: boolean;
}

/** Newline-delimited JSON: one object per line, blank lines skipped. */
export function openNdjson(input: Readable, options: NdjsonOptions): ObjectSource {
  const counter = { bytes: 0 };
  let line = 1;
  let pending = '';
  const texts = decodeChunks(
    input,
    counter,
    options.name,
    () => line + countNewlines(pending),
    options.lenient,
  );

  function parseLine(text: string, out: RecordBatch<Record<string, unknown>>): void {
    const lineNo = line++;
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() === '') return;
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
  }

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
          const buf = pending + text;
          let pos = 0;
          for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', pos)) {
            parseLine(buf.slice(pos, nl), out);
            pos = nl + 1;
          }
          pending = buf.slice(pos);
          if (out.records.length > 0) yield out;
        }
        const out: RecordBatch<Record<string, unknown>> = { records: [], lines: [] };
        if (pending !== '') parseLine(pending, out);
        pending = '';
        if (out.records.length > 0) yield out;
      } finally {
        input.destroy();
      }
    },
  };
}
