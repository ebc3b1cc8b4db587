import type { ColumnSpecs } from '../../lib/data/column-spec';
import type { Row } from '../../lib/data/typed-row';
import { compareDatasets } from '../../lib/drift/compare-datasets';
import type { DriftMethod } from '../../lib/drift/drift-methods';
import type { ColumnDriftOptions, DriftOptions } from '../../lib/drift/drift-options';
import type { ColumnDrift, DriftReport, SkippedColumn } from '../../lib/drift/drift-report';
import { comparePredictions, PREDICTION } from '../../lib/drift/prediction-drift';

/** What the comparison job receives. */
export interface CompareJob {
  reference: Row[];
  current: Row[];
  columns: ColumnSpecs;
  options: DriftOptions;
  /** The champion's predictions on each side; a string says why there are none. */
  predictions: { reference: number[]; current: number[] } | string;
  predictionOptions: ColumnDriftOptions;
  /** The methods recorded with the champion's reference (chooseDriftMethods); without them, each column's default. */
  recordedMethods?: Record<string, DriftMethod>;
  /** Seeds the calibration bootstraps and samples, so that a stored report can be recomputed exactly. */
  seed?: number;
}

export interface Comparison {
  data: DriftReport;
  prediction: ColumnDrift | SkippedColumn;
}

/** Runs in a pooled thread: sorting and merging millions of values never blocks the activity's heartbeats. */
export function run(job: CompareJob): Comparison {
  const { predictions, seed } = job;
  return {
    data: compareDatasets(job.reference, job.current, job.columns, job.options, { recordedMethods: job.recordedMethods, seed }),
    prediction:
      typeof predictions === 'string'
        ? { column: PREDICTION, type: 'numeric', reason: predictions }
        : comparePredictions(predictions.reference, predictions.current, job.predictionOptions, job.options, seed),
  };
}
