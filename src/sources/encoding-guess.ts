/**
 * A small, honest guess at what a file that is not UTF-8 is, for the hint of the invalid-UTF-8
 * error. It only ever says "most likely": nothing is decoded on a guess (the default stays strict
 * UTF-8). The evidence, in order:
 *
 * - many zero bytes at even or odd positions: UTF-16 (big- or little-endian);
 * - high bytes in runs that Shift_JIS decodes with kana among them: shift_jis; runs that GBK
 *   decodes into Han characters only: gbk; other runs that Shift_JIS decodes: shift_jis;
 * - high bytes standing alone between ASCII bytes (accented letters, cp1252 quotes and dashes in
 *   0x80-0x9F): windows-1252.
 */
export function guessEncoding(sample: Uint8Array, atStart = true): string | undefined {
  const n = sample.length;
  if (n < 2) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  let high = 0;
  let alone = 0;
  for (let i = 0; i < n; i++) {
    const b = sample[i]!;
    if (b === 0) {
      if (i % 2 === 0) evenZeros++;
      else oddZeros++;
    } else if (b >= 0x80) {
      high++;
      if ((i === 0 || sample[i - 1]! < 0x80) && (i === n - 1 || sample[i + 1]! < 0x80)) alone++;
    }
  }
  const half = n / 2;
  if (oddZeros > half * 0.25 && oddZeros > evenZeros * 4) return 'utf-16le';
  if (evenZeros > half * 0.25 && evenZeros > oddZeros * 4) return 'utf-16be';
  if (high === 0) return undefined;
  if (alone * 2 >= high) return 'windows-1252';
  const text = wholeLines(sample, atStart);
  const sjis = decodes('shift_jis', text);
  if (sjis !== undefined && /[\u3040-\u30ff]/.test(sjis)) return 'shift_jis';
  const gbk = decodes('gbk', text);
  if (gbk !== undefined && /^[\p{Script=Han}\u3000-\u303f\uff00-\uffef]*$/u.test(nonAscii(gbk))) return 'gbk';
  if (sjis !== undefined) return 'shift_jis';
  return 'windows-1252';
}

/**
 * The sample's whole lines, so no two-byte character is cut: from its first line start (the
 * sample's start when it is the file's) to its last newline.
 */
function wholeLines(sample: Uint8Array, atStart: boolean): Uint8Array {
  const first = atStart ? 0 : sample.indexOf(0x0a) + 1;
  const last = sample.lastIndexOf(0x0a);
  return last > first ? sample.subarray(first, last + 1) : sample.subarray(first);
}

function decodes(encoding: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function nonAscii(text: string): string {
  let out = '';
  for (const c of text) if (c.charCodeAt(0) >= 0x80) out += c;
  return out;
}
