/**
 * The bench as a chart that reads on its own: a horizontal bar per method, rows/s on a log scale
 * (the ladder spans two or three decades), each bar labelled with its rate and its speed against
 * the slowest rung; title, database and version, rows, date and sluice version on top; what was
 * scaled and what auto chose underneath. Plain SVG 1.1 text, no scripts, no external fonts.
 */
import type { BenchResult, RungResult } from './bench-result.js';
import { count, describeSchema, logRange, relativeText, rungLabel } from './bench-table.js';

const WIDTH = 860;
const LEFT = 150; // the method labels
const PLOT = 480; // the bars' longest reach
const ROW = 38;
const BAR = 24;
const TOP = 96;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const BAR_COLOR = '#4c78a8';
const AUTO_COLOR = '#f58518';

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function text(x: number, y: number, content: string, attrs: Record<string, string | number> = {}): string {
  const extra = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${xml(String(v))}"`)
    .join('');
  return `<text x="${x}" y="${y}"${extra}>${xml(content)}</text>`;
}

/** A version string cut to fit the subtitle (Debian's and MariaDB's run long). */
function short(version: string): string {
  return version.length > 40 ? version.slice(0, 39) + '…' : version;
}

/** 1000 → "1k", 1000000 → "1M": the axis's decade labels. */
function decade(power: number): string {
  const value = 10 ** power;
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
}

export function benchChart(result: BenchResult): string {
  const ran = result.rungs.filter((r) => r.unavailable === undefined && r.rowsPerSecond.median > 0);
  const rates = ran
    .flatMap((r) => [r.rowsPerSecond.min, r.rowsPerSecond.max])
    .filter((r) => r > 0 && Number.isFinite(r));
  const [lo, hi] = rates.length > 0 ? logRange(rates) : [0, 1];
  const x = (rate: number): number => LEFT + ((Math.log10(rate) - lo) / (hi - lo)) * PLOT;
  const plotHeight = result.rungs.length * ROW;
  const footnotes = footnotesOf(result);
  const height = TOP + plotHeight + 46 + footnotes.length * 18 + 12;
  const { database } = result;
  const date = result.date.slice(0, 10);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}">`,
    `<title>${xml(`sluice bench: rows per second by method, ${database.product} ${database.version}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(20, 32, `Rows per second by insert method${result.upsert === undefined ? '' : ' (upsert)'}`, {
      'font-size': 20,
      'font-weight': 'bold',
      fill: '#222222',
    }),
    text(
      20,
      56,
      `${database.product} ${short(database.version)} · ${count(result.rows)} rows · ${date} · sluice ${result.sluiceVersion}`,
      { 'font-size': 14, fill: '#333333' },
    ),
    text(
      20,
      76,
      `into ${describeSchema(result)} · ${result.runs === 1 ? '1 run' : `median of ${result.runs} runs, whiskers: range`} · log scale`,
      { 'font-size': 12, fill: '#666666' },
    ),
  ];
  // Decade grid lines and their labels.
  for (let p = lo; p <= Math.floor(hi); p++) {
    const gx = LEFT + ((p - lo) / (hi - lo)) * PLOT;
    parts.push(
      `<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${TOP + plotHeight}" stroke="#dddddd" stroke-width="1"/>`,
      text(gx, TOP + plotHeight + 18, decade(p), {
        'font-size': 12,
        fill: '#666666',
        'text-anchor': 'middle',
      }),
    );
  }
  parts.push(
    text(LEFT + PLOT / 2, TOP + plotHeight + 36, 'rows per second (log scale)', {
      'font-size': 12,
      fill: '#444444',
      'text-anchor': 'middle',
    }),
  );
  result.rungs.forEach((rung, i) => parts.push(...barOf(rung, TOP + i * ROW, x)));
  footnotes.forEach((note, i) =>
    parts.push(text(20, TOP + plotHeight + 62 + i * 18, note, { 'font-size': 12, fill: '#555555' })),
  );
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function barOf(rung: RungResult, top: number, x: (rate: number) => number): string[] {
  const middle = top + ROW / 2 + 4;
  const label = text(LEFT - 12, middle, rungLabel(rung), {
    'font-size': 14,
    fill: '#222222',
    'text-anchor': 'end',
  });
  if (rung.unavailable !== undefined)
    return [
      label,
      text(LEFT + 6, middle, `not available: ${rung.unavailable}`, {
        'font-size': 13,
        fill: '#888888',
        'font-style': 'italic',
      }),
    ];
  const end = x(rung.rowsPerSecond.median);
  const color = rung.method === 'auto' ? AUTO_COLOR : BAR_COLOR;
  const y = top + (ROW - BAR) / 2;
  const out = [
    label,
    `<rect x="${LEFT}" y="${y}" width="${Math.max(2, end - LEFT).toFixed(1)}" height="${BAR}" fill="${color}" rx="2"/>`,
  ];
  if (rung.runs.length > 1) {
    const a = x(rung.rowsPerSecond.min).toFixed(1);
    const b = x(rung.rowsPerSecond.max).toFixed(1);
    const wy = top + ROW / 2;
    out.push(
      `<line x1="${a}" y1="${wy}" x2="${b}" y2="${wy}" stroke="#222222" stroke-width="1.5"/>`,
      `<line x1="${a}" y1="${wy - 6}" x2="${a}" y2="${wy + 6}" stroke="#222222" stroke-width="1.5"/>`,
      `<line x1="${b}" y1="${wy - 6}" x2="${b}" y2="${wy + 6}" stroke="#222222" stroke-width="1.5"/>`,
    );
  }
  const reach = Math.max(end, rung.runs.length > 1 ? x(rung.rowsPerSecond.max) : end);
  const value = `${count(rung.rowsPerSecond.median)} rows/s`;
  out.push(
    `<text x="${(reach + 8).toFixed(1)}" y="${middle}" font-size="13" fill="#222222">` +
      `<tspan font-weight="bold">${xml(value)}</tspan>` +
      `<tspan dx="10" fill="#666666">${xml(`${relativeText(rung.relative)}${rung.scaled ? ' (scaled)' : ''}`)}</tspan></text>`,
  );
  return out;
}

function footnotesOf(result: BenchResult): string[] {
  const notes: string[] = [];
  for (const rung of result.rungs)
    if (rung.scaled)
      notes.push(
        `* ${rung.method}: measured on ${count(rung.rowsRun)} rows (one INSERT and one commit each), scaled to ${count(rung.rows)}`,
      );
  if (result.auto !== undefined)
    notes.push(`auto chose ${result.auto.method}: ${result.auto.reasons[0] ?? ''}`);
  notes.push(
    'Nx: rows per second against the slowest rung. Each rung ran in its own process, on an empty table.',
  );
  return notes;
}
