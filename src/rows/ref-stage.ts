import { SluiceError } from '../errors.js';
import type { PreparedLoad } from '../prepare.js';
import { csvField } from '../rejects/rejects-file.js';
import type { RecordBatch, TextField } from '../sources/source.js';
import { jsonText } from '../util/json-text.js';

type AnyBatch = RecordBatch<TextField[]> | RecordBatch<Record<string, unknown>>;

/**
 * The refs stage of a load, between the source and the row mapper: keys become ids. A record
 * whose key no parent has ends the batch before it in abort mode (the rows before it are written
 * first, then the error names its value and line), and goes to the rejects in skip mode.
 */
export async function resolveRefBatch(
  prepared: PreparedLoad,
  batch: AnyBatch,
  onError: 'abort' | 'skip',
): Promise<{ batch: AnyBatch; failure?: SluiceError }> {
  const { resolver, header } = prepared.refs!;
  const source = prepared.source;
  const raw =
    onError === 'skip'
      ? batch.records.map((r) => recordText(r, source.kind === 'text' ? source.delimiter : undefined))
      : undefined;
  const refused = await resolver.resolve(batch, header);
  if (refused.length === 0) return { batch };
  if (onError === 'abort') {
    const { index, reason } = refused[0]!;
    const failure = new SluiceError('BAD_INPUT', reason, {
      location: { source: source.name, line: batch.lines[index], unit: source.unit },
      hint: '--create-missing-refs (createMissingRefs: true) inserts the missing parents first; --on-error skip rejects such rows',
    });
    return { batch: keep(batch, (i) => i < index), failure };
  }
  const out = new Set(refused.map((r) => r.index));
  for (const { index, reason } of refused)
    prepared.rejects!.add({ line: batch.lines[index]!, code: 'BAD_INPUT', reason, record: raw![index]! });
  return { batch: keep(batch, (i) => !out.has(i)) };
}

function keep(batch: AnyBatch, wanted: (index: number) => boolean): AnyBatch {
  const picked: number[] = [];
  for (let i = 0; i < batch.records.length; i++) if (wanted(i)) picked.push(i);
  return {
    records: picked.map((i) => batch.records[i]!),
    lines: picked.map((i) => batch.lines[i]!),
    ordinals: picked.map((i) => batch.ordinals[i]!),
    ends: picked.map((i) => batch.ends[i]!),
  } as AnyBatch;
}

/** A record as the rejects file shows it, before its keys were replaced. */
function recordText(record: TextField[] | Record<string, unknown>, delimiter: string | undefined): string {
  if (Array.isArray(record))
    return record.map((v) => (v === null ? '' : csvField(String(v)))).join(delimiter ?? ',');
  return jsonText(record) ?? '';
}
