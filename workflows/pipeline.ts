import { ApplicationFailure, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { formatZodError, NON_RETRYABLE_ERRORS } from '../lib/errors';
import { statusQuery, type PipelineStage, type PipelineStatus } from './messages';
import { PipelineInput } from './pipeline-input';

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 5,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS],
};

const { loadPipeline, ingestSnapshot, evaluateCandidate, promoteCandidate, recordRejection } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry,
});

const { trainCandidate } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry,
});

export interface PipelineResult {
  pipeline: string;
  snapshotId: number;
  versionId: number;
  version: number;
  promoted: boolean;
  decision: string;
}

/** ingest → train → evaluate → promote, for one pipeline spec. */
export async function modelPipeline(rawInput: PipelineInput): Promise<PipelineResult> {
  const input = parseInput(rawInput);
  const status: PipelineStatus = { pipeline: input.pipeline, stage: 'starting', completed: [] };
  setHandler(statusQuery, () => status);
  const enter = (stage: PipelineStage) => {
    if (status.stage !== 'starting') status.completed.push(status.stage);
    status.stage = stage;
  };

  try {
    enter('loading spec');
    const { spec, specDir } = await loadPipeline({ pipeline: input.pipeline });

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
    const candidate = await trainCandidate({ spec, snapshotId: snapshot.snapshotId, params: input.params });
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
    };
  } catch (error) {
    status.lastError = describe(error);
    enter('failed');
    throw error;
  }
}

/** Bad input fails the run at once, naming the field: no retry can fix it. */
function parseInput(raw: unknown) {
  const result = PipelineInput.safeParse(raw);
  if (!result.success) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: `Invalid modelPipeline input: ${formatZodError(result.error)}`,
      nonRetryable: true,
    });
  }
  return result.data;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: Error }).cause;
  return cause?.message ?? (error as Error).message ?? String(error);
}
