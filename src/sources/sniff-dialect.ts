/**
 * Guesses a delimited file's delimiter and quote from its first lines, in the manner of Python's
 * csv.Sniffer but simpler: for each candidate delimiter, count the fields of each of the first
 * records (honouring quotes); the candidate whose count is the same, and at least 2, on every
 * record wins. Ties go to the earlier candidate (`, ; \t |`). The quote is `"` unless the sample
 * has fields wrapped in `'` and none wrapped in `"`.
 *
 * It returns only a guess: the caller prints it (summary, explain) and the user can override it.
 * The parser's delimiter option (issue 16's `--delimiter`) is the place a guess is handed to; until
 * it exists the guess goes to CsvParser's delimiter directly (delimited-source.ts).
 */
export interface SniffedDialect {
  readonly delimiter: string;
  readonly quote: string;
}

export const SNIFF_DELIMITERS: readonly string[] = [',', ';', '\t', '|'];

/** Records looked at: enough to see a pattern, few enough to stay in the first read chunk. */
const SAMPLE_RECORDS = 20;

/** `whole`: the sample is the whole input, so its last line counts even without a newline. */
export function sniffDialect(sample: string, whole = false): SniffedDialect | undefined {
  const quote = sniffQuote(sample);
  let best: { delimiter: string; fields: number; agreeing: number } | undefined;
  for (const delimiter of SNIFF_DELIMITERS) {
    const counts = fieldCounts(whole && !sample.endsWith('\n') ? sample + '\n' : sample, delimiter, quote);
    if (counts.length === 0 || counts[0]! < 2) continue;
    const agreeing = counts.filter((n) => n === counts[0]).length;
    // Every record must agree for a guess; among those, the one seen on the most records wins.
    if (agreeing !== counts.length) continue;
    if (best === undefined || agreeing > best.agreeing) best = { delimiter, fields: counts[0]!, agreeing };
  }
  return best === undefined ? undefined : { delimiter: best.delimiter, quote };
}

/** The first line of the sample (its header), for the "no comma in the header" test. */
export function firstLine(sample: string): string {
  const newline = sample.indexOf('\n');
  return newline === -1 ? sample : sample.slice(0, newline);
}

/** Fields per complete record of the sample (a record cut by the sample's end is left out). */
function fieldCounts(sample: string, delimiter: string, quote: string): number[] {
  const counts: number[] = [];
  let fields = 1;
  let quoted = false;
  let empty = true;
  for (let i = 0; i < sample.length && counts.length < SAMPLE_RECORDS; i++) {
    const c = sample[i]!;
    if (quoted) {
      if (c === quote) {
        if (sample[i + 1] === quote) i++;
        else quoted = false;
      }
      continue;
    }
    if (c === quote) quoted = true;
    else if (c === delimiter) fields++;
    else if (c === '\n') {
      if (!empty) counts.push(fields);
      fields = 1;
      empty = true;
      continue;
    } else if (c === '\r') continue;
    empty = false;
  }
  return counts;
}

function sniffQuote(sample: string): string {
  const wrapped = (q: string) =>
    new RegExp(`(^|[,;\\t|])${q}[^${q}\\n]*${q}(?=[,;\\t|\\r\\n]|$)`, 'gm').exec(sample) !== null;
  return !wrapped('"') && wrapped("'") ? "'" : '"';
}
