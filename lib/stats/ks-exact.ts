/**
 * Exact p-values of the two-sided two-sample Kolmogorov–Smirnov test by counting lattice paths
 * (Hodges' treatment of Drion, Gnedenko and Korolyuk), ported from SciPy 1.10's
 * _compute_prob_outside_square (scipy/stats/_stats_py.py) and _compute_outer_prob_inside_method
 * (scipy/stats/_stats_pythran.py), which follows Viehmann's recursion for 1 − p.
 *
 * Hodges, J. L. (1958), "The Significance Probability of the Smirnov Two-Sample Test", Arkiv för
 * Matematik 3(43), 469–486; Viehmann, T. (2021), arXiv:2102.08037.
 */

/**
 * P(D ≥ h/lcm(m, n)) under the null hypothesis, for h ≥ 1. Undefined when the recursion leaves
 * [0, 1] through rounding, in which case SciPy falls back to the asymptotic distribution too.
 */
export function ksExactPValue(m: number, n: number, h: number): number | undefined {
  const p = m === n ? outsideSquare(n, h) : outsideDiagonals(m, n, h);
  return p >= 0 && p <= 1 ? p : undefined;
}

export function greatestCommonDivisor(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * Equal sizes: 2·Σₖ (−1)^(k+1) C(2n, n − kh)/C(2n, n), evaluated as a Horner-like product so the
 * alternating sum does not cancel.
 */
function outsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * Unequal sizes: the share of monotone lattice paths from (0, 0) to (m, n) that touch the band
 * |x/m − y/n| ≥ h/lcm(m, n), computed directly as 1 − p one column at a time over the window of
 * rows that can still be inside the band. O(m · n · d).
 */
function outsideDiagonals(m0: number, n0: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const g = greatestCommonDivisor(m, n);
  const mg = m / g;
  const ng = n / g;
  let low = 0;
  let high = Math.min(Math.ceil(h / mg), n + 1);
  let length = high - low;
  const column = new Float64Array(Math.min(2 * high + 2, n + 1)).fill(1);
  column.fill(0, low, high);
  for (let i = 1; i <= m; i++) {
    const lastLow = low;
    const lastLength = length;
    low = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    high = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (high <= low) return 1;
    let value = low === 0 ? 0 : 1;
    for (let jj = 0; jj < high - low; jj++) {
      const j = jj + low;
      value = ((column[jj + low - lastLow] as number) * i + value * j) / (i + j);
      column[jj] = value;
    }
    length = high - low;
    // Rows that fell out of the window are outside the band: every path through them counts.
    if (lastLength > length) column.fill(1, length, lastLength);
  }
  return column[high - low - 1] as number;
}
