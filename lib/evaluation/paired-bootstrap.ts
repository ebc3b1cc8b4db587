import { classificationMetrics, improvement, metricOf } from '../model/metrics';
import type { Metric } from '../spec/pipeline-spec';
import { mulberry32 } from '../stats/mulberry32';

/** How much better a candidate is than a reference on the same examples, with a bootstrap interval. */
export interface ImprovementInterval {
  metric: Metric;
  /** The improvement on the examples as they are (positive = the candidate is better), in the metric's units. */
  estimate: number;
  low: number;
  high: number;
  /** 0.9: the interval holds the middle 90 % of the resampled improvements. */
  confidence: number;
  resamples: number;
  examples: number;
}

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

/**
 * Paired bootstrap of the improvement: the examples are resampled with replacement, the same
 * draw for both models, and the metric recomputed from each model's per-example losses (squared
 * error for rmse and r2, absolute error for mae, the sMAPE term for smape). An improvement whose
 * interval's lower bound is above 0 is larger than the noise of which examples happened to be held out.
 * Seeded: the same predictions always give the same interval.
 */
export function pairedBootstrap(
  metric: Metric,
  actual: number[],
  candidate: number[],
  reference: number[],
  { resamples = 2_000, confidence = 0.9, seed = 20_260_101 }: BootstrapOptions = {},
): ImprovementInterval {
  const n = actual.length;
  if (n === 0 || candidate.length !== n || reference.length !== n) {
    throw new Error(`a paired bootstrap needs equal, non-empty arrays (got ${n}, ${candidate.length} and ${reference.length})`);
  }
  const lossCandidate = Float64Array.from(actual, (a, i) => exampleLoss(metric, a, candidate[i] as number));
  const lossReference = Float64Array.from(actual, (a, i) => exampleLoss(metric, a, reference[i] as number));
  // Centred, so Σy² − (Σy)²/n does not cancel away the digits of large targets.
  const mean = actual.reduce((sum, v) => sum + v, 0) / n;
  const y = Float64Array.from(actual, (a) => a - mean);
  // A resample is how many times each example was drawn: the sums then run in order over the
  // arrays, which stays fast when they outgrow the CPU's caches.
  const gainOn = (times: Uint32Array | Float64Array) => {
    let candidateLoss = 0;
    let referenceLoss = 0;
    let sumY = 0;
    let sumY2 = 0;
    for (let i = 0; i < n; i += 1) {
      const t = times[i] as number;
      if (t === 0) continue;
      const yi = y[i] as number;
      candidateLoss += t * (lossCandidate[i] as number);
      referenceLoss += t * (lossReference[i] as number);
      sumY += t * yi;
      sumY2 += t * yi * yi;
    }
    const spread = sumY2 - (sumY * sumY) / n;
    return improvement(metric, metricFromLoss(metric, candidateLoss, n, spread), metricFromLoss(metric, referenceLoss, n, spread));
  };

  const random = mulberry32(seed);
  const times = new Uint32Array(n);
  const gains = new Float64Array(resamples);
  for (let r = 0; r < resamples; r += 1) {
    times.fill(0);
    for (let k = 0; k < n; k += 1) {
      const drawn = Math.floor(random() * n);
      times[drawn] = (times[drawn] as number) + 1;
    }
    gains[r] = gainOn(times);
  }
  const estimate = gainOn(new Float64Array(n).fill(1));
  gains.sort();
  const tail = (1 - confidence) / 2;
  return {
    metric,
    estimate,
    low: quantile(gains, tail),
    high: quantile(gains, 1 - tail),
    confidence,
    resamples,
    examples: n,
  };
}

/** One example's share of the metric: what the bootstrap resamples. */
function exampleLoss(metric: Metric, actual: number, predicted: number): number {
  const error = actual - predicted;
  if (metric === 'mae') return Math.abs(error);
  if (metric === 'smape') {
    const denominator = Math.abs(actual) + Math.abs(predicted);
    return denominator > 0 ? (2 * Math.abs(error)) / denominator : 0;
  }
  return error * error;
}

/** The metric from the summed losses of n examples, as lib/model/metrics.ts defines it; `spread` is Σ(y − ȳ)² for r2. */
function metricFromLoss(metric: Metric, loss: number, n: number, spread: number): number {
  if (metric === 'rmse') return Math.sqrt(loss / n);
  if (metric === 'mae') return loss / n;
  if (metric === 'smape') return (100 * loss) / n;
  return spread === 0 ? (loss === 0 ? 1 : 0) : 1 - loss / spread;
}

/** Linear interpolation between order statistics (NumPy's default). */
function quantile(sorted: Float64Array, p: number): number {
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return (sorted[below] as number) + (position - below) * ((sorted[above] as number) - (sorted[below] as number));
}

/**
 * The same paired bootstrap for classifiers: a classification metric (ROC AUC, macro F1, …) is no
 * sum of per-example losses, so each resample rescores both models' class probabilities in full.
 */
export function pairedBootstrapOfClasses(
  metric: Metric,
  labels: number[],
  candidate: number[][],
  reference: number[][],
  { resamples = 1_000, confidence = 0.9, seed = 20_260_101 }: BootstrapOptions = {},
): ImprovementInterval {
  const n = labels.length;
  if (n === 0 || candidate.length !== n || reference.length !== n) {
    throw new Error(`a paired bootstrap needs equal, non-empty arrays (got ${n}, ${candidate.length} and ${reference.length})`);
  }
  const gainOn = (drawn: number[]) => {
    const y = drawn.map((i) => labels[i] as number);
    const score = (p: number[][]) => metricOf(classificationMetrics(y, drawn.map((i) => p[i] as number[])), metric);
    return improvement(metric, score(candidate), score(reference));
  };
  const random = mulberry32(seed);
  const gains = Float64Array.from({ length: resamples }, () => gainOn(Array.from({ length: n }, () => Math.floor(random() * n)))).sort();
  const tail = (1 - confidence) / 2;
  const estimate = gainOn(labels.map((_, i) => i));
  return { metric, estimate, low: quantile(gains, tail), high: quantile(gains, 1 - tail), confidence, resamples, examples: n };
}
