import { mulberry32 } from './mulberry32';

/**
 * Seeded resampling for the bootstraps of drift calibration and accuracy decay. Every draw comes
 * from a mulberry32 stream, so a report is the same each time it is computed from the same data.
 */

/**
 * An independent stream per purpose: the caller's seed mixed with a label (a column's name) by
 * FNV-1a, so a column's draws do not depend on which other columns are compared, or in what order.
 */
export function seededRandom(seed: number, label: string): () => number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return mulberry32(hash);
}

/** A uniform integer in [0, n). */
export function randomIndex(n: number, random: () => number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/**
 * `draws` indices drawn uniformly with replacement from [0, counts.length), counted into `counts`
 * (overwritten): O(length + draws). The caller reuses one buffer across its replicates.
 */
export function drawCountsInto(counts: Uint32Array, draws: number, random: () => number): Uint32Array {
  counts.fill(0);
  for (let draw = 0; draw < draws; draw++) {
    const i = randomIndex(counts.length, random);
    counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

/**
 * Multinomial counts: `draws` values drawn with replacement from categories whose weights are
 * `weights` (counts, not necessarily normalized), by binary search of the cumulative weights.
 */
export function multinomialCounts(weights: readonly number[], draws: number, random: () => number): number[] {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((weight, i) => {
    total += weight;
    cumulative[i] = total;
  });
  const counts = new Array<number>(weights.length).fill(0);
  for (let i = 0; i < draws; i++) {
    const target = random() * total;
    let low = 0;
    let high = weights.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) > target) high = middle;
      else low = middle + 1;
    }
    counts[low] = (counts[low] as number) + 1;
  }
  return counts;
}

/** `k` distinct indices of [0, n) in random order: a partial Fisher–Yates shuffle, O(n). */
export function sampleWithoutReplacement(n: number, k: number, random: () => number): Uint32Array {
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + randomIndex(n - i, random);
    const swap = indices[i] as number;
    indices[i] = indices[j] as number;
    indices[j] = swap;
  }
  return indices.subarray(0, take);
}
