import { kolmogorovCdfDurbin } from './kolmogorov-durbin';
import { kolmogorovCdfPelzGood } from './kolmogorov-pelz-good';
import { kolmogorovCdfPomeranz } from './kolmogorov-pomeranz';
import { smirnovSf } from './smirnov';

/** Simard and L'Ecuyer's thresholds, as in SciPy. */
const SMALL_N = 140;
const DURBIN_MAX_NX2 = 0.754693;
const POMERANZ_MAX_NX2 = 4;
const UNDERFLOW_NX2 = 370;
const TWICE_SMIRNOV_MIN_NX2 = 2.2;
const DURBIN_MAX_N = 100_000;
const DURBIN_MAX_NX15 = 1.4;

/**
 * P(Dₙ ≥ x), the survival function of the two-sided one-sample Kolmogorov–Smirnov statistic for
 * a sample of size n (scipy.stats.kstwo.sf). Like SciPy (_kolmogn in scipy/stats/_ksstats.py), it
 * follows Simard and L'Ecuyer's choice of algorithm by n and nx², which keeps every branch exact
 * or within about 1e-10 of the exact value.
 *
 * Simard, R., L'Ecuyer, P. (2011), "Computing the Two-Sided Kolmogorov-Smirnov Distribution",
 * J. Stat. Software 39(11).
 */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) return 1 - rubenGambinoCdf(n, t);
  // Beyond (n − 1)/n, and beyond 1/2, the two one-sided events cannot both happen.
  if (t >= n - 1) return clip(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= SMALL_N) {
    if (nx2 <= DURBIN_MAX_NX2) return 1 - kolmogorovCdfDurbin(n, x);
    if (nx2 <= POMERANZ_MAX_NX2) return 1 - kolmogorovCdfPomeranz(n, x);
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= UNDERFLOW_NX2) return 0;
  // In the upper tail the chance that both one-sided bounds are crossed is negligible.
  if (nx2 >= TWICE_SMIRNOV_MIN_NX2) return clip(2 * smirnovSf(n, x));
  const cdf = n <= DURBIN_MAX_N && n * Math.pow(x, 1.5) <= DURBIN_MAX_NX15 ? kolmogorovCdfDurbin(n, x) : kolmogorovCdfPelzGood(n, x);
  return clip(1 - cdf);
}

/** Ruben and Gambino's closed form for 1/2 < nx ≤ 1: P(Dₙ ≤ x) = n!/nⁿ (2nx − 1)ⁿ. */
function rubenGambinoCdf(n: number, t: number): number {
  if (t <= 0.5) return 0;
  if (n <= SMALL_N) {
    let product = 1;
    for (let i = 1; i <= n; i++) product *= i * (1 / n) * (2 * t - 1);
    return product;
  }
  return Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
}

/** Stirling's coefficients B₂ⱼ/(2j(2j − 1)) for j = 8 … 1, highest power first. */
const STIRLING_COEFFICIENTS = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];

/** ln(n!/nⁿ) by Stirling's series with n·ln n taken out first, so nothing cancels. */
function logFactorialOverPower(n: number): number {
  const inverse = 1 / n;
  const series = STIRLING_COEFFICIENTS.reduce((sum, c) => sum * (inverse / n) + c, 0);
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + inverse * series;
}

function clip(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}
