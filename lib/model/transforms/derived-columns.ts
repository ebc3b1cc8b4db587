import { DriftlineError } from '../../errors';
import { standardDeviation } from '../../stats/sorted-sample';
import { derivedName, derivedSources, type DerivedColumn } from './transforms-spec';

/** A z-score's parameters, fitted on the training rows and stored in the feature plan. */
export interface ZscoreFit {
  mean: number;
  std: number;
}
/** Fitted parameters by derived column name. */
export type FittedTransforms = Record<string, ZscoreFit>;

export interface DerivedResult {
  columns: Map<string, Float64Array>;
  fitted: FittedTransforms;
}

/**
 * Computes the derived columns in declared order over rows in feature order (group by group, in
 * time order), each reading declared columns through `read` or earlier derived ones. A z-score
 * uses its stored fit, or, given `fitOn` (the training rows' positions), is fitted on those rows.
 */
export function computeDerived(
  derived: readonly DerivedColumn[],
  read: (column: string) => Float64Array,
  group: Int32Array | undefined,
  fit: { fitted?: FittedTransforms; fitOn?: ArrayLike<number> },
): DerivedResult {
  const columns = new Map<string, Float64Array>();
  const fitted: FittedTransforms = {};
  derived.forEach((spec, i) => {
    const name = derivedName(spec);
    const [a, b] = derivedSources(spec).map(({ column }) => columns.get(column) ?? read(column)) as [Float64Array, Float64Array | undefined];
    const field = `features.derived.${i} ("${name}")`;
    if (spec.op === 'zscore') {
      const params = fit.fitOn ? fitZscore(a, fit.fitOn, field) : fit.fitted?.[name];
      if (!params) throw new Error(`${field}: the plan holds no fitted mean and standard deviation`);
      fitted[name] = params;
      columns.set(name, a.map((x) => (x - params.mean) / params.std));
      return;
    }
    columns.set(name, rowwise(spec, a, b as Float64Array, group, field));
  });
  return { columns, fitted };
}

/** Every op but zscore: a function of the row's values (and, for changes, an earlier row's in the same group). */
function rowwise(spec: Exclude<DerivedColumn, { op: 'zscore' }>, a: Float64Array, b: Float64Array, group: Int32Array | undefined, field: string): Float64Array {
  switch (spec.op) {
    case 'log':
      return inDomain(a, (x) => x > 0, `${field}: log needs values above 0`).map(Math.log);
    case 'log1p':
      return inDomain(a, (x) => x > -1, `${field}: log1p needs values above -1`).map(Math.log1p);
    case 'diff':
      return changes(a, spec.periods, group, (now, before) => now - before);
    case 'pctChange':
      return changes(a, spec.periods, group, (now, before) => (now - before) / before);
    case 'ratio':
      return a.map((x, t) => x / (b[t] as number));
    case 'difference':
      return a.map((x, t) => x - (b[t] as number));
    case 'clip': {
      const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = spec;
      return a.map((x) => Math.min(Math.max(x, min), max));
    }
  }
}

/** The values, if every present one is in the domain; a value outside is a data error, never a silent NaN. */
function inDomain(values: Float64Array, ok: (x: number) => boolean, message: string): Float64Array {
  const outside = values.filter((x) => !Number.isNaN(x) && !ok(x));
  if (outside.length > 0) throw new DriftlineError('DataValidationFailed', `${message}; ${outside.length} row(s) hold one (the first: ${outside[0]})`);
  return values;
}

/** A change over `periods` rows of the same group; NaN where that row is before the group's first. */
function changes(values: Float64Array, periods: number, group: Int32Array | undefined, change: (now: number, before: number) => number): Float64Array {
  return values.map((now, t) => (t < periods || (group !== undefined && group[t - periods] !== group[t]) ? Number.NaN : change(now, values[t - periods] as number)));
}

/** Mean and population standard deviation (as scikit-learn's StandardScaler) of the present values at the training rows. */
function fitZscore(values: Float64Array, rows: ArrayLike<number>, field: string): ZscoreFit {
  const training = Float64Array.from(rows, (row) => values[row] as number).filter(Number.isFinite);
  const mean = training.reduce((total, x) => total + x, 0) / training.length;
  const std = standardDeviation(training);
  if (!(std > 0)) throw new DriftlineError('DataValidationFailed', `${field}: the column is constant (or missing) on the ${training.length} training rows, so it has no z-score`);
  return { mean, std };
}

/** How many earlier rows each derived column reads (a change reads `periods`, plus what its source reads). */
export function derivedLookbacks(derived: readonly DerivedColumn[]): Map<string, number> {
  const lookbacks = new Map<string, number>();
  for (const spec of derived) {
    const own = spec.op === 'diff' || spec.op === 'pctChange' ? spec.periods : 0;
    lookbacks.set(derivedName(spec), own + Math.max(0, ...derivedSources(spec).map(({ column }) => lookbacks.get(column) ?? 0)));
  }
  return lookbacks;
}
