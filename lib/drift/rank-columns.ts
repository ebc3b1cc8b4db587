import type { ColumnDrift, ColumnVerdict } from './drift-report';

const VERDICT_ORDER: Record<ColumnVerdict, number> = { drift: 0, warn: 1, stable: 2, insufficient: 3 };

/**
 * How far a column is past its threshold, on one scale for both kinds of method: a distance over
 * its threshold, or the threshold over a p-value. Above 1 the column drifted.
 */
export function driftMargin(column: Pick<ColumnDrift, 'statistic' | 'pValue' | 'threshold'>): number {
  if (column.pValue !== null) return column.pValue === 0 ? Number.POSITIVE_INFINITY : column.threshold / column.pValue;
  return column.statistic === null ? Number.POSITIVE_INFINITY : column.statistic / column.threshold;
}

/** Drifted columns first, then warned, then stable, then those too small to test; within each, the largest margin first. */
export function rankColumns<T extends Pick<ColumnDrift, 'statistic' | 'pValue' | 'threshold' | 'verdict'>>(columns: readonly T[]): T[] {
  // Compared, not subtracted: two infinite margins would give NaN.
  const larger = (a: T, b: T) => Math.sign(driftMargin(b) - driftMargin(a)) || 0;
  return [...columns].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || larger(a, b));
}
