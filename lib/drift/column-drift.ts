import type { ColumnSpec } from '../data/column-spec';
import type { Row } from '../data/typed-row';
import { buckets } from './buckets';
import { columnValues, type ColumnValues, distinctValues, sizeOf } from './column-values';
import { DRIFT_METHODS } from './drift-methods';
import type { ColumnDriftOptions } from './drift-options';
import type { ColumnDrift, SkippedColumn } from './drift-report';
import { measureDrift } from './measure-drift';
import { reportedHistogram } from './reported-histogram';
import { defaultMethod } from './select-method';
import { columnVerdict } from './verdicts';

/** Compares one column of the two datasets, or says why it cannot be compared. */
export function compareColumn(
  column: string,
  spec: ColumnSpec,
  reference: readonly Row[],
  current: readonly Row[],
  options: ColumnDriftOptions,
): ColumnDrift | SkippedColumn {
  const { type } = spec;
  // Time moves on between any two periods: a time column always "drifts" and says nothing.
  if (type === 'timestamp') return { column, type, reason: 'timestamp columns are not compared' };
  const referenceValues = columnValues(reference, column, type);
  const currentValues = columnValues(current, column, type);
  const empty = sizeOf(referenceValues) === 0 ? 'reference' : sizeOf(currentValues) === 0 ? 'current' : undefined;
  if (empty !== undefined) return { column, type, reason: `no non-null values in the ${empty} data` };

  const method = options.method ?? defaultMethod(type, sizeOf(referenceValues), distinctValues(referenceValues, currentValues));
  const info = DRIFT_METHODS[method];
  const threshold = options.threshold ?? info.threshold;
  const warnThreshold = options.warnThreshold ?? info.warnThreshold ?? null;
  const binned = buckets(referenceValues, currentValues);
  const { statistic, pValue } = measureDrift(method, referenceValues, currentValues, binned);
  return {
    column,
    type,
    method,
    statistic: Number.isFinite(statistic) ? statistic : null,
    pValue,
    threshold,
    warnThreshold,
    verdict: columnVerdict(info, pValue ?? statistic, threshold, warnThreshold),
    compared: { reference: sizeOf(referenceValues), current: sizeOf(currentValues) },
    nullShare: { reference: nullShare(referenceValues), current: nullShare(currentValues) },
    histogram: reportedHistogram(binned),
  };
}

function nullShare(values: ColumnValues): number {
  return values.nulls / (values.nulls + sizeOf(values));
}
