import type { CsvDialect } from '../../src/util/csv-dialect.js';

/**
 * Random CSV for the scanner agreement tests: a seeded generator (mulberry32), so a failure
 * names its seed and replays exactly. `clean` files are what a careful exporter writes (quotes
 * only where needed or wanted, one line end style); the others add every form a scanner could
 * read differently: stray quotes, text after a closing quote, bare CR, mixed line ends, blank
 * lines, wrong field counts, an unterminated quote, `\.` lines, NUL bytes and invalid UTF-8.
 */

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

export interface RandomCsv {
  readonly bytes: Buffer;
  readonly delimiter: ',' | '\t';
}

const BOM = '\uFEFF';
/** Text a field may hold; the escapes and markers of COPY and LOAD DATA among it. */
const PLAIN = ['a', 'xyz', '42', ' ', 'é', '😀', '中文', '\\', '\\.', '.', '\\N', 'N', 'NULL', BOM, '\x1a'];
/** What makes a field need quotes. */
const SPECIAL = ['"', '""', '\n', '\r', '\r\n', ',', '\t'];

function value(random: Random): string {
  let text = '';
  for (let n = random.int(4); n > 0; n--)
    text += random.chance(0.3) ? random.pick(SPECIAL) : random.pick(PLAIN);
  return text;
}

function needsQuotes(text: string, delimiter: string): boolean {
  return /["\r\n]/.test(text) || text.includes(delimiter);
}

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function field(random: Random, delimiter: string, clean: boolean): string {
  const text = value(random);
  if (!clean && random.chance(0.15)) {
    // Forms a careful writer never produces.
    switch (random.int(4)) {
      case 0:
        return text; // unquoted whatever it holds
      case 1:
        return `${quoted(text)}${random.pick(['x', ' ', '"', '\r'])}`; // text after the closing quote
      case 2:
        return `x"${text}`; // a quote inside an unquoted field
      default:
        return `"${text}`; // a quote that may never close
    }
  }
  if (needsQuotes(text, delimiter) || random.chance(0.3)) return quoted(text);
  return text;
}

function record(random: Random, width: number, delimiter: string, clean: boolean): string {
  let count = width;
  if (!clean && random.chance(0.1)) count = Math.max(1, width + random.pick([-1, 1]));
  if (width === 1 && random.chance(0.05)) return '\\.'; // COPY's end-of-data marker
  return Array.from({ length: count }, () => field(random, delimiter, clean)).join(delimiter);
}

export function randomCsv(random: Random, clean: boolean): RandomCsv {
  const delimiter = random.chance(0.5) ? ',' : '\t';
  const eol = random.chance(0.5) ? '\n' : '\r\n';
  const width = 1 + random.int(4);
  let text = random.chance(0.2) ? BOM : '';
  if (!clean && random.chance(0.1)) text += BOM;
  const rows = [record(random, width, delimiter, clean)];
  for (let n = random.int(7); n > 0; n--) rows.push(record(random, width, delimiter, clean));
  for (let r = 0; r < rows.length; r++) {
    text += rows[r];
    if (r === rows.length - 1 && random.chance(0.4)) break; // no line end after the last record
    text += clean || random.chance(0.8) ? eol : random.pick(['\n', '\r\n', '\r']);
    if (!clean && random.chance(0.08)) text += random.pick(['\n', '\r\n', '\\.\n']);
  }
  let bytes = Buffer.from(text);
  if (!clean && random.chance(0.1)) {
    // A NUL or a byte that is not UTF-8 anywhere, even inside a character.
    const at = random.int(bytes.length + 1);
    const odd = Buffer.from([random.pick([0x00, 0xff, 0xc3])]);
    bytes = Buffer.concat([bytes.subarray(0, at), odd, bytes.subarray(at)]);
  }
  return { bytes, delimiter };
}

/** Cut points for `length` bytes: none, each single one, some random sets, one byte at a time. */
export function cutSets(random: Random, length: number, every: boolean): number[][] {
  const sets: number[][] = [[]];
  if (every) for (let at = 1; at < length; at++) sets.push([at]);
  for (let n = 0; n < 4; n++) {
    const cuts = new Set<number>();
    for (let k = 1 + random.int(5); k > 0; k--) cuts.add(1 + random.int(Math.max(1, length - 1)));
    sets.push([...cuts].filter((c) => c < length).sort((a, b) => a - b));
  }
  sets.push(Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1));
  return sets;
}

