import type { Row } from '../data/typed-row';
import type { FeatureSpec } from '../spec/pipeline-spec';

/** What a model needs to rebuild its inputs from rows: stored inside every artifact. */
export interface FeaturePlan {
  target: string;
  timeColumn?: string;
  horizon: number;
  features: FeatureSpec;
}

export interface Examples {
  featureNames: string[];
  /** One row of feature values per example. */
  x: number[][];
  /** The target `horizon` steps after each example's row. */
  y: number[];
  /** The time (or zero-padded row position) of the row each example is built from; sorts as text. */
  at: string[];
}

/**
 * Builds supervised examples: the features describe the state at row t, the label is the
 * target at row t + horizon. Rows are put in time order first; rows too early to have all
 * their lags, and too late to have a label, are left out.
 */
export function buildExamples(rows: Row[], plan: FeaturePlan): Examples {
  const ordered = orderByTime(rows, plan.timeColumn);
  const target = ordered.map((row) => toNumber(row[plan.target]));
  const lookback = Math.max(0, ...plan.features.targetLags, ...plan.features.targetRollingMeans.map((n) => n - 1));
  const examples: Examples = { featureNames: featureNames(plan.features), x: [], y: [], at: [] };
  for (let t = lookback; t + plan.horizon < ordered.length; t += 1) {
    const row = ordered[t] as Row;
    const values = [
      ...plan.features.columns.map((column) => toNumber(row[column])),
      ...plan.features.targetLags.map((lag) => target[t - lag] as number),
      ...plan.features.targetRollingMeans.map((window) => mean(target.slice(t - window + 1, t + 1))),
    ];
    const label = target[t + plan.horizon] as number;
    if (!values.every(Number.isFinite) || !Number.isFinite(label)) continue;
    examples.x.push(values);
    examples.y.push(label);
    examples.at.push(plan.timeColumn ? String(row[plan.timeColumn]) : String(t).padStart(10, '0'));
  }
  return examples;
}

export function featureNames(features: FeatureSpec): string[] {
  return [
    ...features.columns,
    ...features.targetLags.map((lag) => `target_lag_${lag}`),
    ...features.targetRollingMeans.map((window) => `target_rolling_mean_${window}`),
  ];
}

function orderByTime(rows: Row[], timeColumn: string | undefined): Row[] {
  if (!timeColumn) return rows;
  return [...rows].sort((a, b) => String(a[timeColumn]).localeCompare(String(b[timeColumn])));
}

function toNumber(value: Row[string] | undefined): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
