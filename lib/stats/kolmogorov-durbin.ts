import { ldexp, SCALE_DOWN, SCALE_EXPONENT, SCALE_UP } from './scaled-float';

/**
 * P(Dₙ ≤ d) exactly, by Durbin's matrix algorithm as Marsaglia, Tsang and Wang evaluate it:
 * the k-th diagonal entry of Hⁿ, times n!/nⁿ, with H of size 2k − 1 where k = ⌈nd⌉.
 * A port of SciPy's _kolmogn_DMTW (scipy/stats/_ksstats.py); O(k³ log n), for small nd.
 *
 * Durbin, J. (1968), Ann. Math. Statist. 39, 398–411; Marsaglia, G., Tsang, W. W., Wang, J. (2003),
 * "Evaluating Kolmogorov's Distribution", J. Stat. Software 8(18).
 *
 * For 1/2 < nd and d < 1.
 */
export function kolmogorovCdfDurbin(n: number, d: number): number {
  const k = Math.ceil(n * d);
  const size = 2 * k - 1;
  let power = identity(size);
  let powerExponent = 0;
  let base = durbinMatrix(size, k - n * d);
  let baseExponent = 0;
  for (let remaining = n; remaining > 0; remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) {
      power = multiply(power, base, size);
      powerExponent += baseExponent;
    }
    base = multiply(base, base, size);
    baseExponent *= 2;
    const diagonal = (k - 1) * size + (k - 1);
    if (Math.abs(base[diagonal] as number) > SCALE_UP) {
      for (let i = 0; i < base.length; i++) base[i] = (base[i] as number) * SCALE_DOWN;
      baseExponent += SCALE_EXPONENT;
    }
  }
  let p = power[(k - 1) * size + (k - 1)] as number;
  let exponent = powerExponent;
  // Multiply by n!/nⁿ one factor at a time, rescaling before it underflows.
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SCALE_DOWN) {
      p *= SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
  }
  return Math.min(Math.max(ldexp(p, exponent), 0), 1);
}

/** Durbin's H for d = (k − h)/n: 1/(i − j + 1)! above the first column, with corrected edges. */
function durbinMatrix(size: number, h: number): Float64Array {
  const firstColumn = new Float64Array(size);
  const inverseFactorials = new Float64Array(size);
  let inverseFactorial = 1;
  for (let j = 1; j <= size; j++) {
    inverseFactorials[j - 1] = inverseFactorial;
    inverseFactorial /= j;
    firstColumn[j - 1] = (1 - h ** j) * inverseFactorial;
  }
  const corner = Math.max(2 * h - 1, 0) ** size - 2 * h ** size;
  firstColumn[size - 1] = (1 + corner) * inverseFactorial;

  const matrix = new Float64Array(size * size);
  for (let column = 1; column < size; column++) {
    for (let row = column - 1; row < size; row++) matrix[row * size + column] = inverseFactorials[row - column + 1] as number;
  }
  for (let row = 0; row < size; row++) matrix[row * size] = firstColumn[row] as number;
  for (let column = 0; column < size; column++) matrix[(size - 1) * size + column] = firstColumn[size - 1 - column] as number;
  return matrix;
}

function identity(size: number): Float64Array {
  const matrix = new Float64Array(size * size);
  for (let i = 0; i < size; i++) matrix[i * size + i] = 1;
  return matrix;
}

/** Row-major square matrix product. */
function multiply(a: Float64Array, b: Float64Array, size: number): Float64Array {
  const product = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < size; k++) {
      const aik = a[i * size + k] as number;
      if (aik === 0) continue;
      for (let j = 0; j < size; j++) product[i * size + j] = (product[i * size + j] as number) + aik * (b[k * size + j] as number);
    }
  }
  return product;
}
