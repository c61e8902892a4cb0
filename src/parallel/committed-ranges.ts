/**
 * The committed batches of a parallel load by batches as ranges of row numbers, "1-2000, 4001-6000":
 * batches commit in no set order, so what is in the table is not always a prefix of the input.
 */
export function committedRanges(
  batches: readonly { readonly first: number; readonly count: number }[],
): string {
  const sorted = [...batches].filter((b) => b.count > 0).sort((a, b) => a.first - b.first);
  const ranges: [number, number][] = [];
  for (const { first, count } of sorted) {
    const last = first + count - 1;
    const previous = ranges.at(-1);
    if (previous !== undefined && previous[1] + 1 === first) previous[1] = last;
    else ranges.push([first, last]);
  }
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');
}
