/**
 * The one-sided Kolmogorov–Smirnov (Smirnov) distribution: P(D⁺ₙ ≥ x) for a sample of size n,
 * scipy.special.smirnov. SciPy sums the Birnbaum–Tingey series in double-double arithmetic;
 * here each term is formed in the log domain, which keeps about 1e-12 relative precision.
 *
 * Birnbaum, Z. W., Tingey, F. H. (1951), "One-Sided Confidence Contours for Probability
 * Distribution Functions"; van Mulbregt, P. (2018), arXiv:1802.06966.
 */

/** exp() of anything below this is zero even as a subnormal double (cephes' MINLOG, log 2⁻¹⁰⁷⁵). */
const MIN_LOG = -745.1332191019412;
/** Above this n, SciPy switches to an approximation because the exact sum takes too long. */
const MAX_EXACT_N = 1_000_000;

export function smirnovSf(n: number, x: number): number {
  if (!(n >= 1 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  if (nx <= 1) return 1 - x * Math.pow(1 + x, n - 1);
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nx >= n - 1) return Math.pow(1 - x, n);
  if (n > MAX_EXACT_N) return largeSampleApproximation(n, x);
  return x * lowerSum(n, x);
}

/** P ≈ exp(−(6nx + 1)² / 18n), SciPy's choice for n above a million. */
function largeSampleApproximation(n: number, x: number): number {
  const logP = -Math.pow(6 * n * x + 1, 2) / 18 / n;
  return logP < -Math.LN2 ? Math.exp(logP) : 1 + Math.expm1(logP);
}

/**
 * Σ C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v) for v from 0 while 1 − x − v/n > 0. The terms are
 * positive; the sum stops, as SciPy's does, once the remaining terms cannot change it.
 */
function lowerSum(n: number, x: number): number {
  // v runs to n − ⌊nx⌋ − 1.
  const terms = n - Math.floor(n * x);
  const middle = Math.floor(n / 2);
  let sum = Math.exp(n * Math.log1p(-x)) / x;
  const logBinomial = new CompensatedSum(Math.log(n));
  for (let v = 1; v < terms; v++) {
    const term = Math.exp(logBinomial.value() + (v - 1) * Math.log(x + v / n) + (n - v) * Math.log((n - v) / n - x));
    sum += term;
    if (term > 0) {
      if (4 * (terms - v) * term < Number.EPSILON * sum && v !== terms - 1) break;
    } else if (v > middle) {
      break;
    }
    logBinomial.add(Math.log((n - v) / (v + 1)));
  }
  return sum;
}

/**
 * ln C(n, v) grows to about n while its increments stay small; summed naively over hundreds of
 * thousands of steps the rounding adds up to 1e-9. Neumaier's compensation keeps it near 1e-15.
 */
class CompensatedSum {
  private compensation = 0;

  constructor(private sum: number) {}

  add(increment: number): void {
    const next = this.sum + increment;
    this.compensation +=
      Math.abs(this.sum) >= Math.abs(increment) ? this.sum - next + increment : increment - next + this.sum;
    this.sum = next;
  }

  value(): number {
    return this.sum + this.compensation;
  }
}
