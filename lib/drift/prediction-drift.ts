import type { Row } from '../data/typed-row';
import { compareColumn, type SampleRules } from './column-drift';
import { DEFAULT_DRIFT_SEED } from './compare-datasets';
import { type ColumnDriftOptions, DriftOptions } from './drift-options';
import type { ColumnDrift, SkippedColumn } from './drift-report';

/** The name predictions go by in a report. */
export const PREDICTION = 'prediction';

/**
 * Prediction drift: the champion's predictions on the current data against its predictions on the
 * reference data, compared as one numeric column with the same methods, defaults, minimum sample
 * and calibrated thresholds as the data (`rules`: the data's DriftOptions).
 */
export function comparePredictions(
  reference: readonly number[],
  current: readonly number[],
  options: ColumnDriftOptions,
  rules: SampleRules = DriftOptions.parse({}),
  seed = DEFAULT_DRIFT_SEED,
): ColumnDrift | SkippedColumn {
  const asRows = (values: readonly number[]): Row[] => values.map((value) => ({ [PREDICTION]: value }));
  return compareColumn(PREDICTION, { type: 'numeric', nullable: false }, asRows(reference), asRows(current), { options, rules, seed });
}
