import { SluiceError } from '../errors.js';

/**
 * The character encodings sluice reads: the WHATWG Encoding Standard's, decoded by Node's own
 * TextDecoder (full ICU), so there are no hand-written tables here. What sluice adds is knowing,
 * per encoding, whether a record's end in the decoded text is also a byte offset in the file:
 *
 * - `utf-8`: the parsers measure the text they cut (byte ends exact);
 * - `single-byte` (windows-1252, iso-8859-x, koi8-r …): one byte per character, so a character
 *   count is a byte count (exact, a resume can seek);
 * - `utf-16` and `multi-byte` (shift_jis, gbk, euc-jp …): the ends are positions in the decoded
 *   text, not in the file, so such a file cannot be resumed by seeking (resumable-load.ts refuses).
 */
export type EncodingKind = 'utf-8' | 'single-byte' | 'utf-16' | 'multi-byte';

export interface TextEncoding {
  /** The WHATWG name (windows-1252, shift_jis, utf-16le …). */
  readonly name: string;
  readonly kind: EncodingKind;
  /** How it was chosen: the option, a UTF-16 byte-order mark, or the default (UTF-8). */
  readonly by: 'option' | 'bom' | 'default';
}

export const UTF8: TextEncoding = { name: 'utf-8', kind: 'utf-8', by: 'default' };

const MULTI_BYTE = new Set(['gbk', 'gb18030', 'big5', 'euc-jp', 'iso-2022-jp', 'shift_jis', 'euc-kr']);

/** Examples for the unknown-name error; all other WHATWG labels are accepted too. */
const KNOWN_EXAMPLES = [
  'utf-8',
  'windows-1252',
  'iso-8859-15',
  'utf-16le',
  'utf-16be',
  'shift_jis',
  'gbk',
  'euc-kr',
  'big5',
  'koi8-r',
];

/**
 * The encoding a name (any WHATWG label, case-insensitive: `latin1`, `cp1252`, `sjis` …) stands
 * for. Note the standard's own mapping: `latin1` and `iso-8859-1` are labels of windows-1252
 * (0x80 is €, as browsers read such files), not of the ISO table with C1 controls.
 */
export function resolveEncoding(name: string): TextEncoding {
  let canonical: string;
  try {
    canonical = new TextDecoder(name.trim()).encoding;
  } catch {
    throw unknownEncoding(name);
  }
  // 'utf-16' (no endianness) is a label of utf-16le, as the standard says.
  if (canonical === 'utf-8') return { ...UTF8, by: 'option' };
  if (canonical === 'utf-16le' || canonical === 'utf-16be')
    return { name: canonical, kind: 'utf-16', by: 'option' };
  if (MULTI_BYTE.has(canonical)) return { name: canonical, kind: 'multi-byte', by: 'option' };
  return { name: canonical, kind: 'single-byte', by: 'option' };
}

/** Checks a name early (options validation), with the same error as when it is used. */
export function checkEncodingName(name: string): void {
  resolveEncoding(name);
}

function unknownEncoding(name: string): SluiceError {
  return new SluiceError('BAD_USAGE', `unknown encoding ${JSON.stringify(name)}`, {
    hint: `use a WHATWG encoding name, e.g. ${KNOWN_EXAMPLES.join(', ')}`,
  });
}

/**
 * The encoding the file's first bytes declare with a UTF-16 byte-order mark, if any. FF FE and
 * FE FF can start no UTF-8 text, so reading them as UTF-16 when no encoding was given guesses
 * nothing. Returns undefined for no UTF-16 BOM.
 */
export function utf16FromBom(head: Uint8Array): TextEncoding | undefined {
  if (head.length < 2) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return { name: 'utf-16le', kind: 'utf-16', by: 'bom' };
  if (head[0] === 0xfe && head[1] === 0xff) return { name: 'utf-16be', kind: 'utf-16', by: 'bom' };
  return undefined;
}

/** Whether record ends measured in the decoded text are byte offsets in the file (resume can seek). */
export function byteExact(encoding: TextEncoding): boolean {
  return encoding.kind === 'utf-8' || encoding.kind === 'single-byte';
}

/** "windows-1252", "utf-16le (byte-order mark)", for explain and the summary. */
export function describeEncoding(encoding: TextEncoding): string {
  return encoding.by === 'bom' ? `${encoding.name} (from its byte-order mark)` : encoding.name;
}
