import { frameOfTable } from '../data/columns/frame';
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
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: ColumnDriftOptions,
  rules: SampleRules = DriftOptions.parse({}),
  seed = DEFAULT_DRIFT_SEED,
): ColumnDrift | SkippedColumn {
  return compareColumn(PREDICTION, { type: 'numeric', nullable: false }, predictionFrame(reference), predictionFrame(current), { options, rules, seed });
}

/** Predictions as a one-column table's frame (a Float64Array as it is, since nothing writes to a frame's arrays). */
function predictionFrame(predictions: ArrayLike<number>) {
  const values = predictions instanceof Float64Array ? predictions : Float64Array.from(predictions);
  return frameOfTable({ rowCount: values.length, specs: [{ name: PREDICTION, type: 'numeric' }], columns: [{ type: 'numeric', values }] });
}
