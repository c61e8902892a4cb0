/** Line arrays kept for chunks whose lines have gaps, counted in rows (~8 MB). */
const MAX_KEPT_LINES = 1_000_000;

interface SentChunk {
  /** 1-based row of the bulk operation the chunk starts at. */
  readonly first: number;
  readonly count: number;
  readonly firstLine: number;
  /** The chunk's lines when they do not simply count up from firstLine; null once dropped. */
  lines: readonly number[] | null | undefined;
}

/**
 * The source lines of every row sent through one bulk operation, so an error the database reports
 * at row N of it names the source line. The database may report a row long after it was sent (the
 * kernel's socket buffers hold megabytes of rows in flight), so every chunk is remembered, compactly:
 * a chunk whose lines count up without a gap (JS rows, CSV without multi-line fields) is a start and
 * a count; only the others keep their lines, and only for the last MAX_KEPT_LINES such rows.
 */
export class SentLines {
  private readonly chunks: SentChunk[] = [];
  private sent = 0;
  private kept = 0;

  add(lines: readonly number[]): void {
    if (lines.length === 0) return;
    const firstLine = lines[0]!;
    let contiguous = true;
    for (let i = 1; i < lines.length && contiguous; i++) contiguous = lines[i] === firstLine + i;
    this.chunks.push({
      first: this.sent + 1,
      count: lines.length,
      firstLine,
      lines: contiguous ? undefined : lines,
    });
    this.sent += lines.length;
    if (!contiguous) this.forgetOldest((this.kept += lines.length));
  }

  /** The source line of 1-based row `row`, when known. */
  lineOf(row: number): number | undefined {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const chunk = this.chunks[mid]!;
      if (row < chunk.first) high = mid - 1;
      else if (row >= chunk.first + chunk.count) low = mid + 1;
      else if (chunk.lines === undefined) return chunk.firstLine + (row - chunk.first);
      else return chunk.lines === null ? undefined : chunk.lines[row - chunk.first];
    }
    return undefined;
  }

  private forgetOldest(kept: number): void {
    for (let i = 0; kept > MAX_KEPT_LINES && i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      if (!chunk.lines) continue;
      kept -= chunk.count;
      chunk.lines = null;
    }
    this.kept = kept;
  }
}
