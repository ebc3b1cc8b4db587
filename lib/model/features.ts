import type { Row } from '../data/typed-row';
import type { FeatureSpec } from '../spec/pipeline-spec';

/** What a model needs to rebuild its inputs from rows: stored inside every artifact. */
export interface FeaturePlan {
  target: string;
  timeColumn?: string;
  horizon: number;
  features: FeatureSpec;
  /** One-hot vocabularies, learned from the training rows; unseen values encode as all zeros. */
  categories: Record<string, string[]>;
}

export interface Examples {
  featureNames: string[];
  /** One row of feature values per example. */
  x: number[][];
  /** The target `horizon` steps after each example's row. */
  y: number[];
  /** The time (or zero-padded row position) of the row each example is built from; sorts as text. */
  at: string[];
  /** The position of that row in time order: pairs the examples two feature plans build from the same rows. */
  row: number[];
}

/** Learns the one-hot vocabulary of each categorical feature from the rows, sorted for stable feature order. */
export function learnCategories(rows: Row[], features: FeatureSpec): Record<string, string[]> {
  return Object.fromEntries(
    features.categorical.map((column) => {
      const seen = new Set<string>();
      for (const row of rows) if (row[column] !== null && row[column] !== undefined) seen.add(String(row[column]));
      return [column, [...seen].sort()];
    }),
  );
}

/**
 * Builds supervised examples: the features describe the state at row t, the label is the
 * target at row t + horizon. Rows are put in time order first; rows too early to have all
 * their lags, and too late to have a label, are left out, as are rows with a missing value.
 */
export function buildExamples(rows: Row[], plan: FeaturePlan): Examples {
  const table = featureTable(rows, plan);
  const examples: Examples = { featureNames: table.featureNames, x: [], y: [], at: [], row: [] };
  table.row.forEach((t, i) => {
    const label = table.target[t + plan.horizon];
    if (label === undefined || !Number.isFinite(label)) return;
    examples.x.push(table.x[i] as number[]);
    examples.y.push(label);
    examples.at.push(table.at[i] as string);
    examples.row.push(t);
  });
  return examples;
}

/** The features of every row that has enough history, for predicting: no label needed. */
export function buildFeatures(rows: Row[], plan: FeaturePlan): Omit<Examples, 'y'> {
  const { featureNames, x, at, row } = featureTable(rows, plan);
  return { featureNames, x, at, row };
}

/** The target of every row in time order (NaN where missing): what naive forecasts read, indexed like `Examples.row`. */
export function targetSeries(rows: Row[], plan: FeaturePlan): number[] {
  return orderByTime(rows, plan.timeColumn).map((row) => toNumber(row[plan.target]));
}

/** How many earlier rows a row needs before its features can be computed. */
export function lookbackOf(plan: FeaturePlan): number {
  return Math.max(0, ...plan.features.targetLags, ...plan.features.targetRollingMeans.map((n) => n - 1));
}

function featureTable(rows: Row[], plan: FeaturePlan) {
  const ordered = orderByTime(rows, plan.timeColumn);
  const target = ordered.map((row) => toNumber(row[plan.target]));
  const { features } = plan;
  const base = baseFeatureNames(plan);
  const pairs = features.interactions.map(([a, b]) => [base.indexOf(a), base.indexOf(b)] as const);
  const table = { featureNames: featureNames(plan), target, x: [] as number[][], at: [] as string[], row: [] as number[] };
  for (let t = lookbackOf(plan); t < ordered.length; t += 1) {
    const row = ordered[t] as Row;
    const values = [
      ...features.columns.map((column) => toNumber(row[column])),
      ...features.categorical.flatMap((column) => oneHot(row[column], plan.categories[column] ?? [])),
      ...features.targetLags.map((lag) => target[t - lag] as number),
      ...features.targetRollingMeans.map((window) => mean(target.slice(t - window + 1, t + 1))),
    ];
    values.push(...pairs.map(([i, j]) => (values[i] as number) * (values[j] as number)));
    if (!values.every(Number.isFinite)) continue;
    table.x.push(values);
    table.at.push(plan.timeColumn ? String(row[plan.timeColumn]) : String(t).padStart(10, '0'));
    table.row.push(t);
  }
  return table;
}

export function featureNames(plan: FeaturePlan): string[] {
  return [...baseFeatureNames(plan), ...plan.features.interactions.map(([a, b]) => `${a}*${b}`)];
}

/** Names an interaction may refer to: every feature before interactions. */
export function baseFeatureNames(plan: FeaturePlan): string[] {
  const { features } = plan;
  return [
    ...features.columns,
    ...features.categorical.flatMap((column) => (plan.categories[column] ?? []).map((value) => `${column}=${value}`)),
    ...features.targetLags.map((lag) => `target_lag_${lag}`),
    ...features.targetRollingMeans.map((window) => `target_rolling_mean_${window}`),
  ];
}

function oneHot(value: Row[string] | undefined, categories: string[]): number[] {
  return categories.map((category) => (value !== null && value !== undefined && String(value) === category ? 1 : 0));
}

export function orderByTime(rows: Row[], timeColumn: string | undefined): Row[] {
  if (!timeColumn) return rows;
  return [...rows].sort((a, b) => String(a[timeColumn]).localeCompare(String(b[timeColumn])));
}

function toNumber(value: Row[string] | undefined): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
