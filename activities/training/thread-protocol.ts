import type { DataWindow, PipelineData } from '../../lib/arrival/pipeline-data';
import { describeWindow, frameOf, rowCountOf } from '../../lib/arrival/pipeline-data';
import type { DriftMethod } from '../../lib/drift/drift-methods';
import { chooseDriftMethods } from '../../lib/drift/choose-methods';
import type { NonRetryableError } from '../../lib/errors';
import type { TrainerRef, TrainingResult } from '../../lib/model/model-artifact';
import { transformSourceColumns } from '../../lib/model/features';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';

/**
 * What the training thread receives as workerData: where the data is, not the data. The thread
 * loads it itself, so the activity's event loop never holds (or copies) a million rows and keeps
 * heartbeating from the first byte.
 */
export interface TrainingJob {
  databaseUrl: string;
  snapshotId: number;
  spec: PipelineSpec;
  trainer: Exclude<TrainerRef, { kind: 'command' }>;
  params: Record<string, unknown>;
}

/** A training's result with what the version records about the rows it learned from. */
export interface TrainedCandidate {
  training: TrainingResult;
  window: DataWindow;
  /** The drift method of each column, chosen on the training data. */
  driftMethods: Record<string, DriftMethod>;
  rows: number;
}

/**
 * The columns a training reads: the time, the target and the features, and every column a drift
 * method is chosen for on the data (all but timestamps and those the spec sets). Other columns of a snapshot are never loaded.
 */
export function trainingColumns(spec: PipelineSpec): string[] {
  const { features } = spec;
  const compared = Object.entries(spec.columns).flatMap(([name, column]) => (column.type === 'timestamp' || spec.drift.columns[name]?.method ? [] : [name]));
  const marking = spec.evaluation.holdout.column;
  return [...new Set([...(spec.timeColumn ? [spec.timeColumn] : []), spec.target, ...features.columns, ...features.categorical, ...transformSourceColumns(features), ...compared, ...(marking ? [marking] : [])])];
}

/** What a version records about its training data, wherever the data was loaded. */
export function describeTrainingData(data: PipelineData, spec: PipelineSpec): Omit<TrainedCandidate, 'training'> {
  return { window: describeWindow(data), driftMethods: chooseDriftMethods(frameOf(data), spec.columns, spec.drift), rows: rowCountOf(data) };
}

/** Messages from the training thread to the activity. */
export type TrainingMessage =
  /** The thread's kernel id, so the activity can read its CPU time (undefined where there is no /proc). */
  | { type: 'started'; tid?: number }
  /** The data is loaded: the compute the norm measures starts now. */
  | { type: 'loaded'; rows: number }
  | { type: 'progress'; fraction: number; message: string }
  | { type: 'done'; result: TrainedCandidate }
  | { type: 'failed'; errorType?: NonRetryableError; message: string };
