import type { FeaturePlan } from '../model/features';
import { higherIsBetter, metricOf, regressionMetrics, type Metrics } from '../model/metrics';
import type { Metric } from '../spec/pipeline-spec';
import type { ClassBaselineName } from './class-baselines';

/**
 * Naive forecasts a model must beat to be worth serving:
 * - `last-value` (persistence): the target at the row the example is built from, `horizon` rows early;
 * - `seasonal-naive`: the target one season (or whole seasons) before the label's row, when a season is declared;
 * - `mean`: the mean of the training labels.
 */
export type BaselineName = 'last-value' | 'seasonal-naive' | 'mean' | ClassBaselineName;

export interface BaselineScore {
  name: BaselineName;
  metrics: Metrics;
}

/** The baselines of one evaluation and how the candidate fares against the best of them on the primary metric. */
export interface BaselineSummary {
  metric: Metric;
  scores: BaselineScore[];
  best: BaselineName;
  /** 1 − candidate/best for error metrics, candidate − best for r2: above 0 means the candidate beats it. */
  skill: number;
}

export interface NaiveInput {
  /** The target of every row in time order (NaN where missing). */
  target: number[];
  /** The row position (in `target`) each holdout example is built from. */
  rows: number[];
  horizon: number;
  /** Rows per season; seasonal naive only when declared. */
  season?: number;
  trainingLabels: number[];
  timeSeries: boolean;
  /** The group of each row (indexed like `target`) when the rows are several series: naive forecasts stay within one. */
  group?: Int32Array;
}

/**
 * The naive forecasts of each holdout example. A baseline that cannot forecast every example
 * (no earlier value, a missing target a season back) is left out rather than scored on a subset.
 */
export function naiveForecasts(input: NaiveInput): { name: BaselineName; predictions: number[] }[] {
  const mean = input.trainingLabels.reduce((sum, v) => sum + v, 0) / input.trainingLabels.length;
  const forecasts: { name: BaselineName; predictions: (number | undefined)[] }[] = [];
  if (input.timeSeries) {
    const { group, season } = input;
    const sameGroup = (t: number, u: number) => group === undefined || group[u] === group[t];
    forecasts.push({ name: 'last-value', predictions: input.rows.map((t) => latestKnown(input.target, t, sameGroup)) });
    if (season !== undefined) {
      const back = season * Math.ceil(input.horizon / season);
      const seasonAgo = (t: number) => t + input.horizon - back;
      forecasts.push({ name: 'seasonal-naive', predictions: input.rows.map((t) => (sameGroup(t, seasonAgo(t)) ? known(input.target[seasonAgo(t)]) : undefined)) });
    }
  }
  forecasts.push({ name: 'mean', predictions: input.rows.map(() => mean) });
  return forecasts.filter((f): f is { name: BaselineName; predictions: number[] } => f.predictions.every((p) => p !== undefined));
}

/**
 * Rows in time order with features from the target's own past are a series even without a time
 * column; a cross-sectional plan (horizon 0: the label is the row's own target) never is, and
 * only the mean baseline applies.
 */
export function isTimeSeries(plan: FeaturePlan): boolean {
  if (plan.horizon === 0) return false;
  return plan.timeColumn !== undefined || plan.features.targetLags.length > 0 || plan.features.targetRollingMeans.length > 0;
}

export function scoreBaselines(actual: number[], forecasts: { name: BaselineName; predictions: number[] }[]): BaselineScore[] {
  return forecasts.map(({ name, predictions }) => ({ name, metrics: regressionMetrics(actual, predictions) }));
}

/** How the candidate compares with the best baseline on `metric`. */
export function summarizeBaselines(metric: Metric, candidate: Metrics, scores: BaselineScore[]): BaselineSummary {
  const best = scores.reduce((a, b) => (skillScore(metric, metricOf(b.metrics, metric), metricOf(a.metrics, metric)) > 0 ? b : a));
  return { metric, scores, best: best.name, skill: skillScore(metric, metricOf(candidate, metric), metricOf(best.metrics, metric)) };
}

/**
 * The skill score of a forecast against a reference: 1 − candidate/reference for error metrics
 * (0.14 = 14 % less error), candidate − reference for r2. Above 0, the forecast is better.
 */
export function skillScore(metric: Metric, candidate: number, reference: number): number {
  if (higherIsBetter(metric)) return candidate - reference;
  if (reference === 0) return candidate === 0 ? 0 : -Infinity;
  return 1 - candidate / reference;
}

function latestKnown(target: number[], t: number, sameGroup: (t: number, u: number) => boolean): number | undefined {
  for (let i = t; i >= 0 && sameGroup(t, i); i -= 1) if (Number.isFinite(target[i])) return target[i];
  return undefined;
}

function known(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
