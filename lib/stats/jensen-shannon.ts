import { sum } from './sum';

/**
 * The Jensen–Shannon distance between two distributions given as non-negative weights over the
 * same categories or bins (normalized here), with base-2 logarithms so it lies in [0, 1]:
 * scipy.spatial.distance.jensenshannon(p, q, base=2), as Evidently calls it.
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length || p.length === 0) {
    throw new Error(`Jensen–Shannon needs equal, non-empty arrays (got ${p.length} and ${q.length})`);
  }
  const pTotal = sum(p);
  const qTotal = sum(q);
  let divergence = 0;
  p.forEach((weight, i) => {
    const pi = weight / pTotal;
    const qi = (q[i] as number) / qTotal;
    const mi = (pi + qi) / 2;
    divergence += relativeEntropy(pi, mi) + relativeEntropy(qi, mi);
  });
  return Math.sqrt(divergence / Math.LN2 / 2);
}

/** x·ln(x/y), with 0·ln 0 = 0 (scipy.special.rel_entr). */
function relativeEntropy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(x / y);
}
