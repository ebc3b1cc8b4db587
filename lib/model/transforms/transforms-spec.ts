import { z } from 'zod';
import type { ColumnSpec } from '../../data/column-spec';

/** A derived column's own name: usable as a feature, in `interactions`, and by later transforms. */
const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, { message: 'letters, digits, dot and underscore, not starting with a digit' }).optional();

/**
 * A column computed from declared columns (or earlier derived ones) before features are built,
 * the same way at training, evaluation, drift and prediction time (lib/model/transforms/).
 */
export const DerivedColumn = z.discriminatedUnion('op', [
  /** log(x) and log(1 + x): a value outside the domain is a data error, not a silent NaN. */
  z.object({ op: z.enum(['log', 'log1p']), column: z.string(), name: Name }).strict(),
  /** x[t] − x[t − periods], and (x[t] − x[t − periods]) / x[t − periods]: within each group, in time order. */
  z.object({ op: z.enum(['diff', 'pctChange']), column: z.string(), periods: z.number().int().positive().default(1), name: Name }).strict(),
  /** a / b and a − b, row by row. */
  z.object({ op: z.enum(['ratio', 'difference']), columns: z.tuple([z.string(), z.string()]), name: Name }).strict(),
  /** Values below `min` become `min`, above `max` become `max`. */
  z.object({ op: z.literal('clip'), column: z.string(), min: z.number().optional(), max: z.number().optional(), name: Name }).strict(),
  /** (x − mean) / std, the mean and (population) standard deviation fitted on the training rows and stored with the version. */
  z.object({ op: z.literal('zscore'), column: z.string(), name: Name }).strict(),
]);
export type DerivedColumn = z.infer<typeof DerivedColumn>;

export const RollingStat = z.enum(['mean', 'std', 'min', 'max']);
export type RollingStat = z.infer<typeof RollingStat>;

/** A statistic of a column over its last `window` rows (the current one included), within each group. */
export const RollingSpec = z.object({ column: z.string(), window: z.number().int().min(2), stat: RollingStat }).strict();
export type RollingSpec = z.infer<typeof RollingSpec>;

export const DatePart = z.enum(['year', 'month', 'dayOfWeek', 'dayOfYear', 'hour']);
export type DatePart = z.infer<typeof DatePart>;

/** Parts of the time column (UTC); `cyclic` turns each periodic part into a sin/cos pair. */
export const DatePartsSpec = z.object({ parts: z.array(DatePart).min(1), cyclic: z.boolean().default(false) }).strict();
export type DatePartsSpec = z.infer<typeof DatePartsSpec>;

/** The transform keys of `features`; absent in plans stored before transforms existed. */
export const FeatureTransforms = {
  /** Derived columns, computed in order (a later one may read an earlier one); each is a feature. */
  derived: z.array(DerivedColumn).optional(),
  /** Lagged values of numeric columns (declared or derived): `{ "temp": [1, 7] }`. */
  lags: z.record(z.string(), z.array(z.number().int().positive()).min(1)).optional(),
  /** Rolling statistics of numeric columns (declared or derived). */
  rolling: z.array(RollingSpec).optional(),
  /** Date parts of the time column. */
  dateParts: DatePartsSpec.optional(),
};

type Path = (string | number)[];
export interface TransformIssue {
  path: Path;
  message: string;
}

/** What the rules need to know of a pipeline spec. */
interface SpecView {
  columns: Record<string, ColumnSpec>;
  target: string;
  timeColumn?: string;
  kind: 'time-series' | 'cross-sectional';
  features: { derived?: DerivedColumn[]; lags?: Record<string, number[]>; rolling?: RollingSpec[]; dateParts?: DatePartsSpec };
}

