import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { notifyTeam } from './notify-team';
import { parseWorkflowInput } from './parse-input';
import {
  retrainStatusQuery,
  trainingProgressSignal,
  type RetrainStage,
  type RetrainStatus,
  type TrainingOutcome,
  type TrainingProgress,
} from './messages';
import { RetrainInput } from './retrain-input';
import { recordOutcome, tagRun } from './search-attributes';
import type { DataWindow } from '../lib/arrival/pipeline-data';
import type { BacktestFold } from '../lib/model/backtest';
import type { Metrics } from '../lib/model/metrics';
import type { PreparedTraining } from '../activities/prepare-training';
import type { TrainResult } from '../activities/train';
import { cancelOverNorm, normedActivities, raceAgainstNorm, seconds } from './race-against-norm';
import { describeFailure, STEP_RETRY } from './step-options';

const { prepareTraining, loadPipeline, resolveSnapshot, computeRuntimeNorm, recordTrainingOutcome } =
  proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });

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
  const status: RetrainStatus = { pipeline: input.pipeline, stage: 'starting', history: [] };
  setHandler(retrainStatusQuery, () => status);
  const toParent = progressToParent();
  setHandler(trainingProgressSignal, (progress) => {
    if (status.stage !== 'training') return;
    status.progress = progress;
    toParent(progress);
  });
  const enter = (stage: RetrainStage) => {
    status.stage = stage;
    // Progress describes the training only: once it ends, "90% backtesting" would be stale.
    status.progress = undefined;
    status.history?.push({ stage, at: new Date().toISOString() });
    tagRun({ stage });
  };
  tagRun({ pipeline: input.pipeline });

  try {
    const { spec, specDir, trainingTaskQueue, snapshotId, norm } = await prepare(input, enter);
    const { trainCandidate } = normedActivities(trainingTaskQueue);
    status.snapshotId = snapshotId;
    status.norm = norm;

    enter('training');
    const { workflowId, runId } = workflowInfo();
    const training = new CancellationScope();
    const candidate = training.run(() => trainCandidate({ spec, specDir, snapshotId, params: input.params, norm }));
    const finished = await raceAgainstNorm(candidate, norm, status).catch(async (error: unknown) => {
      // A failed run is closed too, so an attempt still computing somewhere cannot register for it.
      if (!isCancellation(error)) {
        await recordTrainingOutcome({ modelName: spec.model.name, pipeline: spec.name, workflowId, runId, snapshotId, outcome: 'failed', elapsedMs: 0, norm, error: describeFailure(error) });
      }
      throw error;
    });

    if ('overNorm' in finished) {
      const late = await cancelOverNorm(training, candidate);
      if (late) return succeeded(late.result, finished.elapsedMs);
      status.elapsedMs = finished.elapsedMs;
      enter('notifying');
      const closed = await recordTrainingOutcome({
        modelName: spec.model.name,
        pipeline: spec.name,
        workflowId,
        runId,
        snapshotId,
        outcome: 'cancelled_over_norm',
        elapsedMs: finished.elapsedMs,
        norm,
        runNormMs: finished.overNorm.normMs,
      });
      const cpu = closed.cpuMs === undefined ? '' : ` (its thread used ${seconds(closed.cpuMs)} of CPU until it was stopped)`;
      await notifyTeam({
        dedupeKey: `cancelled_over_norm:${workflowId}/${runId}`,
        kind: 'cancelled_over_norm',
        severity: 'critical',
        pipeline: spec.name,
        title: `Training of ${spec.model.name} cancelled: over its runtime norm`,
        body: `Ran ${seconds(finished.elapsedMs)}${cpu} against a norm of ${seconds(finished.overNorm.normMs)} (${finished.overNorm.explanation}). Nothing was promoted. Workflow ${workflowId}.`,
        details: { workflowId, runId, snapshotId, elapsedMs: finished.elapsedMs, cpuMs: closed.cpuMs, rows: closed.rows, norm, runNorm: finished.overNorm },
      });
      status.outcome = 'cancelled_over_norm';
      setCurrentDetails(`${input.pipeline}: **cancelled over norm** after ${seconds(finished.elapsedMs)} (norm ${seconds(finished.overNorm.normMs)})`);
      recordOutcome(input.pipeline, 'cancelled_over_norm');
      enter('done');
      return { outcome: 'cancelled_over_norm', snapshotId, elapsedMs: finished.elapsedMs, normMs: finished.overNorm.normMs };
    }
    // Without a norm in force the training starts no clock here: its own measure of the compute stands.
    return succeeded(finished.result, norm.normMs === undefined ? finished.result.durationMs : finished.elapsedMs);

    function succeeded(result: TrainResult, elapsedMs: number): RetrainResult {
      status.elapsedMs = elapsedMs;
      status.version = { versionId: result.versionId, version: result.version, metrics: result.metrics, trainingWindow: result.trainingWindow };
      status.outcome = 'succeeded';
      setCurrentDetails(`${input.pipeline} → trained v${result.version} in ${seconds(elapsedMs)}`);
      recordOutcome(input.pipeline, 'succeeded');
      enter('done');
      return {
        outcome: 'succeeded',
        snapshotId,
        elapsedMs,
        normMs: status.runNorm?.normMs ?? norm.normMs,
        candidate: {
          versionId: result.versionId,
          version: result.version,
          metrics: result.metrics,
          holdoutStart: result.holdoutStart,
          backtest: result.backtest,
          trainingWindow: result.trainingWindow,
        },
      };
    }
  } catch (error) {
    status.lastError = describeFailure(error);
    setCurrentDetails(`**failed** in ${status.stage}: ${status.lastError}`);
    recordOutcome(input.pipeline, 'failed');
    enter('failed');
    throw error;
  }
}

