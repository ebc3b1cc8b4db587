import type { ColumnType } from '../data/column-spec';
import { type ColumnValues, distinctCount, isNumeric, sizeOf } from './column-values';
import type { DriftMethod } from './drift-methods';

/** Evidently's line between a small reference, where tests have power, and a large one, where distances do better. */
const SMALL_REFERENCE = 1000;
/** A numeric column with at most this many distinct values is tested as categories. */
const FEW_VALUES = 5;

/**
 * Evidently's default test for a column (get_default_stattest). Hypothesis tests on a small
 * reference: Z-test for at most two distinct values, chi-square for categories and numeric columns
 * with few values, Kolmogorov–Smirnov for the other numeric columns. On a larger reference, where
 * p-values flag differences too small to matter: Wasserstein distance normed by the reference's
 * standard deviation for numeric columns, Jensen–Shannon distance for the rest.
 *
 * Evidently counts the distinct values of both sides; Driftline counts the reference's alone, so
 * that the method is a property of the reference and stays the same for every check against it.
 */
export function defaultMethod(type: Exclude<ColumnType, 'timestamp'>, referenceSize: number, distinctValues: number): DriftMethod {
  const categoryLike = !isNumeric(type) || distinctValues <= FEW_VALUES;
  if (referenceSize <= SMALL_REFERENCE) {
    if (!categoryLike) return 'ks';
    return distinctValues <= 2 ? 'z' : 'chisquare';
  }
  return categoryLike ? 'jensenshannon' : 'wasserstein';
}

/** The default method for a column's reference values. */
export function referenceMethod(type: Exclude<ColumnType, 'timestamp'>, reference: ColumnValues): DriftMethod {
  return defaultMethod(type, sizeOf(reference), distinctCount(reference));
}
