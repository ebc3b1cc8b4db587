/** Helpers over samples sorted ascending (Float64Array.prototype.sort sorts numerically). */

/**
 * Walks the distinct values of two sorted samples in ascending order; at each step `value` is the
 * value and `countA`/`countB` how many values of each sample are at most it, i.e. the two empirical
 * distribution functions, in one merge. A cursor rather than a callback: V8 inlines `next()` into
 * each caller's loop, which matters at millions of values.
 */
export class PooledWalk {
  value = NaN;
  countA = 0;
  countB = 0;

  constructor(
    private readonly a: Float64Array,
    private readonly b: Float64Array,
  ) {}

  next(): boolean {
    const { a, b } = this;
    let i = this.countA;
    let j = this.countB;
    if (i >= a.length && j >= b.length) return false;
    const value = j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number)) ? (a[i] as number) : (b[j] as number);
    while (i < a.length && a[i] === value) i++;
    while (j < b.length && b[j] === value) j++;
    this.value = value;
    this.countA = i;
    this.countB = j;
    return true;
  }
}

/** How many distinct values the samples hold together (pandas' nunique of their concatenation). */
export function countDistinct(a: Float64Array, b: Float64Array = new Float64Array(0)): number {
  let distinct = 0;
  for (const walk = new PooledWalk(a, b); walk.next(); ) distinct++;
  return distinct;
}

/** Population standard deviation (numpy.std with ddof=0), in two passes so large offsets do not cancel. */
export function standardDeviation(sample: Float64Array): number {
  let sum = 0;
  for (const v of sample) sum += v;
  const mean = sum / sample.length;
  let squares = 0;
  for (const v of sample) squares += (v - mean) * (v - mean);
  return Math.sqrt(squares / sample.length);
}

/** Each distinct value with the number of times it occurs, in ascending order. */
export function runLengths(sorted: Float64Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of sorted) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
