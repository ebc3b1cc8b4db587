import { sturgesHistogram } from '../stats/histogram';
import { type Category, categoryCounts, type ColumnValues, distinctCount } from './column-values';

/** Reference and current counts over the same bins or categories. */
export type Buckets =
  | { kind: 'bins'; edges: number[]; reference: number[]; current: number[] }
  | { kind: 'categories'; values: Category[]; reference: number[]; current: number[] };

/** A numeric reference with more distinct values than this is binned rather than counted per value. */
const MAX_VALUES_COUNTED = 20;

/**
 * Evidently's get_binned_data: numeric columns with more than 20 distinct reference values go into
 * Sturges bins over both samples, everything else is counted per value. Jensen–Shannon and PSI
 * compare these counts, and the report shows them.
 */
export function buckets(reference: ColumnValues, current: ColumnValues): Buckets {
  if (reference.kind === 'numeric' && current.kind === 'numeric' && distinctCount(reference) > MAX_VALUES_COUNTED) {
    return { kind: 'bins', ...sturgesHistogram(reference.sorted, current.sorted) };
  }
  return categoryBuckets(reference, current);
}

/** Counts per value over the union of both samples' values, in ascending order. */
export function categoryBuckets(reference: ColumnValues, current: ColumnValues): Buckets & { kind: 'categories' } {
  const referenceCounts = categoryCounts(reference);
  const currentCounts = categoryCounts(current);
  const values = [...new Set([...referenceCounts.keys(), ...currentCounts.keys()])].sort(compareCategories);
  return {
    kind: 'categories',
    values,
    reference: values.map((value) => referenceCounts.get(value) ?? 0),
    current: values.map((value) => currentCounts.get(value) ?? 0),
  };
}

/** Numbers by value, strings by code unit, false before true: Python's sorted() on one type. */
function compareCategories(a: Category, b: Category): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}
