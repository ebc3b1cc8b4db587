import { NULL_CODE } from '../data/columns/column-table';
import type { Frame } from '../data/columns/frame';
import { targetNumbers, type TargetClasses } from './classes';
import type { TargetTransform } from './target-transform';
import type { FeatureSpec } from '../spec/pipeline-spec';
import { columnHistory, historyLookback, historyValue, targetHistory } from './transforms/column-history';
import { datePartColumns, datePartFeatures } from './transforms/date-parts';
import { computeDerived, derivedLookbacks, type FittedTransforms } from './transforms/derived-columns';
import { derivedName, derivedSources } from './transforms/transforms-spec';

/** What a model needs to rebuild its inputs from rows (seen as a frame): stored inside every artifact. */
export interface FeaturePlan {
  target: string;
  /** A classifier's classes: the label is then the class code (lib/model/classes.ts). */
  classes?: TargetClasses;
  /** The transform the trainer learns the target on; examples and predictions stay in the target's units (lib/model/target-transform.ts). */
  targetTransform?: TargetTransform;
  timeColumn?: string;
  /** Steps between a row and its label; 0 for cross-sectional data, where the label is the row's own target. */
  horizon: number;
  /** Categorical columns whose values split the rows into separate series (absent: one series). */
  groupBy?: string[];
  features: FeatureSpec;
  /** One-hot vocabularies, learned from the training rows; unseen values encode as all zeros. */
  categories: Record<string, string[]>;
  /** What derived columns learned from the training rows (z-scores' mean and standard deviation), by derived name. */
  fitted?: FittedTransforms;
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
  const { group } = table;
  table.row.forEach((t, i) => {
    const label = table.target[t + plan.horizon];
    if (label === undefined || !Number.isFinite(label)) return;
    if (group !== undefined && group[t + plan.horizon] !== group[t]) return;
    examples.x.push(table.x[i] as number[]);
    examples.y.push(label);
    examples.at.push(table.at[i] as string);
    examples.row.push(t);
  });
  return group === undefined ? examples : inTimeOrderAcrossGroups(examples);
}

/**
 * Grouped rows are built group by group; the examples are then put in time order (groups in
 * their order within a time) so a holdout cut by time takes every group's newest examples.
 */
function inTimeOrderAcrossGroups(examples: Examples): Examples {
  const order = examples.at.map((_, i) => i).sort((a, b) => (examples.at[a] as string).localeCompare(examples.at[b] as string) || a - b);
  return {
    featureNames: examples.featureNames,
    x: order.map((i) => examples.x[i] as number[]),
    y: order.map((i) => examples.y[i] as number),
    at: order.map((i) => examples.at[i] as string),
    row: order.map((i) => examples.row[i] as number),
  };
}

/** The features of every row that has enough history, for predicting: no label needed. */
export function buildFeatures(frame: Frame, plan: FeaturePlan): Omit<Examples, 'y'> {
  const { featureNames, x, at, row } = featureTable(frame, plan);
  return { featureNames, x, at, row };
}

/** `buildFeatures` laid out by feature: one Float64Array per feature, no array per row. */
export interface FeatureColumns {
  featureNames: string[];
  /** Feature j's value for every kept row. */
  columns: Float64Array[];
  /** As `Examples.row`: the time-order position of each kept row. */
  row: Int32Array;
  /** As `Examples.at[i]`, made only when asked: a million rows' would be a million strings. */
  atOf(i: number): string;
}

/**
 * The same rows and values as `buildFeatures`, column by column: what a model that predicts on
 * columns reads (the drift check's built-in ridge), at a fraction of the memory and time.
 */
