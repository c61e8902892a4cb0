import type { TextField } from '../../src/sources/source.js';

/**
 * How LOAD DATA reads its escaped text format (FIELDS TERMINATED BY `delimiter` ESCAPED BY '\'
 * LINES TERMINATED BY '\n', no ENCLOSED BY), written from the MySQL manual independently of the
 * encoders under test: `\N` alone is NULL; `\0 \b \n \r \t \Z` are NUL, backspace, newline, CR,
 * tab and 0x1A; a backslash before any other character (the delimiter, a backslash) keeps it.
 */
export function decodeLoadData(bytes: Buffer, delimiter: string): TextField[][] {
  const records: TextField[][] = [];
  const text = bytes.toString('latin1'); // byte per char: escapes are ASCII, UTF-8 restored below
  const special: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };
  let fields: TextField[] = [];
  let field = '';
  let i = 0;
  const finishField = (): void => {
    fields.push(field === '\\N' ? null : Buffer.from(unescape(field), 'latin1').toString('utf8'));
    field = '';
  };
  const unescape = (raw: string): string => {
    let out = '';
    for (let k = 0; k < raw.length; k++) {
      if (raw[k] === '\\' && k + 1 < raw.length) {
        const next = raw[++k]!;
        out += special[next] ?? next;
      } else out += raw[k];
    }
    return out;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      field += c + text[i + 1];
      i += 2;
      continue;
    }
    if (c === delimiter) finishField();
    else if (c === '\n') {
      finishField();
      records.push(fields);
      fields = [];
    } else field += c;
    i++;
  }
  if (field !== '' || fields.length > 0) throw new Error('the bytes do not end with a newline');
  return records;
}
