import type { FeatureSpec } from '../../spec/pipeline-spec';
import type { RollingStat } from './transforms-spec';

/**
 * A feature read from a series' earlier rows: a lag, or a statistic over the last `window` rows
 * (the current one included). Rows come group by group and in time order, and the features only
 * read rows back to `lookbackOf` of a row whose lookback stays in its group, so none crosses a group.
 */
export type HistoryFeature = { name: string; of: string } & ({ lag: number } | { window: number; stat: RollingStat });

/** The target's lags and rolling means, named as they always were (`target_lag_1`, `target_rolling_mean_3`). */
export function targetHistory(features: FeatureSpec, target: string): HistoryFeature[] {
  return [
    ...features.targetLags.map((lag) => ({ name: `target_lag_${lag}`, of: target, lag })),
    ...features.targetRollingMeans.map((window) => ({ name: `target_rolling_mean_${window}`, of: target, window, stat: 'mean' as const })),
  ];
}

/**
 * Lags and rolling statistics of other numeric columns (declared or derived): `temp_lag_7`,
 * `temp_rolling_std_7`. Lags come in column-name order, not the spec's key order: PostgreSQL's
 * jsonb reorders an object's keys, and a plan read back must build its features in the order trained.
 */
export function columnHistory(features: FeatureSpec): HistoryFeature[] {
  const lags = Object.entries(features.lags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    ...lags.flatMap(([of, lags]) => lags.map((lag) => ({ name: `${of}_lag_${lag}`, of, lag }))),
    ...(features.rolling ?? []).map(({ column, window, stat }) => ({ name: `${column}_rolling_${stat}_${window}`, of: column, window, stat })),
  ];
}

/** How many earlier rows the feature reads. */
export function historyLookback(feature: HistoryFeature): number {
  return 'lag' in feature ? feature.lag : feature.window - 1;
}

/** The feature's value at row t of the series (NaN when a value it reads is missing). */
export function historyValue(series: Float64Array, t: number, feature: HistoryFeature): number {
  if ('lag' in feature) return series[t - feature.lag] as number;
  const from = t - feature.window + 1;
  switch (feature.stat) {
    case 'mean':
      return meanOf(series, from, t + 1);
    case 'std':
      return sampleStdOf(series, from, t + 1);
    case 'min':
      return extremeOf(series, from, t + 1, Math.min);
    case 'max':
      return extremeOf(series, from, t + 1, Math.max);
  }
}

/** The mean of values[from] … values[to − 1], summed left to right. */
function meanOf(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i += 1) sum += values[i] as number;
  return sum / (to - from);
}

/** The sample standard deviation (n − 1, as pandas' rolling std) of values[from] … values[to − 1]. */
function sampleStdOf(values: Float64Array, from: number, to: number): number {
  const mean = meanOf(values, from, to);
  let squares = 0;
  for (let i = from; i < to; i += 1) squares += ((values[i] as number) - mean) ** 2;
  return Math.sqrt(squares / (to - from - 1));
}

/** The smallest or largest of values[from] … values[to − 1]; NaN if any is missing. */
function extremeOf(values: Float64Array, from: number, to: number, pick: (a: number, b: number) => number): number {
  let extreme = values[from] as number;
  for (let i = from + 1; i < to; i += 1) extreme = pick(extreme, values[i] as number);
  return extreme;
}
