import { z } from 'zod';
import { quantile } from '../data/profile/numeric-accumulator';
import { predictedClasses } from '../model/metrics';

/**
 * Estimated performance of a served model before its actuals arrive, from its own outputs, judged
 * against the reference period (the champion's holdout, where both outputs and outcomes are known).
 *
 * Classifiers — confidence-based performance estimation (CBPE, as NannyML describes it): once the
 * class probabilities are calibrated, the probability of the predicted class is the chance the
 * prediction is right, so the expected accuracy of a set of predictions is the mean of those
 * probabilities. Each class's probability is calibrated one-vs-rest by isotonic regression fitted
 * on the reference period, and each row renormalised to sum to 1. Holds under covariate shift
 * (P(X) moves, P(Y|X) stays); concept drift it cannot see.
 *
 * Regressors — reference residuals conditioned on the predicted value: the reference period's
 * predictions are cut into quantile bins, and each bin keeps its mean absolute and mean squared
 * residual. A served prediction's expected error is that of its bin; MAE is their mean and RMSE
 * the root of the mean expected squared error. It estimates how the error changes because the
 * predictions land elsewhere (more of them where the model erred more), assuming the error at a
 * given predicted value is as it was on the reference period — again blind to concept drift.
 *
 * Thresholds come from the reference period too: its rows are cut into chunks of the size being
 * estimated (at most a quarter of the reference, so there are several), the realised metric of
 * each chunk computed, and values beyond mean ± 3 standard deviations of those alert — widened by
 * the estimate's own standard error for a classifier (a holdout classified without a single error
 * has no spread, yet an estimate of 0.995 on 100 rows is no alarm).
 */

/** A monotone step function fitted by isotonic regression: at the fitted points, linear between them, clipped outside. */
export const IsotonicFit = z.object({ x: z.array(z.number()), y: z.array(z.number()) });
export type IsotonicFit = z.infer<typeof IsotonicFit>;

export const EstimationReference = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('classification'),
    /** Per class, in the model's class order. */
    calibrators: z.array(IsotonicFit),
  }),
  z.object({
    kind: z.literal('regression'),
    /** Interior bin edges of the reference predictions (quantiles). */
    edges: z.array(z.number()),
    meanAbsolute: z.array(z.number()),
    meanSquared: z.array(z.number()),
  }),
]);
export type EstimationReference = z.infer<typeof EstimationReference>;

export const EstimatedMetric = z.enum(['accuracy', 'mae', 'rmse']);
export type EstimatedMetric = z.infer<typeof EstimatedMetric>;

export const PerformanceEstimate = z.object({
  metric: EstimatedMetric,
  /** Always an estimate: no outcome was used. */
  estimated: z.number(),
  /** Predictions it was estimated on. */
  rows: z.number().int().nonnegative(),
  /** A classifier's: the standard deviation of the realised accuracy on these rows if the calibrated probabilities hold. */
  standardError: z.number().optional(),
  reference: z.object({ rows: z.number().int(), realised: z.number(), chunkSize: z.number().int(), chunks: z.number().int() }),
  thresholds: z.object({ lower: z.number().nullable(), upper: z.number().nullable() }),
  /** The estimate lies beyond a threshold. */
  alert: z.boolean(),
  /** Once actuals arrive: the realised value on the labelled served predictions, beside the estimate for those same rows. */
  realised: z.object({ value: z.number(), rows: z.number().int().positive(), estimatedOnSameRows: z.number() }).optional(),
});
export type PerformanceEstimate = z.infer<typeof PerformanceEstimate>;

/** Fewest reference rows per bin of the regression estimator, and most bins. */
const MIN_BIN_ROWS = 10;
const MAX_BINS = 10;
/** Fewest reference chunks thresholds are computed from. */
const MIN_CHUNKS = 4;
const THRESHOLD_SIGMAS = 3;

/**
 * Isotonic (non-decreasing) regression of y on x by pool-adjacent-violators, with equal x first
 * merged into their mean (the same fit as scikit-learn's IsotonicRegression).
 */
