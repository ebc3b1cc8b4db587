import { executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { statusQuery, type PipelineStage, type PipelineStatus, type TrainingOutcome } from './messages';
import { parseWorkflowInput } from './parse-input';
import { PipelineInput } from './pipeline-input';
import { retrainModel } from './retrain';
import { describeFailure, STEP_RETRY } from './step-options';

const { loadPipeline, ingestSnapshot, evaluateCandidate, promoteCandidate, recordRejection } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: STEP_RETRY,
});

export interface PipelineResult {
  pipeline: string;
  snapshotId: number;
  trainingOutcome: TrainingOutcome;
  /** Absent when training was cancelled over its norm. */
  versionId?: number;
  version?: number;
  promoted: boolean;
  decision: string;
}

/** ingest → train (a retrainModel child, under the runtime norm) → evaluate → promote, for one pipeline spec. */
export async function modelPipeline(rawInput: PipelineInput): Promise<PipelineResult> {
  const input = parseWorkflowInput(PipelineInput, rawInput, 'modelPipeline');
  const status: PipelineStatus = { pipeline: input.pipeline, stage: 'starting', completed: [] };
  setHandler(statusQuery, () => status);
  const enter = (stage: PipelineStage) => {
    if (status.stage !== 'starting') status.completed.push(status.stage);
    status.stage = stage;
  };

  try {
    enter('loading spec');
    const { spec, specDir } = await loadPipeline({ pipeline: input.pipeline, params: input.params });

    enter('ingesting');
    const snapshot = await ingestSnapshot({ spec, specDir });
    status.snapshot = {
      id: snapshot.snapshotId,
      digest: snapshot.digest,
      rows: snapshot.rowCount,
      quarantined: snapshot.quarantinedCount,
      reused: !snapshot.created,
    };

    enter('training');
    const trainingId = `${workflowInfo().workflowId}/retrain`;
    status.training = { workflowId: trainingId };
    const training = await executeChild(retrainModel, {
      workflowId: trainingId,
      args: [{ pipeline: input.pipeline, snapshotId: snapshot.snapshotId, params: input.params, requestedBy: input.requestedBy }],
    });
    status.training.outcome = training.outcome;
    if (!training.candidate) {
      const decision = `training cancelled over its runtime norm after ${Math.round(training.elapsedMs / 1000)} s: nothing promoted`;
      status.promoted = false;
      status.decision = decision;
      enter('done');
      return { pipeline: spec.name, snapshotId: snapshot.snapshotId, promoted: false, decision, trainingOutcome: training.outcome };
    }
    const candidate = training.candidate;
    status.candidate = { versionId: candidate.versionId, version: candidate.version, metrics: candidate.metrics };

    enter('evaluating');
    const evaluation = await evaluateCandidate({
      spec,
      snapshotId: snapshot.snapshotId,
      candidateVersionId: candidate.versionId,
      holdoutStart: candidate.holdoutStart,
    });
    status.champion = evaluation.champion;

    enter('promoting');
    const decision = {
      modelName: spec.model.name,
      versionId: candidate.versionId,
      evaluation,
      actor: input.requestedBy,
      workflowId: workflowInfo().workflowId,
    };
    if (evaluation.passed) await promoteCandidate(decision);
    else await recordRejection(decision);
    status.promoted = evaluation.passed;
    status.decision = evaluation.reason;

    enter('done');
    return {
      pipeline: spec.name,
      snapshotId: snapshot.snapshotId,
      versionId: candidate.versionId,
      version: candidate.version,
      promoted: evaluation.passed,
      decision: evaluation.reason,
      trainingOutcome: training.outcome,
    };
  } catch (error) {
    status.lastError = describeFailure(error);
    enter('failed');
    throw error;
  }
}