export function buildFeatureColumns(frame: Frame, plan: FeaturePlan): FeatureColumns {
  const { order, group } = rowOrder(frame, plan);
  const target = inTimeOrder(targetNumbers(frame, plan), order);
  const { features } = plan;
  const numeric = features.columns.map((column) => inTimeOrder(frame.numbers(column), order));
  const categorical = features.categorical.map((column) => oneHotSlots(frame, column, plan.categories[column] ?? [], order));
  const times = plan.timeColumn ? inTimeOrder(frame.numbers(plan.timeColumn), order) : undefined;
  const transformed = transformedFeatures(frame, plan, { order, group, target, times });
  const pairs = features.interactions.map(([a, b]) => [baseFeatureNames(plan).indexOf(a), baseFeatureNames(plan).indexOf(b)] as const);
  const names = featureNames(plan);
  const lookback = lookbackOf(plan);
  const capacity = Math.max(0, frame.rowCount - lookback);
  const columns = names.map(() => new Float64Array(capacity));
  const row = new Int32Array(capacity);
  const values = new Float64Array(names.length);
  let kept = 0;
  for (let t = lookback; t < frame.rowCount; t += 1) {
    if (group !== undefined && group[t - lookback] !== group[t]) continue;
    let k = 0;
    for (const column of numeric) values[k++] = column[t] as number;
    for (const { slots, size } of categorical) for (let slot = 0; slot < size; slot += 1) values[k++] = slots[t] === slot ? 1 : 0;
    for (const valueAt of transformed) values[k++] = valueAt(t);
    for (const [i, j] of pairs) values[k++] = (values[i] as number) * (values[j] as number);
    if (!allFinite(values)) continue;
    for (let j = 0; j < values.length; j += 1) (columns[j] as Float64Array)[kept] = values[j] as number;
    row[kept] = t;
    kept += 1;
  }
  const keptRow = row.subarray(0, kept);
  return {
    featureNames: names,
    columns: columns.map((column) => column.subarray(0, kept)),
    row: keptRow,
    atOf: (i) => {
      const t = keptRow[i] as number;
      return times ? timeText(times[t] as number) : String(t).padStart(10, '0');
    },
  };
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let j = 0; j < values.length; j += 1) if (!Number.isFinite(values[j])) return false;
  return true;
}

/** The target of every row in time order (NaN where missing): what naive forecasts read, indexed like `Examples.row`. */
export function targetSeries(frame: Frame, plan: FeaturePlan): number[] {
  return Array.from(inTimeOrder(targetNumbers(frame, plan), rowOrder(frame, plan).order));
}

/** The frame's rows in the order features are built: time order, or group by group and in time order within each. */
export function featureOrder(frame: Frame, plan: FeaturePlan): Int32Array {
  return rowOrder(frame, plan).order ?? Int32Array.from({ length: frame.rowCount }, (_, i) => i);
}

/** The group of every row, indexed like `targetSeries`; undefined without `groupBy`. */
export function groupSeries(frame: Frame, plan: FeaturePlan): Int32Array | undefined {
  return rowOrder(frame, plan).group;
}

/** The group name of every row, indexed like `targetSeries`; undefined without `groupBy`. */
export function groupNames(frame: Frame, plan: FeaturePlan): string[] | undefined {
  const { group, names } = rowOrder(frame, plan);
  return group === undefined ? undefined : Array.from(group, (g) => names[g] as string);
}

/** Each group's name ("AAPL", or "a | b" for several columns) with its rows and examples: who had too little history to learn from. */
export function groupCounts(frame: Frame, plan: FeaturePlan, examples: Examples): { group: string; rows: number; examples: number }[] {
  const { group, names } = rowOrder(frame, plan);
  if (group === undefined) return [];
  const counts = names.map((name) => ({ group: name, rows: 0, examples: 0 }));
  for (const g of group) (counts[g] as { rows: number }).rows += 1;
  for (const t of examples.row) (counts[group[t] as number] as { examples: number }).examples += 1;
  return counts;
}

