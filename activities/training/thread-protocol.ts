import type { Row } from '../../lib/data/typed-row';
import type { NonRetryableError } from '../../lib/errors';
import type { TrainerRef, TrainingResult } from '../../lib/model/model-artifact';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';

/** What the training thread receives as workerData. */
export interface TrainingJob {
  rows: Row[];
  spec: PipelineSpec;
  trainer: Exclude<TrainerRef, { kind: 'command' }>;
  params: Record<string, unknown>;
}

/** Messages from the training thread to the activity. */
export type TrainingMessage =
  | { type: 'progress'; fraction: number; message: string }
  | { type: 'done'; result: TrainingResult }
  | { type: 'failed'; errorType?: NonRetryableError; message: string };
