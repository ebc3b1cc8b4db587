/**
 * P(Dₙ ≤ x) approximately, by Pelz and Good's expansion in 1/√n of the Li-Chien/Korolyuk series,
 * rewritten with Jacobi theta identities so that it converges fast for small √n·x.
 * A port of SciPy's _kolmogn_PelzGood (scipy/stats/_ksstats.py), used for large n.
 *
 * Pelz, W., Good, I. J. (1976), "Approximating the Lower Tail-areas of the Kolmogorov-Smirnov
 * One-sample Statistic", J. Roy. Statist. Soc. B 38(2), 152–156.
 */

const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const SQRT3 = Math.sqrt(3);
/** exp() of anything below this is zero in doubles. */
const MIN_LOG = -708;

/** For 0 < x < 1/2. */
export function kolmogorovCdfPelzGood(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qLog = -PI2 / 8 / z2;
  if (qLog < MIN_LOG) return 0;
  const q = Math.exp(qLog);

  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;

  // Σ c_k q^((2k−1)²) over odd terms, by Horner's scheme in q^8k.
  const terms = [0, 0, 0, 0];
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qPower = Math.pow(q, 8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) terms[i] = (terms[i] as number) * qPower + (coefficients[i] as number);
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) terms[i] = ((terms[i] as number) * q * SQRT_2PI) / (divisors[i] as number);

  // The remaining sums over all integers k for K₂ and K₃ have little cancellation: summed directly.
  const qAll = Math.exp(-PI2 / 2 / z2);
  let k2Extra = 0;
  let k3Extra = 0;
  for (let k = maxK; k > 0; k--) {
    const k2 = k * k;
    const weight = k2 * Math.pow(qAll, k2);
    k2Extra += weight;
    k3Extra += (SQRT3 * z + Math.PI * k) * (SQRT3 * z - Math.PI * k) * weight;
  }
  terms[2] = (terms[2] as number) + (k2Extra * PI2 * SQRT_2PI) / (-36 * z ** 3);
  terms[3] = (terms[3] as number) + (k3Extra * PI2 * SQRT_2PI) / (216 * z6);

  return terms.reduce((sum, term, i) => sum + term / Math.pow(n, i / 2), 0);
}