/** How many earlier rows a row needs before its features can be computed: lags, windows and changes (of changes) all count. */
export function lookbackOf(plan: FeaturePlan): number {
  const { features } = plan;
  const derived = derivedLookbacks(features.derived ?? []);
  return Math.max(
    0,
    ...targetHistory(features, plan.target).map(historyLookback),
    ...derived.values(),
    ...columnHistory(features).map((feature) => historyLookback(feature) + (derived.get(feature.of) ?? 0)),
  );
}

/** The rows features are built from, in feature order, with what every transform reads. */
interface OrderedRows {
  order: Int32Array | undefined;
  group: Int32Array | undefined;
  target: Float64Array;
  times: Float64Array | undefined;
}

/**
 * The declared transforms, each as its value at row t (in feature order), in the order of
 * `transformFeatureNames`: the one place they are computed, so training, evaluation, drift and
 * prediction see the same numbers.
 */
function transformedFeatures(frame: Frame, plan: FeaturePlan, rows: OrderedRows): ((t: number) => number)[] {
  const { features } = plan;
  const declared = new Map<string, Float64Array>();
  const read = (column: string) => declared.get(column) ?? declared.set(column, inTimeOrder(frame.numbers(column), rows.order)).get(column) as Float64Array;
  const { columns: derived } = computeDerived(features.derived ?? [], read, rows.group, { fitted: plan.fitted });
  const dates = plan.timeColumn && features.dateParts && rows.times ? datePartColumns(rows.times, datePartFeatures(plan.timeColumn, features.dateParts)) : [];
  const columnAt = (column: Float64Array) => (t: number) => column[t] as number;
  return [
    ...targetHistory(features, plan.target).map((feature) => (t: number) => historyValue(rows.target, t, feature)),
    ...[...derived.values(), ...dates].map(columnAt),
    ...columnHistory(features).map((feature) => {
      const series = derived.get(feature.of) ?? read(feature.of);
      return (t: number) => historyValue(series, t, feature);
    }),
  ];
}

/** The names of `transformedFeatures`, from the plan alone. */
function transformFeatureNames(plan: FeaturePlan): string[] {
  const { features } = plan;
  return [
    ...targetHistory(features, plan.target).map(({ name }) => name),
    ...(features.derived ?? []).map(derivedName),
    ...(plan.timeColumn && features.dateParts ? datePartFeatures(plan.timeColumn, features.dateParts).map(({ name }) => name) : []),
    ...columnHistory(features).map(({ name }) => name),
  ];
}

/** The declared columns the transforms read (derived columns are made from them). */
export function transformSourceColumns(features: FeatureSpec): string[] {
  const derived = new Set((features.derived ?? []).map(derivedName));
  const read = [
    ...(features.derived ?? []).flatMap((spec) => derivedSources(spec).map(({ column }) => column)),
    ...columnHistory(features).map(({ of }) => of),
  ];
  return [...new Set(read.filter((column) => !derived.has(column)))];
}

/** Placeholder fits (mean 0, std 1) for the first pass that finds the training rows; none when nothing is fitted. */
export function transformsToFit(features: FeatureSpec): Pick<FeaturePlan, 'fitted'> {
  const zscores = (features.derived ?? []).filter(({ op }) => op === 'zscore').map(derivedName);
  return zscores.length === 0 ? {} : { fitted: Object.fromEntries(zscores.map((name) => [name, { mean: 0, std: 1 }])) };
}

/**
 * The plan with its transforms fitted on the training examples' rows (`Examples.row`) only, so
 * nothing of the holdout leaks into them; the fit is stored in the plan and reused from then on.
 */
