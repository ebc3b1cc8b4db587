import { ldexp, SCALE_DOWN, SCALE_EXPONENT, SCALE_UP } from './scaled-float';

/**
 * P(Dₙ ≤ x) exactly, by Pomeranz's recursion: 2n + 1 rows, each the previous row convolved with
 * (almost) Poisson weights, of which only a short window is ever non-zero. The answer is n! times
 * the last entry. A port of SciPy's _kolmogn_Pomeranz (scipy/stats/_ksstats.py), for small n.
 *
 * Pomeranz, J. (1974), "Exact Cumulative Distribution of the Kolmogorov-Smirnov Statistic for
 * Small Samples (Algorithm 487)", Comm. ACM 17(12), 703–704.
 */
export function kolmogorovCdfPomeranz(n: number, x: number): number {
  const t = n * x;
  const whole = Math.floor(t);
  const fraction = t - whole;
  const g = Math.min(fraction, 1 - fraction);
  const shape: WindowShape = { n, whole, ceilFraction: fraction > 0 ? 1 : 0, roundFraction: fraction > 0.5 ? 1 : 0 };
  const width = 2 * (whole + 1);
  const weights = {
    edge: poissonLikeWeights(g / n, width),
    odd: poissonLikeWeights((2 * g) / n, width),
    even: poissonLikeWeights((1 - 2 * g) / n, width),
  };

  let previous = new Float64Array(width);
  let current = new Float64Array(width);
  current[0] = 1;
  let previousStart = 0;
  let currentStart = 0;
  let exponent = 0;
  let [first] = windowOfRow(0, shape);
  for (let i = 1; i <= 2 * n + 1; i++) {
    const lastFirst = first;
    [previous, current] = [current, previous];
    [previousStart, currentStart] = [currentStart, previousStart];
    current.fill(0);
    const [rowFirst, rowLast] = windowOfRow(i, shape);
    first = rowFirst;
    const w = i === 1 || i === 2 * n + 1 ? weights.edge : i % 2 === 1 ? weights.odd : weights.even;
    const span = rowLast - lastFirst + 1;
    if (span <= 0) continue;
    convolveWindow(previous, lastFirst - previousStart, span, w, rowFirst - lastFirst, rowLast - rowFirst + 1, current);
    let largest = 0;
    for (const value of current) largest = Math.max(largest, value);
    if (largest > 0 && largest < SCALE_DOWN) {
      for (let j = 0; j < width; j++) current[j] = (current[j] as number) * SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
    currentStart = previousStart + rowFirst - lastFirst;
  }

  let answer = current[n - currentStart] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > SCALE_UP) {
      answer *= SCALE_DOWN;
      exponent += SCALE_EXPONENT;
    }
    answer *= m;
  }
  return Math.min(Math.max(ldexp(answer, exponent), 0), 1);
}

interface WindowShape {
  n: number;
  /** ⌊nx⌋ */
  whole: number;
  ceilFraction: 0 | 1;
  roundFraction: 0 | 1;
}

/** rate^m / m! for m < width: Poisson probabilities without their common e^(−rate). */
function poissonLikeWeights(rate: number, width: number): Float64Array {
  const weights = new Float64Array(width);
  weights[0] = 1;
  for (let m = 1; m < width; m++) weights[m] = ((weights[m - 1] as number) * rate) / m;
  return weights;
}

/** The first and last column of row i that can be non-zero. */
function windowOfRow(i: number, { n, whole, ceilFraction, roundFraction }: WindowShape): [number, number] {
  let first: number;
  let last: number;
  if (i === 0) {
    first = -whole - ceilFraction - 1;
    last = whole + ceilFraction - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        first = n - whole - ceilFraction - 1;
        last = n + whole + ceilFraction - 1;
      } else {
        first = half - 1 - whole - roundFraction - 1;
        last = half + whole - 1 + ceilFraction - 1;
      }
    } else {
      first = half - 1 - whole - 1;
      last = half + whole + roundFraction - 1;
    }
  }
  return [Math.max(first + 2, 0), Math.min(last, n)];
}

/**
 * Entries [skip, skip + count) of the full convolution of source[offset, offset + span) with
 * weights[0, span), written to target[0, count): the part of numpy.convolve SciPy keeps.
 */
function convolveWindow(
  source: Float64Array,
  offset: number,
  span: number,
  weights: Float64Array,
  skip: number,
  count: number,
  target: Float64Array,
): void {
  const available = Math.min(span, source.length - offset);
  for (let c = 0; c < count; c++) {
    const index = skip + c;
    let sum = 0;
    for (let a = Math.max(0, index - span + 1); a <= Math.min(index, available - 1); a++) {
      sum += (source[offset + a] as number) * (weights[index - a] as number);
    }
    target[c] = sum;
  }
}
