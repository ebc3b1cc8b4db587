import {
  ActivityCancellationType,
  CancellationScope,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { notifyTeam } from './notify-team';
import { parseWorkflowInput } from './parse-input';
import { retrainStatusQuery, trainingProgressSignal, type RetrainStage, type RetrainStatus, type TrainingOutcome } from './messages';
import { RetrainInput } from './retrain-input';
import { recordOutcome, tagRun } from './search-attributes';
import type { DataWindow } from '../lib/arrival/pipeline-data';
import type { BacktestFold } from '../lib/model/backtest';
import type { Metrics } from '../lib/model/metrics';
import { describeFailure, STEP_RETRY } from './step-options';

const { loadPipeline, resolveSnapshot, computeRuntimeNorm, recordTrainingOutcome } =
  proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });

/** Training runs on the workers' training queue when they split one off, else on the workflow's own. */
function trainingActivities(taskQueue: string | undefined) {
  return proxyActivities<Activities>({
    taskQueue,
    startToCloseTimeout: '2 hours',
    // A dead worker is noticed within 10 s and the attempt retried on a live one.
    heartbeatTimeout: '10 seconds',
    // The workflow waits until the activity has stopped its compute before it records the outcome.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: STEP_RETRY,
  });
}

export interface RetrainResult {
  outcome: TrainingOutcome;
  snapshotId: number;
  elapsedMs: number;
  normMs?: number;
  /** Present when the outcome is `succeeded`. */
  candidate?: { versionId: number; version: number; metrics: Metrics; holdoutStart: string; backtest: BacktestFold[]; trainingWindow: DataWindow };
}

/**
 * Trains a candidate under the model's runtime norm. Past the norm the training activity is
 * cancelled (its thread or process killed), the outcome recorded, the team notified once.
 */
export async function retrainModel(rawInput: RetrainInput): Promise<RetrainResult> {
  const input = parseWorkflowInput(RetrainInput, rawInput, 'retrainModel');
  const status: RetrainStatus = { pipeline: input.pipeline, stage: 'starting' };
  setHandler(retrainStatusQuery, () => status);
  setHandler(trainingProgressSignal, (progress) => void (status.progress = progress));
  const enter = (stage: RetrainStage) => {
    status.stage = stage;
    tagRun({ stage });
  };
  tagRun({ pipeline: input.pipeline });

  try {
    enter('loading spec');
    const { spec, specDir, trainingTaskQueue } = await loadPipeline({ pipeline: input.pipeline, params: input.params });
    const { trainCandidate } = trainingActivities(trainingTaskQueue);
    tagRun({ model: spec.model.name });

    enter('finding snapshot');
    const { snapshotId } = await resolveSnapshot({ pipeline: input.pipeline, snapshotId: input.snapshotId });
    status.snapshotId = snapshotId;

    enter('computing norm');
    const norm = await computeRuntimeNorm({ modelName: spec.model.name, policy: spec.training.norm });
    status.norm = norm;

    enter('training');
    const started = Date.now();
    const training = new CancellationScope();
    const candidate = training.run(() => trainCandidate({ spec, specDir, snapshotId, params: input.params, norm }));
    const finished = await raceAgainstNorm(candidate, norm.normMs);
    status.elapsedMs = Date.now() - started;

    if (finished === 'over norm') {
      training.cancel();
      await candidate.catch((error: unknown) => {
        if (!isCancellation(error)) throw error;
      });
      status.elapsedMs = Date.now() - started;
      enter('notifying');
      const { workflowId, runId } = workflowInfo();
      await recordTrainingOutcome({
        modelName: spec.model.name,
        pipeline: spec.name,
        workflowId,
        runId,
        snapshotId,
        outcome: 'cancelled_over_norm',
        elapsedMs: status.elapsedMs,
        norm,
      });
      await notifyTeam({
        dedupeKey: `cancelled_over_norm:${workflowId}/${runId}`,
        kind: 'cancelled_over_norm',
        severity: 'critical',
        pipeline: spec.name,
        title: `Training of ${spec.model.name} cancelled: over its runtime norm`,
        body: `Ran ${seconds(status.elapsedMs)} against a norm of ${seconds(norm.normMs as number)} (${norm.explanation}). Nothing was promoted. Workflow ${workflowId}.`,
        details: { workflowId, runId, snapshotId, elapsedMs: status.elapsedMs, norm },
      });
      status.outcome = 'cancelled_over_norm';
      recordOutcome(input.pipeline, 'cancelled_over_norm');
      enter('done');
      return { outcome: 'cancelled_over_norm', snapshotId, elapsedMs: status.elapsedMs, normMs: norm.normMs };
    }

    const result = finished.result;
    status.version = { versionId: result.versionId, version: result.version, metrics: result.metrics, trainingWindow: result.trainingWindow };
    status.outcome = 'succeeded';
    recordOutcome(input.pipeline, 'succeeded');
    enter('done');
    return {
      outcome: 'succeeded',
      snapshotId,
      elapsedMs: status.elapsedMs,
      normMs: norm.normMs,
      candidate: {
        versionId: result.versionId,
        version: result.version,
        metrics: result.metrics,
        holdoutStart: result.holdoutStart,
        backtest: result.backtest,
        trainingWindow: result.trainingWindow,
      },
    };
  } catch (error) {
    status.lastError = describeFailure(error);
    recordOutcome(input.pipeline, 'failed');
    enter('failed');
    throw error;
  }
}

/** Resolves with the training result, or 'over norm' when the norm runs out first (no norm: just waits). */
async function raceAgainstNorm<T>(training: Promise<T>, normMs: number | undefined): Promise<{ result: T } | 'over norm'> {
  if (normMs === undefined) return { result: await training };
  const timer = new CancellationScope();
  const deadline = timer.run(() => sleep(normMs)).then(() => 'over norm' as const);
  const done = training.then((result) => ({ result }));
  // Whichever loses is settled later by a cancellation; that must not count as an unhandled rejection.
  deadline.catch(() => undefined);
  done.catch(() => undefined);
  const winner = await Promise.race([done, deadline]);
  if (winner !== 'over norm') timer.cancel();
  return winner;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
