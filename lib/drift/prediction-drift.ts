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
 * and calibrated thresholds as the data (`rules`: the data's DriftOptions). A classifier's
 * predictions are class codes into `classes`: compared as a categorical column, so the report
 * shows the predicted class mix of each side.
 */
export function comparePredictions(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: ColumnDriftOptions,
  rules: SampleRules = DriftOptions.parse({}),
  seed = DEFAULT_DRIFT_SEED,
  classes?: string[],
): ColumnDrift | SkippedColumn {
  const frame = (predictions: ArrayLike<number>) => (classes ? classFrame(predictions, classes) : predictionFrame(predictions));
  const spec = { type: classes ? ('categorical' as const) : ('numeric' as const), nullable: false };
  return compareColumn(PREDICTION, spec, frame(reference), frame(current), { options, rules, seed });
}

/** Predicted class codes as a one-column categorical table's frame. */
function classFrame(codes: ArrayLike<number>, classes: string[]) {
  return frameOfTable({
    rowCount: codes.length,
    specs: [{ name: PREDICTION, type: 'categorical' }],
    columns: [{ type: 'categorical', codes: Int32Array.from(codes), dictionary: classes }],
  });
}

/** Predictions as a one-column table's frame (a Float64Array as it is, since nothing writes to a frame's arrays). */
function predictionFrame(predictions: ArrayLike<number>) {
  const values = predictions instanceof Float64Array ? predictions : Float64Array.from(predictions);
  return frameOfTable({ rowCount: values.length, specs: [{ name: PREDICTION, type: 'numeric' }], columns: [{ type: 'numeric', values }] });
}