/**
 * The spec, the snapshot to train on and the norm in force: one activity (its stage 'loading spec'
 * covers all three). Runs started before it was one replay as they ran: three activities, a stage each.
 */
async function prepare(input: RetrainInput, enter: (stage: RetrainStage) => void): Promise<PreparedTraining> {
  enter('loading spec');
  if (patched('prepare-training-in-one-activity')) {
    const prepared = await prepareTraining({ pipeline: input.pipeline, snapshotId: input.snapshotId, params: input.params });
    tagRun({ model: prepared.spec.model.name });
    return prepared;
  }
  const loaded = await loadPipeline({ pipeline: input.pipeline, params: input.params });
  tagRun({ model: loaded.spec.model.name });
  enter('finding snapshot');
  const { snapshotId } = await resolveSnapshot({ pipeline: input.pipeline, snapshotId: input.snapshotId });
  enter('computing norm');
  const norm = await computeRuntimeNorm({ modelName: loaded.spec.model.name, policy: loaded.spec.training.norm });
  return { ...loaded, snapshotId, norm };
}

/** The smallest advance of training progress passed on to the parent run: its history stays short. */
const FORWARDED_STEP = 0.05;

/**
 * Passes the trainer's progress on to the pipeline run that started this one, so its own `status`
 * query shows it (the Temporal UI shows one run at a time). Only on a new message or a 5 % step.
 */
function progressToParent(): (progress: TrainingProgress) => void {
  const parent = workflowInfo().parent;
  let last: TrainingProgress | undefined;
  return (progress) => {
    if (!parent) return;
    const step = last === undefined || progress.message !== last.message || progress.fraction - last.fraction >= FORWARDED_STEP || progress.fraction >= 1;
    // Runs started before progress was passed on replay without these signals.
    if (!step || !patched('training-progress-to-parent')) return;
    last = progress;
    getExternalWorkflowHandle(parent.workflowId, parent.runId)
      .signal(trainingProgressSignal, progress)
      // The parent may have ended meanwhile (cancelled, terminated): its progress no longer matters.
      .catch(() => undefined);
  };
}
