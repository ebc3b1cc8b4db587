import type { Row } from '../../lib/data/typed-row';
import type { TrainingResult } from '../../lib/model/model-artifact';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';

/** What the training thread receives as workerData. */
export interface TrainingJob {
  rows: Row[];
  spec: PipelineSpec;
  alpha: number;
}

/** Messages from the training thread to the activity. */
export type TrainingMessage =
  | { type: 'progress'; fraction: number; message: string }
  | { type: 'done'; result: TrainingResult }
  | { type: 'failed'; message: string };
