import { NULL_CODE } from '../data/columns/column-table';
import type { Frame } from '../data/columns/frame';
import type { FeatureSpec } from '../spec/pipeline-spec';

/** What a model needs to rebuild its inputs from rows (seen as a frame): stored inside every artifact. */
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
export function learnCategories(frame: Frame, features: FeatureSpec): Record<string, string[]> {
  return Object.fromEntries(
    features.categorical.map((column) => {
      const { codes, dictionary } = frame.codes(column);
      const seen = new Uint8Array(dictionary.length);
      for (const code of codes) if (code !== NULL_CODE) seen[code] = 1;
      return [column, [...new Set(dictionary.filter((_, code) => seen[code] === 1).map(String))].sort()];
    }),
  );
}

/**
 * Builds supervised examples: the features describe the state at row t, the label is the
 * target at row t + horizon. Rows are put in time order first; rows too early to have all
 * their lags, and too late to have a label, are left out, as are rows with a missing value.
 */
export function buildExamples(frame: Frame, plan: FeaturePlan): Examples {
  const table = featureTable(frame, plan);
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
export function buildFeatures(frame: Frame, plan: FeaturePlan): Omit<Examples, 'y'> {
  const { featureNames, x, at, row } = featureTable(frame, plan);
  return { featureNames, x, at, row };
}

/** The target of every row in time order (NaN where missing): what naive forecasts read, indexed like `Examples.row`. */
export function targetSeries(frame: Frame, plan: FeaturePlan): number[] {
  return Array.from(inTimeOrder(frame.numbers(plan.target), orderByTime(frame, plan.timeColumn)));
}

/** How many earlier rows a row needs before its features can be computed. */
export function lookbackOf(plan: FeaturePlan): number {
  return Math.max(0, ...plan.features.targetLags, ...plan.features.targetRollingMeans.map((n) => n - 1));
}

/**
 * The frame's rows in time order, as positions into it: stable (rows at the same time keep their
 * order), rows without a time last. Undefined when they already are in that order (or there is
 * no time column), so no column needs gathering.
 */
export function orderByTime(frame: Frame, timeColumn: string | undefined): Int32Array | undefined {
  if (!timeColumn) return undefined;
  const times = frame.numbers(timeColumn);
  const later = (a: number, b: number) => (Number.isNaN(a) ? !Number.isNaN(b) : a > b);
  let ordered = true;
  for (let i = 1; i < times.length && ordered; i += 1) ordered = !later(times[i - 1] as number, times[i] as number);
  if (ordered) return undefined;
  const key = (i: number) => (Number.isNaN(times[i] as number) ? Number.POSITIVE_INFINITY : (times[i] as number));
  return Int32Array.from({ length: times.length }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
}

function inTimeOrder<T extends Float64Array | Int32Array>(values: T, order: Int32Array | undefined): T {
  if (order === undefined) return values;
  const ordered = new (values.constructor as new (length: number) => T)(order.length);
  for (let i = 0; i < order.length; i += 1) ordered[i] = values[order[i] as number] as number;
  return ordered;
}

/** One categorical feature: each row's slot in the vocabulary (−1 for none: all zeros), and the vocabulary's size. */
function oneHotSlots(frame: Frame, column: string, categories: string[], order: Int32Array | undefined): { slots: Int32Array; size: number } {
  const { codes, dictionary } = frame.codes(column);
  const slotOfCode = dictionary.map((value) => categories.indexOf(String(value)));
  const ordered = inTimeOrder(codes, order);
  return { slots: ordered.map((code) => (code === NULL_CODE ? -1 : (slotOfCode[code] as number))), size: categories.length };
}

function featureTable(frame: Frame, plan: FeaturePlan) {
  const order = orderByTime(frame, plan.timeColumn);
  const target = inTimeOrder(frame.numbers(plan.target), order);
  const { features } = plan;
  const columns = features.columns.map((column) => inTimeOrder(frame.numbers(column), order));
  const categorical = features.categorical.map((column) => oneHotSlots(frame, column, plan.categories[column] ?? [], order));
  const times = plan.timeColumn ? inTimeOrder(frame.numbers(plan.timeColumn), order) : undefined;
  const base = baseFeatureNames(plan);
  const pairs = features.interactions.map(([a, b]) => [base.indexOf(a), base.indexOf(b)] as const);
  const table = { featureNames: featureNames(plan), target: Array.from(target), x: [] as number[][], at: [] as string[], row: [] as number[] };
  const width = table.featureNames.length;
  for (let t = lookbackOf(plan); t < frame.rowCount; t += 1) {
    // Sized up front: an array grown by push keeps spare capacity, which a million examples would hold on to.
    const values = new Array<number>(width);
    let k = 0;
    for (const column of columns) values[k++] = column[t] as number;
    for (const { slots, size } of categorical) for (let slot = 0; slot < size; slot += 1) values[k++] = slots[t] === slot ? 1 : 0;
    for (const lag of features.targetLags) values[k++] = target[t - lag] as number;
    for (const window of features.targetRollingMeans) values[k++] = meanOf(target, t - window + 1, t + 1);
    for (const [i, j] of pairs) values[k++] = (values[i] as number) * (values[j] as number);
    if (!values.every(Number.isFinite)) continue;
    table.x.push(values);
    table.at.push(times ? timeText(times[t] as number) : String(t).padStart(10, '0'));
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

/** A row's time as rows carry it: ISO 8601 UTC, "null" without one. */
function timeText(time: number): string {
  return Number.isNaN(time) ? 'null' : new Date(time).toISOString();
}

/** The mean of values[from] … values[to − 1], summed left to right. */
function meanOf(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i += 1) sum += values[i] as number;
  return sum / (to - from);
}
