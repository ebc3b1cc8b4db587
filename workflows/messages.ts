import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DataWindow } from '../lib/arrival/pipeline-data';
import type { ApprovalDecision, SupersedeDecision } from './approval-input';
import type { Annotation, AnnotationInput } from '../lib/drift/annotation';
import type { DriftAction } from '../lib/drift/drift-policy';
import type { DriftSummary } from '../lib/drift/drift-summary';
import type { QuarantineReason } from '../lib/db/quarantine';
import type { BaselineSummary } from '../lib/evaluation/baselines';
import type { Metrics } from '../lib/model/metrics';
import type { RunNorm, RuntimeNorm } from '../lib/norms/runtime-norm';
import type { ValidationReport } from '../lib/validation/validation-report';

export type PipelineStage =
  | 'starting'
  | 'loading spec'
  | 'ingesting'
  | 'validating'
  | 'checking drift'
  | 'training'
  | 'evaluating'
  | 'awaiting approval'
  | 'promoting'
  | 'done'
  | 'failed';

/** When a run entered a stage (workflow time): a follower polling now and then still sees every stage, however short. */
export interface StageEntry<S extends string> {
  stage: S;
  at: string;
}

/** What the `status` query answers at any moment of a run: small, ids and summaries only. */
export interface PipelineStatus {
  pipeline: string;
  stage: PipelineStage;
  /** The stages finished so far, in order. */
  completed: PipelineStage[];
  /** Every stage entered so far, with when (absent in runs started before it was kept). */
  history?: StageEntry<PipelineStage>[];
  /** The scheduled time a scheduled or backfilled run stands for (`TemporalScheduledStartTime`); absent for a run started by hand. */
  logicalDate?: string;
  /** The ingested snapshot; when rows were quarantined, the most common kinds of reason with their counts. */
  snapshot?: { id: number; digest: string; rows: number; quarantined: number; reused: boolean; quarantineReasons?: QuarantineReason[] };
  /** The dataset checks' report on the snapshot: which check, expected, observed. */
  validation?: ValidationReport;
  /** The drift check against the champion's training data, and what the pipeline's policy made of it. */
  drift?: DriftSummary & { action: DriftAction };
  /** The retrainModel child run that trains the candidate. */
  training?: { workflowId: string; outcome?: TrainingOutcome; progress?: TrainingProgress };
  /** The trained candidate, and exactly which rows it learned from. */
  candidate?: { versionId: number; version: number; metrics: Metrics; trainingWindow: DataWindow };
  champion?: { versionId: number; version: number; metrics: Metrics };
  /** Naive forecasts on the candidate's holdout, and its skill against the best of them. */
  baselines?: BaselineSummary;
  /** Set while the run waits for a person: what to decide, and until when. */
  awaitingApproval?: { versionId: number; version: number; model: string; deadline: string; summary: string };
  promoted?: boolean;
  decision?: string;
  lastError?: string;
}

export const statusQuery = defineQuery<PipelineStatus>('status');

export type TrainingOutcome = 'succeeded' | 'cancelled_over_norm';

export type RetrainStage = 'starting' | 'loading spec' | 'finding snapshot' | 'computing norm' | 'training' | 'notifying' | 'done' | 'failed';

export interface TrainingProgress {
  fraction: number;
  message: string;
}

/** What `status` answers for a retrainModel run. */
export interface RetrainStatus {
  pipeline: string;
  stage: RetrainStage;
  /** Every stage entered so far, with when (absent in runs started before it was kept). */
  history?: StageEntry<RetrainStage>[];
  snapshotId?: number;
  /** The runtime norm in force for this run, and how it was derived. */
  norm?: RuntimeNorm;
  /** The norm this attempt is held to, for its rows and the load on its worker. */
  runNorm?: RunNorm;
  /** The trainer's latest progress, as its heartbeats report it; only while the stage is `training`. */
  progress?: TrainingProgress;
  outcome?: TrainingOutcome;
  elapsedMs?: number;
  version?: { versionId: number; version: number; metrics: Metrics; trainingWindow: DataWindow };
  lastError?: string;
}

/** Both workflows answer `status`, so `temporal workflow query --type status` works on either. */
export const retrainStatusQuery = defineQuery<RetrainStatus>('status');

/** Sent by the training activity every few seconds, and passed on by a retrainModel child to its parent pipeline run. */
export const trainingProgressSignal = defineSignal<[TrainingProgress]>('trainingProgress');

/**
 * Sent by a training attempt when its compute starts (its data loaded), and again whenever the
 * load on its worker rises: the over-norm clock runs from here, for this attempt only.
 */
export interface TrainingClock {
  attempt: number;
  rows: number;
  /** The most compute jobs per core seen on the attempt's worker so far (≥ 1). */
  contention: number;
}
export const trainingStartedSignal = defineSignal<[TrainingClock]>('trainingStarted');

export interface ApprovalReceipt {
  versionId: number;
  /** The candidate's version number, as people name it ("version 5"); absent from runs started before it was added. */
  version?: number;
  decision: 'approve' | 'reject' | 'supersede';
}

/** Approve or reject the candidate a run is waiting on: `temporal workflow update execute --name approve`. */
export const approveUpdate = defineUpdate<ApprovalReceipt, [ApprovalDecision]>('approve');
export const rejectUpdate = defineUpdate<ApprovalReceipt, [ApprovalDecision]>('reject');
/**
 * Ends the wait of a run whose candidate a newer waiting run replaces: the candidate is rejected as
 * "superseded by version N (run X)", audited with who decided. `driftline supersede` checks the newer run first.
 */
export const supersedeUpdate = defineUpdate<ApprovalReceipt, [SupersedeDecision]>('supersede');

/**
 * Marks a known event on the run's pipeline, at any stage:
 * `temporal workflow update execute --name annotate --input '{"label": "promotion", "from": "2024-11-29", "to": "2024-12-02", "effect": "suppress_alerts"}'`.
 */
export const annotateUpdate = defineUpdate<Annotation, [AnnotationInput]>('annotate');
