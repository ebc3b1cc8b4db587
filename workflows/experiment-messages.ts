import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ExperimentSummary } from '../activities/experiment';
import type { StopRequest } from './experiment-input';

export type ExperimentStage = 'starting' | 'running' | 'stopping' | 'analysing' | 'done' | 'failed';

/** What `status` answers for a runExperiment run: counts and the best cell so far, never the scores. */
export interface ExperimentStatus {
  stage: ExperimentStage;
  experimentId?: number;
  name?: string;
  pipeline?: string;
  metric?: string;
  /** Cells in the design. */
  cells?: number;
  done: number;
  running: number;
  failed: number;
  cancelled: number;
  /** The done cell with the best mean over its replicates so far. */
  best?: { cellIndex: number; mean: number };
  /** Why the experiment stopped early (a person, or its budget). */
  stopped?: string;
  summary?: ExperimentSummary;
  lastError?: string;
}

export const experimentStatusQuery = defineQuery<ExperimentStatus>('status');

export interface StopReceipt {
  stopping: true;
  done: number;
  running: number;
}

/** Stops an experiment cleanly: running cells are cancelled and counted, and the cells that finished are analysed. */
export const stopExperimentUpdate = defineUpdate<StopReceipt, [StopRequest]>('stop');