export function chunksAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  return chunks;
}

/** A file in a random dialect (other delimiters, quotes, NULL strings, headers, preambles). */
export interface RandomDialectCsv {
  readonly bytes: Buffer;
  readonly dialect: CsvDialect;
  readonly width: number;
}

const DIALECT_PLAIN = [...PLAIN, 'NA', "'", ';', '|', ''];

/**
 * A random dialect and a file written in it: delimiter `,` tab `;` `|`, quote `"` `'` or none, an
 * escape character now and then, NULL strings, no header (clean files only: a headerless first
 * record of the wrong width is a usage error, not a bad record) and preamble lines.
 */
export function randomDialectCsv(random: Random, clean: boolean): RandomDialectCsv {
  const delimiter = random.pick([',', '\t', ';', '|']);
  const quote = random.pick(['"', '"', "'", '']);
  const escape = random.chance(0.2) ? random.pick(['\\', '^']) : '';
  const nullStrings = random.pick([[''], [''], ['NA'], ['', 'NULL'], [], ['\\N']]);
  const nullQuoted = quote !== '' && random.chance(0.2);
  const header = !clean || random.chance(0.7);
  const skipLines = random.chance(0.3) ? 1 + random.int(2) : 0;
  const dialect: CsvDialect = { delimiter, quote, escape, header, skipLines, nullStrings, nullQuoted };
  const eol = random.chance(0.5) ? '\n' : '\r\n';
  const width = 1 + random.int(4);
  const special = ['\n', '\r', '\r\n', delimiter, ...(quote === '' ? [] : [quote, quote + quote])];
  const valueOf = (): string => {
    let text = '';
    for (let n = random.int(4); n > 0; n--)
      text += random.chance(0.3) ? random.pick(special) : random.pick(DIALECT_PLAIN);
    return text;
  };
  const fieldOf = (): string => {
    const text = valueOf();
    if (quote === '') {
      // No quoting: a careful writer escapes, or writes nothing that needs it.
      if (escape !== '')
        return text.replace(/[\s\S]/g, (c) =>
          c === delimiter || c === '\n' || c === escape ? escape + c : c,
        );
      return text.replace(/[\r\n]/g, '').replaceAll(delimiter, '');
    }
    if (!clean && random.chance(0.15)) return random.chance(0.5) ? text : `${quote}${text}`;
    const needs =
      text.includes(quote) ||
      /[\r\n]/.test(text) ||
      text.includes(delimiter) ||
      (escape !== '' && text.includes(escape));
    if (needs || random.chance(0.3)) {
      const inner =
        escape === ''
          ? text.replaceAll(quote, quote + quote)
          : text.replace(/[\s\S]/g, (c) => (c === quote || c === escape ? escape + c : c));
      return `${quote}${inner}${quote}`;
    }
    return text;
  };
  const recordOf = (first: boolean): string => {
    let count = width;
    if (!clean && !first && random.chance(0.1)) count = Math.max(1, width + random.pick([-1, 1]));
    return Array.from({ length: count }, fieldOf).join(delimiter);
  };
  let text = random.chance(0.2) ? BOM : '';
  for (let n = 0; n < skipLines; n++) text += `${valueOf().replace(/[\r\n]/g, '')}${eol}`;
  const rows = [recordOf(true)];
  for (let n = random.int(7); n > 0; n--) rows.push(recordOf(false));
  for (let r = 0; r < rows.length; r++) {
    text += rows[r];
    if (r === rows.length - 1 && random.chance(0.4)) break;
    text += clean || random.chance(0.8) ? eol : random.pick(['\n', '\r\n', '\r']);
    if (!clean && random.chance(0.08)) text += random.pick(['\n', '\r\n']);
  }
  return { bytes: Buffer.from(text), dialect, width };
}
