import { regularizedGammaQ } from './gamma';

/** P(X > x) for X ~ χ²(df) (scipy.stats.chi2.sf). */
export function chiSquareSf(x: number, degreesOfFreedom: number): number {
  return regularizedGammaQ(degreesOfFreedom / 2, x / 2);
}

export interface ChiSquareResult {
  /** Σ (observed − expected)² / expected; Infinity when a category is observed but not expected. */
  statistic: number;
  pValue: number;
  degreesOfFreedom: number;
}

/**
 * Pearson's goodness-of-fit test (scipy.stats.chisquare with f_exp), k − 1 degrees of freedom.
 * With a single category there is nothing to compare: p = 1, where SciPy answers NaN.
 */
export function chiSquareTest(observed: readonly number[], expected: readonly number[]): ChiSquareResult {
  if (observed.length !== expected.length || observed.length === 0) {
    throw new Error(`chi-square needs equal, non-empty arrays (got ${observed.length} and ${expected.length})`);
  }
  let statistic = 0;
  observed.forEach((o, i) => {
    const e = expected[i] as number;
    statistic += ((o - e) * (o - e)) / e;
  });
  const degreesOfFreedom = observed.length - 1;
  const pValue = degreesOfFreedom === 0 ? 1 : chiSquareSf(statistic, degreesOfFreedom);
  return { statistic, pValue, degreesOfFreedom };
}
