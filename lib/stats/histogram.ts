/**
 * Equal-width bins shared by two samples, as numpy.histogram_bin_edges(concatenated, bins='sturges')
 * chooses them, and each sample's counts per bin as numpy.histogram counts them (half-open bins,
 * the last one closed). Evidently bins numeric columns this way for Jensen–Shannon and PSI.
 */
export interface SharedHistogram {
  /** bins + 1 ascending edges. */
  edges: number[];
  reference: number[];
  current: number[];
}

/** Both samples sorted ascending, not both empty. */
export function sturgesHistogram(reference: Float64Array, current: Float64Array): SharedHistogram {
  const total = reference.length + current.length;
  let low = Math.min(reference[0] ?? Infinity, current[0] ?? Infinity);
  let high = Math.max(reference[reference.length - 1] ?? -Infinity, current[current.length - 1] ?? -Infinity);
  // Sturges: the range split into about log₂(n) + 1 bins; numpy widens a zero range to one unit bin.
  const width = (high - low) / (Math.log2(total) + 1);
  const bins = width > 0 ? Math.ceil((high - low) / width) : 1;
  if (low === high) {
    low -= 0.5;
    high += 0.5;
  }
  const edges = linspace(low, high, bins + 1);
  return { edges, reference: binCounts(reference, edges), current: binCounts(current, edges) };
}

/** numpy.linspace(start, stop, count): start + i·step, with the last edge exactly stop. */
function linspace(start: number, stop: number, count: number): number[] {
  const step = (stop - start) / (count - 1);
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? stop : i * step + start));
}

/** Counts per half-open bin [eᵢ, eᵢ₊₁), the last bin closed, walking the sorted sample once. */
function binCounts(sorted: Float64Array, edges: number[]): number[] {
  const last = edges.length - 2;
  const counts = new Array<number>(last + 1).fill(0);
  let bin = 0;
  for (const x of sorted) {
    while (bin < last && x >= (edges[bin + 1] as number)) bin++;
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}
