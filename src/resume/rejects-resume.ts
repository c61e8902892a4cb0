import { createReadStream, existsSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { csvField } from '../rejects/rejects-file.js';
import { CsvParser } from '../sources/csv-parser.js';
import { emptyBatch, type TextField } from '../sources/source.js';

/**
 * Before a resumed load appends to its rejects file: keeps the rejects of lines before `line` (the
 * checkpoint's position) and drops the rest, which the interrupted run wrote for records it had
 * read ahead of its last COMMIT and which the resumed run reads, and rejects, again. So every
 * rejected line is in the file once, however many times the load was resumed. Returns the rejects
 * kept. Streams: the file is rewritten beside itself and renamed over it.
 */
export async function keepRejectsBefore(path: string, line: number): Promise<number> {
  if (!existsSync(path)) return 0;
  const parser = new CsvParser(',', () => undefined);
  const temporary = `${path}.sluice-resume`;
  const out = await open(temporary, 'w');
  let kept = 0;
  const write = async (records: TextField[][]) => {
    let text = '';
    for (const record of records) {
      if (Number(record[0]) >= line) continue;
      kept++;
      text += record.map((f) => csvField(f ?? '')).join(',') + '\n';
    }
    if (text !== '') await out.write(text);
  };
  try {
    await out.write('line,code,reason,record\n');
    for await (const chunk of createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>) {
      const batch = emptyBatch<TextField[]>();
      parser.push(chunk, batch);
      await write(batch.records);
    }
    const batch = emptyBatch<TextField[]>();
    parser.end(batch);
    await write(batch.records);
  } finally {
    await out.close();
  }
  await rename(temporary, path);
  return kept;
}
