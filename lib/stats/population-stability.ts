import { sum } from './sum';

/**
 * The Population Stability Index, Σ (r − c)·ln(r/c) over the shares r (reference) and c (current)
 * of each category or bin, as Evidently computes it. An empty bucket would make it infinite, so, like
 * Evidently, each side's zero shares become 0.0001, or a millionth of its smallest non-zero share
 * when that is smaller still. Inputs are counts over the same buckets, each side with some non-zero count.
 */
export function populationStabilityIndex(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  if (referenceCounts.length !== currentCounts.length || referenceCounts.length === 0) {
    throw new Error(`PSI needs equal, non-empty arrays (got ${referenceCounts.length} and ${currentCounts.length})`);
  }
  const reference = sharesWithoutZeros(referenceCounts);
  const current = sharesWithoutZeros(currentCounts);
  return reference.reduce((psi, r, i) => {
    const c = current[i] as number;
    return psi + (r - c) * Math.log(r / c);
  }, 0);
}

/** Evidently's replacement for a zero share. */
const ZERO_SHARE = 0.0001;

function sharesWithoutZeros(counts: readonly number[]): number[] {
  const total = sum(counts);
  const shares = counts.map((count) => count / total);
  const smallest = shares.reduce((min, share) => (share > 0 && share < min ? share : min), Infinity);
  const zero = smallest <= ZERO_SHARE ? smallest / 1e6 : ZERO_SHARE;
  return shares.map((share) => (share === 0 ? zero : share));
}