export function fitIsotonic(x: readonly number[], y: readonly number[]): IsotonicFit {
  const order = x.map((_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  const xs: number[] = [];
  const sums: number[] = [];
  const weights: number[] = [];
  for (const i of order) {
    if (xs.length > 0 && xs.at(-1) === x[i]) {
      sums[sums.length - 1] = (sums.at(-1) as number) + (y[i] as number);
      weights[weights.length - 1] = (weights.at(-1) as number) + 1;
    } else {
      xs.push(x[i] as number);
      sums.push(y[i] as number);
      weights.push(1);
    }
  }
  // Blocks of pooled points: each holds its weighted mean; a block below its predecessor merges into it.
  const blockMean: number[] = [];
  const blockWeight: number[] = [];
  const blockSize: number[] = [];
  xs.forEach((_, i) => {
    blockMean.push((sums[i] as number) / (weights[i] as number));
    blockWeight.push(weights[i] as number);
    blockSize.push(1);
    while (blockMean.length > 1 && (blockMean.at(-2) as number) > (blockMean.at(-1) as number)) {
      const [m2, w2, s2] = [blockMean.pop() as number, blockWeight.pop() as number, blockSize.pop() as number];
      const [m1, w1, s1] = [blockMean.pop() as number, blockWeight.pop() as number, blockSize.pop() as number];
      blockMean.push((m1 * w1 + m2 * w2) / (w1 + w2));
      blockWeight.push(w1 + w2);
      blockSize.push(s1 + s2);
    }
  });
  const fitted = blockMean.flatMap((mean, b) => new Array<number>(blockSize[b] as number).fill(mean));
  return { x: xs, y: fitted };
}

/** The fit at `value`: linear between fitted points, the end values outside them. */
export function applyIsotonic(fit: IsotonicFit, value: number): number {
  const { x, y } = fit;
  if (x.length === 0) return value;
  if (value <= (x[0] as number)) return y[0] as number;
  if (value >= (x.at(-1) as number)) return y.at(-1) as number;
  let low = 0;
  let high = x.length - 1;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if ((x[mid] as number) <= value) low = mid;
    else high = mid;
  }
  const [x0, x1, y0, y1] = [x[low] as number, x[high] as number, y[low] as number, y[high] as number];
  return y0 + ((y1 - y0) * (value - x0)) / (x1 - x0);
}

/** Each row's class probabilities calibrated class by class and renormalised (a row calibrated to all zeros keeps its own). */
export function calibrate(probabilities: readonly number[][], calibrators: readonly IsotonicFit[]): number[][] {
  return probabilities.map((row) => {
    const calibrated = row.map((p, k) => applyIsotonic(calibrators[k] as IsotonicFit, p));
    const total = calibrated.reduce((sum, p) => sum + p, 0);
    return total > 0 ? calibrated.map((p) => p / total) : [...row];
  });
}

/** One-vs-rest isotonic calibrators of each class, fitted on labelled reference rows. */
export function fitCalibrators(probabilities: readonly number[][], labels: readonly number[], classes: number): IsotonicFit[] {
  return Array.from({ length: classes }, (_, k) =>
    fitIsotonic(
      probabilities.map((row) => row[k] as number),
      labels.map((label) => (label === k ? 1 : 0)),
    ),
  );
}

/** CBPE: expected accuracy of the predicted classes (the argmax of the model's own probabilities), and its standard error. */
export function cbpeAccuracy(probabilities: readonly number[][], calibrators: readonly IsotonicFit[]): { estimated: number; standardError: number } {
  const predicted = predictedClasses(probabilities as number[][]);
  const calibrated = calibrate(probabilities, calibrators);
  let sum = 0;
  let variance = 0;
  calibrated.forEach((row, i) => {
    const p = row[predicted[i] as number] as number;
    sum += p;
    variance += p * (1 - p);
  });
  const n = probabilities.length;
  return { estimated: sum / n, standardError: Math.sqrt(variance) / n };
}

/** The regression estimator's reference: quantile bins of the reference predictions, each with its mean absolute and squared residual. */
export function fitResidualBins(predictions: readonly number[], actuals: readonly number[]): Extract<EstimationReference, { kind: 'regression' }> {
  const bins = Math.max(1, Math.min(MAX_BINS, Math.floor(predictions.length / MIN_BIN_ROWS)));
  const sorted = Float64Array.from(predictions).sort();
  const edges = Array.from({ length: bins - 1 }, (_, b) => quantile(sorted, (b + 1) / bins));
  const absolute = new Array<number>(bins).fill(0);
  const squared = new Array<number>(bins).fill(0);
  const counts = new Array<number>(bins).fill(0);
  predictions.forEach((p, i) => {
    const b = binOf(edges, p);
    const residual = (actuals[i] as number) - p;
    absolute[b] = (absolute[b] as number) + Math.abs(residual);
    squared[b] = (squared[b] as number) + residual * residual;
    counts[b] = (counts[b] as number) + 1;
  });
  return {
    kind: 'regression',
    edges,
    meanAbsolute: absolute.map((sum, b) => sum / Math.max(1, counts[b] as number)),
    meanSquared: squared.map((sum, b) => sum / Math.max(1, counts[b] as number)),
  };
}

/** How many edges lie at or below the value (numpy's searchsorted(edges, value, side='right')). */
function binOf(edges: readonly number[], value: number): number {
  let b = 0;
  while (b < edges.length && (edges[b] as number) <= value) b += 1;
  return b;
}

/** Expected MAE and RMSE of served predictions from the reference residuals of their bins. */
export function residualEstimate(predictions: readonly number[], reference: Extract<EstimationReference, { kind: 'regression' }>): { mae: number; rmse: number } {
  let absolute = 0;
  let squared = 0;
  for (const p of predictions) {
    const b = binOf(reference.edges, p);
    absolute += reference.meanAbsolute[b] as number;
    squared += reference.meanSquared[b] as number;
  }
  return { mae: absolute / predictions.length, rmse: Math.sqrt(squared / predictions.length) };
}

/** The reference period as the estimator needs it: the model's outputs there and the outcomes (class codes, or values). */
export type ReferencePeriod = { kind: 'classification'; probabilities: number[][]; labels: number[]; classes: number } | { kind: 'regression'; predictions: number[]; actuals: number[] };

/** The metric each kind is estimated on. */
export function estimatedMetricOf(kind: ReferencePeriod['kind'], regressionMetric: 'mae' | 'rmse' = 'mae'): EstimatedMetric {
  return kind === 'classification' ? 'accuracy' : regressionMetric;
}

/** The realised metric on labelled rows: accuracy of the predicted classes, or MAE / RMSE. */
export function realisedMetric(period: ReferencePeriod, metric: EstimatedMetric, rows?: readonly number[]): number {
  const picked = rows ?? (period.kind === 'classification' ? period.labels : period.actuals).map((_, i) => i);
  if (period.kind === 'classification') {
    const predicted = predictedClasses(picked.map((i) => period.probabilities[i] as number[]));
    return picked.filter((i, j) => predicted[j] === period.labels[i]).length / picked.length;
  }
  const residuals = picked.map((i) => (period.actuals[i] as number) - (period.predictions[i] as number));
  return metric === 'rmse' ? Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length) : residuals.reduce((s, r) => s + Math.abs(r), 0) / residuals.length;
}

