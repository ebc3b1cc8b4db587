import { PooledWalk } from './sorted-sample';

/**
 * The first Wasserstein (earth mover's) distance between two samples, ∫ |F_a(x) − F_b(x)| dx,
 * scipy.stats.wasserstein_distance(a, b) without weights. Both samples sorted ascending and
 * non-empty; one merge, O(n).
 */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  if (a.length === 0 || b.length === 0) throw new Error('the Wasserstein distance needs two non-empty samples');
  let distance = 0;
  let previousValue = 0;
  let gapBetweenCdfs = 0;
  // Between consecutive pooled values both distribution functions are flat: add |F_a − F_b| × gap.
  for (const walk = new PooledWalk(a, b); walk.next(); ) {
    distance += gapBetweenCdfs * (walk.value - previousValue);
    previousValue = walk.value;
    gapBetweenCdfs = Math.abs(walk.countA / a.length - walk.countB / b.length);
  }
  return distance;
}
