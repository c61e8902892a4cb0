import { SluiceError, excerpt } from '../errors.js';
import type { TextField } from '../sources/source.js';

/** The columns of a CSV/TSV header as a table sluice creates will have them. */
export interface NamedHeader {
  /** One name per header position: the header's own, generated for an empty one, suffixed for a repeat. */
  readonly names: readonly string[];
  /** Header positions (0-based) left out of the table: unnamed, and empty in every sampled record. */
  readonly omitted: readonly number[];
  /** What was renamed or left out, for the report and explain. */
  readonly notes: readonly string[];
}

/**
 * Names for a table created from a header, the way DuckDB's CSV reader names them: an empty name
 * becomes `column` + its 0-based position, zero-padded to the width of the last position (`column7`
 * of 8 columns, `column07` of 11), and a name seen before (compared without case, as MySQL and
 * SQLite compare column names) gets `_1`, `_2`, ... A generated or suffixed name never takes a name
 * the header itself uses. An unnamed column whose every sampled field is empty (NULL) is left out:
 * a header line that ends with a delimiter, as many exports write it, adds no column. `complete`
 * says the sample is the whole input; otherwise a later record may still have a value there, and
 * the row mapper refuses it.
 */
export function nameHeader(
  header: readonly string[],
  records: readonly (readonly TextField[])[],
  complete: boolean,
): NamedHeader {
  const taken = new Set(header.filter((n) => n !== '').map(fold));
  const used = new Set<string>();
  const width = String(Math.max(header.length - 1, 0)).length;
  const names: string[] = [];
  const omitted: number[] = [];
  const notes: string[] = [];
  const sampled = complete ? 'in any record' : `in the first ${records.length} records`;
  const empty = header.map((name, index) => name === '' && records.every((r) => r[index] == null));
  // A table needs a column: when every column would go, none does.
  const omit = empty.includes(false);
  header.forEach((name, index) => {
    const position = `column ${index + 1} of the header`;
    let final = name;
    if (name === '') {
      final = unused(`column${String(index).padStart(width, '0')}`, taken, used);
      if (omit && empty[index]) {
        omitted.push(index);
        notes.push(`${position} has no name and no value ${sampled}: left out of the table`);
      } else {
        notes.push(`${position} has no name: named ${excerpt(final)}`);
      }
    } else if (used.has(fold(name))) {
      final = unused(name, taken, used, 1);
      notes.push(`${position} repeats the name ${excerpt(name)}: named ${excerpt(final)}`);
    }
    used.add(fold(final));
    names.push(final);
  });
  return { names, omitted, notes };
}

/**
 * Loading into an existing table: every header position must name a column, and only one. The
 * table's columns are listed so the header (or --columns) can be fixed.
 */
export function checkHeaderNames(
  header: readonly string[],
  source: string,
  tableColumns: readonly string[],
  /** The header's line: after the skipped preamble lines. */
  line = 1,
): void {
  // Exact names: "a" and "A" may be two columns of the table (PostgreSQL); the row mapper refuses
  // two header names that find the same column.
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    if (name === '') {
      throw new SluiceError('BAD_INPUT', `column ${index + 1} of the header has no name`, {
        location: { source, line },
        hint: `the table has: ${tableColumns.join(', ')}; name it in the header, or let sluice create a new table, which names it`,
      });
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new SluiceError(
        'BAD_INPUT',
        `columns ${first + 1} and ${index + 1} of the header are both named ${excerpt(name)}`,
        {
          location: { source, line },
          hint: `the table has: ${tableColumns.join(', ')}; rename one in the header, or let sluice create a new table, which names it ${excerpt(`${name}_1`)}`,
        },
      );
    }
    seen.set(name, index);
  });
}

function unused(base: string, taken: ReadonlySet<string>, used: ReadonlySet<string>, from = 0): string {
  for (let n = from; ; n++) {
    const candidate = n === 0 ? base : `${base}_${n}`;
    if (!used.has(fold(candidate)) && !taken.has(fold(candidate))) return candidate;
  }
}

function fold(name: string): string {
  return name.toLowerCase();
}