/** The estimator fitted on the reference period. */
export function fitEstimator(period: ReferencePeriod): EstimationReference {
  return period.kind === 'classification'
    ? { kind: 'classification', calibrators: fitCalibrators(period.probabilities, period.labels, period.classes) }
    : fitResidualBins(period.predictions, period.actuals);
}

/**
 * Thresholds from the realised metric of consecutive reference chunks of `chunkSize` rows (at most
 * a quarter of the reference, so at least MIN_CHUNKS chunks): mean ± 3 standard deviations, null
 * beyond what the metric can reach (accuracy above 1, an error below 0) and with too few rows.
 */
export function referenceThresholds(
  period: ReferencePeriod,
  metric: EstimatedMetric,
  chunkSize: number,
  /** The estimate's own standard error, when known: its noise widens the band (a flawless reference has no spread of its own). */
  standardError = 0,
): { lower: number | null; upper: number | null; chunkSize: number; chunks: number } {
  const n = period.kind === 'classification' ? period.labels.length : period.actuals.length;
  const size = Math.max(1, Math.min(chunkSize, Math.floor(n / MIN_CHUNKS)));
  const chunks = Math.floor(n / size);
  if (chunks < MIN_CHUNKS || size < 2) return { lower: null, upper: null, chunkSize: size, chunks };
  const values = Array.from({ length: chunks }, (_, c) => realisedMetric(period, metric, Array.from({ length: size }, (_, i) => c * size + i)));
  const mean = values.reduce((s, v) => s + v, 0) / chunks;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / chunks + standardError ** 2);
  // No spread at all (every chunk alike, no standard error) gives no band to judge by.
  if (sd === 0) return { lower: null, upper: null, chunkSize: size, chunks };
  const lower = mean - THRESHOLD_SIGMAS * sd;
  const upper = mean + THRESHOLD_SIGMAS * sd;
  return metric === 'accuracy' ? { lower, upper: upper >= 1 ? null : upper, chunkSize: size, chunks } : { lower: lower <= 0 ? null : lower, upper, chunkSize: size, chunks };
}

/** Served outputs: class probabilities (in the model's class order) of a classifier, or a regressor's numbers. */
export type ServedOutputs = { kind: 'classification'; probabilities: number[][] } | { kind: 'regression'; predictions: number[] };

/** The estimate for the served outputs, with the reference's realised value and thresholds; undefined without served outputs. */
export function estimatePerformance(period: ReferencePeriod, served: ServedOutputs, regressionMetric: 'mae' | 'rmse' = 'mae'): PerformanceEstimate | undefined {
  const rows = served.kind === 'classification' ? served.probabilities.length : served.predictions.length;
  if (rows === 0 || served.kind !== period.kind) return undefined;
  const metric = estimatedMetricOf(period.kind, regressionMetric);
  const fitted = fitEstimator(period);
  let estimated: number;
  let standardError: number | undefined;
  if (fitted.kind === 'classification' && served.kind === 'classification') {
    ({ estimated, standardError } = cbpeAccuracy(served.probabilities, fitted.calibrators));
  } else {
    const errors = residualEstimate((served as { predictions: number[] }).predictions, fitted as Extract<EstimationReference, { kind: 'regression' }>);
    estimated = metric === 'rmse' ? errors.rmse : errors.mae;
  }
  const thresholds = referenceThresholds(period, metric, rows, standardError);
  const alert = (thresholds.lower !== null && estimated < thresholds.lower) || (thresholds.upper !== null && estimated > thresholds.upper);
  const referenceRows = period.kind === 'classification' ? period.labels.length : period.actuals.length;
  return {
    metric,
    estimated,
    rows,
    ...(standardError !== undefined && { standardError }),
    reference: { rows: referenceRows, realised: realisedMetric(period, metric), chunkSize: thresholds.chunkSize, chunks: thresholds.chunks },
    thresholds: { lower: thresholds.lower, upper: thresholds.upper },
    alert,
  };
}
