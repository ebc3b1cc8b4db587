import { normalSf } from './normal';

export interface ZTestResult {
  /** (p₁ − p₂) / √(P(1 − P)(1/n₁ + 1/n₂)) with the pooled proportion P. */
  statistic: number;
  pValue: number;
}

/**
 * The two-sided Z-test for the difference of two proportions with a pooled variance, as Evidently's
 * z-test computes it: `successes` out of `trials` in each sample. When the pooled proportion is 0
 * or 1 both samples are identical and p = 1.
 */
export function twoProportionZTest(successesA: number, trialsA: number, successesB: number, trialsB: number): ZTestResult {
  const pooled = (successesA + successesB) / (trialsA + trialsB);
  if (pooled === 0 || pooled === 1) return { statistic: 0, pValue: 1 };
  const statistic = (successesA / trialsA - successesB / trialsB) / Math.sqrt(pooled * (1 - pooled) * (1 / trialsA + 1 / trialsB));
  return { statistic, pValue: 2 * normalSf(Math.abs(statistic)) };
}
