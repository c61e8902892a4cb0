/**
 * The guide's table with the user's numbers, as text: method, rows, seconds, rows/s, speed
 * against the slowest rung, peak memory; then what auto chose and why, and a text bar per method
 * (log scale, like the chart).
 */
import type { BenchResult, RungResult } from './bench-result.js';
import type { Spread } from './stats.js';

const BAR_WIDTH = 40;
const BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  return s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : s.toFixed(0);
}

function spreadText(spread: Spread, format: (n: number) => string, runs: number): string {
  if (runs < 2) return format(spread.median);
  return `${format(spread.median)} (${format(spread.min)}–${format(spread.max)})`;
}

export function relativeText(relative: number | undefined): string {
  if (relative === undefined) return '';
  return relative < 10 ? `${relative.toFixed(1)}x` : `${Math.round(relative)}x`;
}

/** The rung's name as the table and chart show it: `auto → copy`, `row*` when scaled. */
export function rungLabel(rung: RungResult): string {
  const name = rung.method === 'auto' && rung.ran !== undefined ? `auto → ${rung.ran}` : rung.method;
  return rung.scaled ? `${name}*` : name;
}

export function describeSchema(result: BenchResult): string {
  return result.schema.kind === 'users'
    ? "the guide's users table (unique username, foreign key to roles)"
    : `copies of ${result.schema.table}`;
}

export function benchTable(result: BenchResult): string {
  const { database, runs } = result;
  const lines: string[] = [];
  const what = result.upsert === undefined ? 'rows into' : 'rows upserted into';
  lines.push(
    `sluice bench: ${database.product} ${database.version}, ${count(result.rows)} ${what} ${describeSchema(result)}, ` +
      `${runs === 1 ? '1 run' : `median of ${runs} runs (range in brackets)`}, sluice ${result.sluiceVersion}`,
    '',
  );
  const header = ['method', 'rows', 'seconds', 'rows/s', 'vs slowest', 'peak RSS MB'];
  const body = result.rungs.map((rung) => {
    if (rung.unavailable !== undefined) return [rung.method, `not available: ${rung.unavailable}`];
    return [
      rungLabel(rung),
      count(rung.rows),
      (rung.scaled ? '≈ ' : '') + spreadText(rung.seconds, seconds, runs),
      spreadText(rung.rowsPerSecond, count, runs),
      relativeText(rung.relative),
      spreadText(rung.peakRssMB, (n) => n.toFixed(0), runs),
    ];
  });
  lines.push(...aligned([header, ...body], [false, true, true, true, true, true]));
  lines.push('');
  for (const rung of result.rungs) {
    if (rung.scaled)
      lines.push(
        `* ${rung.method} ran on a sample of ${count(rung.rowsRun)} rows (one INSERT and one commit each); its time is scaled to ${count(rung.rows)}`,
      );
  }
  lines.push(
    'seconds: the load alone (rows in to COMMIT acknowledged); peak RSS: the client process of each rung (each runs in its own)',
  );
  if (result.upsert !== undefined)
    lines.push(`upsert on ${result.upsert.key?.join(', ') ?? 'the primary key'}: ${result.upsert.prefilled}`);
  if (result.auto !== undefined) {
    lines.push('', `auto chose ${result.auto.method}:`, ...result.auto.reasons.map((r) => `  - ${r}`));
  }
  if (result.notes.length > 0) lines.push('', 'notes:', ...result.notes.map((n) => `  - ${n}`));
  lines.push('', 'rows/s (log scale):', ...bars(result));
  return lines.join('\n') + '\n';
}

/** Columns padded to their widest cell; a row with fewer cells runs its last one on. */
function aligned(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const full = rows.filter((r) => r.length === rows[0]!.length);
  const widths = rows[0]!.map((_, c) => Math.max(...full.map((r) => [...r[c]!].length)));
  return rows.map((row) =>
    row
      .map((cell, c) => {
        if (row.length !== rows[0]!.length && c === row.length - 1) return cell;
        const pad = ' '.repeat(Math.max(0, widths[c]! - [...cell].length));
        return right[c] ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The log10 span the bars are drawn over: from a decade line at least 0.3 decades below the
 * slowest rate (so its bar is never a sliver) to a little past the fastest.
 */
export function logRange(rates: readonly number[]): [number, number] {
  const lo = Math.floor(Math.log10(Math.min(...rates)) - 0.3);
  const hi = Math.max(lo + 1, Math.log10(Math.max(...rates)) + 0.12);
  return [lo, hi];
}

function bars(result: BenchResult): string[] {
  const ran = result.rungs.filter((r) => r.unavailable === undefined && r.rowsPerSecond.median > 0);
  if (ran.length === 0) return [];
  const [lo, hi] = logRange(ran.map((r) => r.rowsPerSecond.median));
  const labelWidth = Math.max(...result.rungs.map((r) => rungLabel(r).length));
  return result.rungs.map((rung) => {
    const label = rungLabel(rung).padEnd(labelWidth);
    if (rung.unavailable !== undefined) return `${label}  (not available)`;
    const eighths = Math.max(
      1,
      Math.round(((Math.log10(rung.rowsPerSecond.median) - lo) / (hi - lo)) * BAR_WIDTH * 8),
    );
    const bar = '█'.repeat(Math.floor(eighths / 8)) + BLOCKS[eighths % 8]!;
    return `${label}  ${bar.padEnd(BAR_WIDTH)}  ${count(rung.rowsPerSecond.median)} ${relativeText(rung.relative)}`.trimEnd();
  });
}
