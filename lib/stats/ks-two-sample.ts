import { kolmogorovSf } from './kolmogorov';
import { greatestCommonDivisor, ksExactPValue } from './ks-exact';
import { roundHalfEven } from './round-half-even';
import { PooledWalk } from './sorted-sample';

export interface KsResult {
  /** The largest distance between the two empirical distribution functions. */
  statistic: number;
  pValue: number;
  /** How the p-value was computed, as SciPy's method='auto' would choose it. */
  method: 'exact' | 'asymp';
}

/** SciPy computes the exact p-value when neither sample is larger than this. */
const MAX_EXACT_SIZE = 10_000;

/**
 * The two-sided two-sample Kolmogorov–Smirnov test, scipy.stats.ks_2samp(a, b) with its defaults
 * (alternative='two-sided', method='auto'). Both samples must be sorted ascending and non-empty;
 * O(n) after the sort.
 */
export function ksTwoSample(a: Float64Array, b: Float64Array): KsResult {
  if (a.length === 0 || b.length === 0) throw new Error('the Kolmogorov–Smirnov test needs two non-empty samples');
  const distance = largestEcdfDistance(a, b);
  if (Math.max(a.length, b.length) > MAX_EXACT_SIZE) {
    return { statistic: distance, pValue: asymptoticPValue(a.length, b.length, distance), method: 'asymp' };
  }
  const exact = exactTest(a.length, b.length, distance);
  // When the path count fails SciPy keeps the snapped statistic and uses the asymptotic p-value.
  if (exact.pValue === undefined) {
    return { statistic: exact.statistic, pValue: asymptoticPValue(a.length, b.length, exact.statistic), method: 'asymp' };
  }
  return { statistic: exact.statistic, pValue: exact.pValue, method: 'exact' };
}

/**
 * max |F_a(x) − F_b(x)| over the pooled values, read once every copy of a tied value is counted,
 * as numpy.searchsorted(side='right') counts them in SciPy.
 */
function largestEcdfDistance(a: Float64Array, b: Float64Array): number {
  let largest = 0;
  for (const walk = new PooledWalk(a, b); walk.next(); ) {
    largest = Math.max(largest, Math.abs(walk.countA / a.length - walk.countB / b.length));
  }
  return largest;
}

/** The statistic is a multiple of 1/lcm(m, n); SciPy snaps it to that grid before counting paths. */
function exactTest(m: number, n: number, distance: number): { statistic: number; pValue: number | undefined } {
  const lcm = (m / greatestCommonDivisor(m, n)) * n;
  const h = roundHalfEven(distance * lcm);
  return { statistic: h / lcm, pValue: h === 0 ? 1 : ksExactPValue(m, n, h) };
}

/** The one-sample Kolmogorov distribution at the effective size mn/(m + n), rounded as numpy rounds. */
function asymptoticPValue(m: number, n: number, distance: number): number {
  return kolmogorovSf(roundHalfEven((m * n) / (m + n)), distance);
}