export function fitTransforms(frame: Frame, plan: FeaturePlan, trainRows: readonly number[]): FeaturePlan {
  if (plan.fitted === undefined) return plan;
  const { order, group } = rowOrder(frame, plan);
  const { fitted } = computeDerived(plan.features.derived ?? [], (column) => inTimeOrder(frame.numbers(column), order), group, { fitOn: trainRows });
  return { ...plan, fitted };
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

interface RowOrder {
  /** Positions into the frame, in the order features are built (undefined: as they are). */
  order: Int32Array | undefined;
  /** The group of each ordered row, groups contiguous; undefined without `groupBy`. */
  group: Int32Array | undefined;
  names: string[];
}

/** Rows in time order, or, with `groupBy`, group by group (groups sorted by name) and in time order within each. */
function rowOrder(frame: Frame, plan: FeaturePlan): RowOrder {
  const columns = plan.groupBy ?? [];
  if (columns.length === 0) return { order: orderByTime(frame, plan.timeColumn), group: undefined, names: [] };
  const keyOfRow = groupKeys(frame, columns);
  const names = [...new Set(keyOfRow)].sort();
  const id = new Map(names.map((name, i) => [name, i]));
  const groupOfRow = Int32Array.from(keyOfRow, (key) => id.get(key) as number);
  const time = orderByTime(frame, plan.timeColumn);
  const timeRank = new Int32Array(frame.rowCount);
  (time ?? Int32Array.from({ length: frame.rowCount }, (_, i) => i)).forEach((row, rank) => (timeRank[row] = rank));
  const order = Int32Array.from({ length: frame.rowCount }, (_, i) => i).sort(
    (a, b) => (groupOfRow[a] as number) - (groupOfRow[b] as number) || (timeRank[a] as number) - (timeRank[b] as number),
  );
  return { order, group: inTimeOrder(groupOfRow, order), names };
}

/** Each row's group name: the values of the groupBy columns, joined by " | " ("null" for a missing one). */
export function groupKeys(frame: Frame, columns: string[]): string[] {
  const parts = columns.map((column) => {
    const { codes, dictionary } = frame.codes(column);
    return Array.from(codes, (code) => (code === NULL_CODE ? 'null' : String(dictionary[code])));
  });
  return Array.from({ length: frame.rowCount }, (_, row) => parts.map((values) => values[row]).join(' | '));
}

function featureTable(frame: Frame, plan: FeaturePlan) {
  const { order, group } = rowOrder(frame, plan);
  const target = inTimeOrder(targetNumbers(frame, plan), order);
  const { features } = plan;
  const columns = features.columns.map((column) => inTimeOrder(frame.numbers(column), order));
  const categorical = features.categorical.map((column) => oneHotSlots(frame, column, plan.categories[column] ?? [], order));
  const times = plan.timeColumn ? inTimeOrder(frame.numbers(plan.timeColumn), order) : undefined;
  const transformed = transformedFeatures(frame, plan, { order, group, target, times });
  const base = baseFeatureNames(plan);
  const pairs = features.interactions.map(([a, b]) => [base.indexOf(a), base.indexOf(b)] as const);
  const table = { featureNames: featureNames(plan), target: Array.from(target), group, x: [] as number[][], at: [] as string[], row: [] as number[] };
  const width = table.featureNames.length;
  const lookback = lookbackOf(plan);
  for (let t = lookback; t < frame.rowCount; t += 1) {
    // A row whose history starts in another group has too little of its own.
    if (group !== undefined && group[t - lookback] !== group[t]) continue;
    // Sized up front: an array grown by push keeps spare capacity, which a million examples would hold on to.
    const values = new Array<number>(width);
    let k = 0;
    for (const column of columns) values[k++] = column[t] as number;
    for (const { slots, size } of categorical) for (let slot = 0; slot < size; slot += 1) values[k++] = slots[t] === slot ? 1 : 0;
    for (const valueAt of transformed) values[k++] = valueAt(t);
    for (const [i, j] of pairs) values[k++] = (values[i] as number) * (values[j] as number);
    if (!allFinite(values)) continue;
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
    ...transformFeatureNames(plan),
  ];
}

/** A row's time as rows carry it: ISO 8601 UTC, "null" without one. */
function timeText(time: number): string {
  return Number.isNaN(time) ? 'null' : new Date(time).toISOString();
}

