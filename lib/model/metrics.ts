import type { Metric } from '../spec/pipeline-spec';

export type Metrics = Record<Metric, number>;

export function regressionMetrics(actual: number[], predicted: number[]): Metrics {
  if (actual.length !== predicted.length || actual.length === 0) {
    throw new Error(`metrics need equal, non-empty arrays (got ${actual.length} and ${predicted.length})`);
  }
  const n = actual.length;
  const errors = actual.map((a, i) => a - (predicted[i] as number));
  const mean = actual.reduce((s, v) => s + v, 0) / n;
  const ssRes = errors.reduce((s, e) => s + e * e, 0);
  const ssTot = actual.reduce((s, v) => s + (v - mean) ** 2, 0);
  return {
    mae: errors.reduce((s, e) => s + Math.abs(e), 0) / n,
    rmse: Math.sqrt(ssRes / n),
    r2: ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot,
    smape: symmetricMape(actual, predicted),
  };
}

/**
 * Symmetric mean absolute percentage error, in percent (0–200). Unlike MAPE it stays finite when
 * an actual value is zero, which monthly changes often are; a pair of zeros counts as no error.
 */
function symmetricMape(actual: number[], predicted: number[]): number {
  let sum = 0;
  actual.forEach((a, i) => {
    const p = predicted[i] as number;
    const denominator = Math.abs(a) + Math.abs(p);
    if (denominator > 0) sum += (2 * Math.abs(a - p)) / denominator;
  });
  return (100 * sum) / actual.length;
}

/** r2 rises as models improve; error metrics fall. */
export function higherIsBetter(metric: Metric): boolean {
  return metric === 'r2';
}

/** How much better `candidate` is than `baseline` on `metric` (positive = better). */
export function improvement(metric: Metric, candidate: number, baseline: number): number {
  return higherIsBetter(metric) ? candidate - baseline : baseline - candidate;
}