/** The name a derived column goes by: its own, or one made of the op and its columns (`log1p_sales`, `a_per_b`). */
export function derivedName(derived: DerivedColumn): string {
  if (derived.name !== undefined) return derived.name;
  switch (derived.op) {
    case 'ratio':
      return `${derived.columns[0]}_per_${derived.columns[1]}`;
    case 'difference':
      return `${derived.columns[0]}_minus_${derived.columns[1]}`;
    case 'diff':
      return `diff${derived.periods === 1 ? '' : derived.periods}_${derived.column}`;
    case 'pctChange':
      return `pct_change${derived.periods === 1 ? '' : derived.periods}_${derived.column}`;
    default:
      return `${derived.op}_${derived.column}`;
  }
}

/** The columns a derived column reads, each with its path in the spec. */
export function derivedSources(derived: DerivedColumn): { column: string; path: Path }[] {
  return 'columns' in derived ? derived.columns.map((column, i) => ({ column, path: ['columns', i] })) : [{ column: derived.column, path: ['column'] }];
}

/**
 * The rules a schema alone cannot state, each refusal naming its field: transforms read numeric
 * columns that exist, lags and changes need an order (kind "time-series"), date parts need a time
 * column, names do not collide, and a cross-sectional transform never reads the label.
 */
export function transformIssues(spec: SpecView): TransformIssue[] {
  const issues: TransformIssue[] = [];
  const at = (path: Path, message: string) => issues.push({ path: ['features', ...path], message });
  const derivedNames = new Set<string>();
  const crossSectional = spec.kind === 'cross-sectional';
  const ordered = 'needs rows in time order: a cross-sectional pipeline has none (kind "time-series")';
  const checkSource = (column: string, path: Path, what: string) => {
    if (derivedNames.has(column)) return;
    const type = spec.columns[column]?.type;
    if (type === undefined) at(path, `column "${column}" is not declared in columns (nor derived earlier)`);
    else if (type !== 'numeric' && type !== 'integer') at(path, `${what} needs a numeric or integer column; "${column}" is ${type}`);
    else if (crossSectional && column === spec.target) at(path, `"${column}" is the target: in a cross-sectional pipeline its transform would be the label itself`);
  };
  (spec.features.derived ?? []).forEach((derived, i) => {
    derivedSources(derived).forEach(({ column, path }) => checkSource(column, ['derived', i, ...path], derived.op));
    if (crossSectional && (derived.op === 'diff' || derived.op === 'pctChange')) at(['derived', i, 'op'], `${derived.op} ${ordered}`);
    if (derived.op === 'clip') {
      if (derived.min === undefined && derived.max === undefined) at(['derived', i], 'clip needs min, max or both');
      else if (derived.min !== undefined && derived.max !== undefined && derived.min > derived.max) at(['derived', i, 'min'], `min ${derived.min} is above max ${derived.max}`);
    }
    const name = derivedName(derived);
    if (derivedNames.has(name) || name in spec.columns) at(['derived', i, 'name'], `"${name}" is already ${derivedNames.has(name) ? 'a derived column' : 'a declared column'}: give it another name`);
    derivedNames.add(name);
  });
  const lags = spec.features.lags ?? {};
  if (crossSectional && Object.keys(lags).length > 0) at(['lags'], `lags ${ordered}`);
  Object.keys(lags).forEach((column) => checkSource(column, ['lags', column], 'a lag'));
  const rolling = spec.features.rolling ?? [];
  if (crossSectional && rolling.length > 0) at(['rolling'], `rolling statistics ${ordered}`);
  rolling.forEach(({ column }, i) => checkSource(column, ['rolling', i, 'column'], 'a rolling statistic'));
  if (spec.features.dateParts !== undefined && spec.timeColumn === undefined) at(['dateParts'], 'date parts need a timeColumn');
  return issues;
}

/** How many transform features the spec declares (for the "declare at least one feature" rule). */
export function transformFeatureCount(features: SpecView['features']): number {
  return (features.derived?.length ?? 0) + Object.keys(features.lags ?? {}).length + (features.rolling?.length ?? 0) + (features.dateParts ? 1 : 0);
}
