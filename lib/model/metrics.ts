import type { Metric } from '../spec/pipeline-spec';

/** The scores of one set of predictions: regression metrics for a regressor, classification metrics for a classifier. */
export type Metrics = Partial<Record<Metric, number>>;

/** One metric of a score set; asking for a metric of the other task is a bug (the spec refuses it at load). */
export function metricOf(metrics: Metrics, metric: Metric): number {
  const value = metrics[metric];
  if (value === undefined) throw new Error(`no ${metric} in these metrics (${Object.keys(metrics).join(', ')})`);
  return value;
}

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

/** The class each row of probabilities predicts: the most probable, the first on a tie (as numpy's argmax). */
export function predictedClasses(probabilities: number[][]): number[] {
  return probabilities.map((row) => row.reduce((best, p, k) => (p > (row[best] as number) ? k : best), 0));
}

/** counts[actual][predicted] over class codes 0 … classes − 1. */
export function confusionMatrix(labels: number[], predicted: number[], classes: number): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  labels.forEach((label, i) => ((counts[label] as number[])[predicted[i] as number] as number) += 1);
  return counts;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** How many rows truly belong to the class. */
  support: number;
}

/** Precision, recall and F1 of each class from a confusion matrix; an empty denominator scores 0 (scikit-learn's zero_division). */
export function perClassScores(counts: number[][]): ClassScores[] {
  return counts.map((row, k) => {
    const truePositives = row[k] as number;
    const support = row.reduce((s, v) => s + v, 0);
    const predictedCount = counts.reduce((s, r) => s + (r[k] as number), 0);
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
}

/**
 * Classification metrics from class codes (0 … classes − 1) and each row's class probabilities,
 * defined as scikit-learn defines them: balanced accuracy averages the recall of the classes present
 * in the labels; macro F1 the classes present in labels or predictions; ROC AUC is one-vs-rest,
 * macro-averaged over the classes present (the positive class's AUC for two classes); log loss clips
 * probabilities to [ε, 1 − ε]. Brier: the positive class's mean squared error for two classes (as
 * brier_score_loss), the mean over rows of Σₖ (pₖ − yₖ)² for more.
 */
export function classificationMetrics(labels: number[], probabilities: number[][]): Metrics {
  if (labels.length !== probabilities.length || labels.length === 0) {
    throw new Error(`metrics need equal, non-empty arrays (got ${labels.length} and ${probabilities.length})`);
  }
  const classes = (probabilities[0] as number[]).length;
  const predicted = predictedClasses(probabilities);
  const counts = confusionMatrix(labels, predicted, classes);
  const scores = perClassScores(counts);
  const inLabels = scores.map((s) => s.support > 0);
  const inEither = scores.map((s, k) => s.support > 0 || counts.some((row) => (row[k] as number) > 0));
  return {
    accuracy: labels.filter((label, i) => label === predicted[i]).length / labels.length,
    balanced_accuracy: meanWhere(scores.map((s) => s.recall), inLabels),
    f1_macro: meanWhere(scores.map((s) => s.f1), inEither),
    roc_auc: rocAuc(labels, probabilities, classes),
    log_loss: logLoss(labels, probabilities),
    brier: brierScore(labels, probabilities, classes),
  };
}

function meanWhere(values: number[], keep: boolean[]): number {
  const kept = values.filter((_, k) => keep[k]);
  return kept.reduce((s, v) => s + v, 0) / kept.length;
}

/** One-vs-rest AUC per class with both positives and negatives; 0.5 (no skill shown) when no class has both. */
function rocAuc(labels: number[], probabilities: number[][], classes: number): number {
  if (classes === 2) return binaryAuc(labels.map((l) => l === 1), probabilities.map((row) => row[1] as number)) ?? 0.5;
  const aucs = Array.from({ length: classes }, (_, k) => binaryAuc(labels.map((l) => l === k), probabilities.map((row) => row[k] as number)));
  const defined = aucs.filter((auc): auc is number => auc !== undefined);
  return defined.length === 0 ? 0.5 : defined.reduce((s, v) => s + v, 0) / defined.length;
}

/** The Mann–Whitney statistic with mid-ranks for ties: the probability a positive outscores a negative. */
function binaryAuc(positive: boolean[], scores: number[]): number | undefined {
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  const ranks = new Float64Array(scores.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1] as number] === scores[order[start] as number]) end += 1;
    const midRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i += 1) ranks[order[i] as number] = midRank;
    start = end + 1;
  }
  const positives = positive.filter(Boolean).length;
  const negatives = positive.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  const rankSum = positive.reduce((s, p, i) => (p ? s + (ranks[i] as number) : s), 0);
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const EPSILON = 2.220446049250313e-16;

/** Mean negative log-probability of the true class; rows renormalized after clipping, as scikit-learn does. */
function logLoss(labels: number[], probabilities: number[][]): number {
  let sum = 0;
  labels.forEach((label, i) => {
    const row = (probabilities[i] as number[]).map((p) => Math.min(1 - EPSILON, Math.max(EPSILON, p)));
    const total = row.reduce((s, p) => s + p, 0);
    sum -= Math.log((row[label] as number) / total);
  });
  return sum / labels.length;
}

function brierScore(labels: number[], probabilities: number[][], classes: number): number {
  let sum = 0;
  labels.forEach((label, i) => {
    const row = probabilities[i] as number[];
    if (classes === 2) sum += ((row[1] as number) - (label === 1 ? 1 : 0)) ** 2;
    else row.forEach((p, k) => (sum += (p - (k === label ? 1 : 0)) ** 2));
  });
  return sum / labels.length;
}

/** Numbers are a regressor's predictions, rows of class probabilities a classifier's: each scored with its task's metrics. */
export function metricsOfEither(actual: number[], predictions: number[] | number[][]): Metrics {
  return isProbabilityRows(predictions) ? classificationMetrics(actual, predictions) : regressionMetrics(actual, predictions);
}

export function isProbabilityRows(predictions: number[] | number[][]): predictions is number[][] {
  return Array.isArray(predictions[0]);
}

/** r2 and the classification scores rise as models improve; errors and losses (log loss, Brier) fall. */
export function higherIsBetter(metric: Metric): boolean {
  return metric === 'r2' || metric === 'accuracy' || metric === 'balanced_accuracy' || metric === 'f1_macro' || metric === 'roc_auc';
}

/**
 * Which metrics score class probabilities. A table over every metric (the compiler asks for a new
 * one's entry) rather than the spec's list: importing the spec at run time would close a cycle
 * (spec → drift options → accuracy decay → metrics) that leaves the drift options undefined.
 */
const CLASSIFICATION: Record<Metric, boolean> = {
  mae: false,
  rmse: false,
  r2: false,
  smape: false,
  accuracy: true,
  balanced_accuracy: true,
  f1_macro: true,
  roc_auc: true,
  log_loss: true,
  brier: true,
};

/** Whether a metric scores class probabilities rather than numbers. */
export function isClassificationMetric(metric: Metric): boolean {
  return CLASSIFICATION[metric];
}

/** How much better `candidate` is than `baseline` on `metric` (positive = better). */
export function improvement(metric: Metric, candidate: number, baseline: number): number {
  return higherIsBetter(metric) ? candidate - baseline : baseline - candidate;
}
