import { defineQuery } from '@temporalio/workflow';
import type { Metrics } from '../lib/model/metrics';

export type PipelineStage = 'starting' | 'loading spec' | 'ingesting' | 'training' | 'evaluating' | 'promoting' | 'done' | 'failed';

/** What the `status` query answers at any moment of a run: small, ids and summaries only. */
export interface PipelineStatus {
  pipeline: string;
  stage: PipelineStage;
  /** The stages finished so far, in order. */
  completed: PipelineStage[];
  snapshot?: { id: number; digest: string; rows: number; quarantined: number; reused: boolean };
  candidate?: { versionId: number; version: number; metrics: Metrics };
  champion?: { versionId: number; version: number; metrics: Metrics };
  promoted?: boolean;
  decision?: string;
  lastError?: string;
}

export const statusQuery = defineQuery<PipelineStatus>('status');
