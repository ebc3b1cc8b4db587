import type { Row } from '../data/typed-row';
import { compareColumn } from './column-drift';
import type { ColumnDriftOptions } from './drift-options';
import type { ColumnDrift, SkippedColumn } from './drift-report';

/** The name predictions go by in a report. */
export const PREDICTION = 'prediction';

/**
 * Prediction drift: the champion's predictions on the current data against its predictions on the
 * reference data, compared as one numeric column with the same methods and defaults as the data.
 */
export function comparePredictions(reference: readonly number[], current: readonly number[], options: ColumnDriftOptions): ColumnDrift | SkippedColumn {
  const asRows = (values: readonly number[]): Row[] => values.map((value) => ({ [PREDICTION]: value }));
  return compareColumn(PREDICTION, { type: 'numeric', nullable: false }, asRows(reference), asRows(current), options);
}
