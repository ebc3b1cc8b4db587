import { latestSnapshotId, snapshotPipelines } from '../lib/db/snapshots';
import { recentSuccessfulDurations, recordTrainingRun, type TrainingOutcome } from '../lib/db/training-runs';
import { DriftlineError } from '../lib/errors';
import { computeNorm, type NormPolicy, type RuntimeNorm } from '../lib/norms/runtime-norm';
import type { ActivityDeps } from './deps';
import { recordTrainingDuration, recordTrainingNorm } from './metrics';

export interface TrainingOutcomeRecord {
  modelName: string;
  pipeline: string;
  workflowId: string;
  runId: string;
  snapshotId: number;
  outcome: Exclude<TrainingOutcome, 'succeeded'>;
  elapsedMs: number;
  norm: RuntimeNorm;
  error?: string;
}

export function makeNorms(deps: ActivityDeps) {
  return {
    /** The norm in force for the model's next run, learned from its recent successful runs. */
    async computeRuntimeNorm({ modelName, policy }: { modelName: string; policy: NormPolicy }): Promise<RuntimeNorm> {
      const norm = computeNorm(await recentSuccessfulDurations(deps.pool, modelName, policy.window), policy);
      recordTrainingNorm(modelName, norm.normMs === undefined ? undefined : norm.normMs / 1000);
      return norm;
    },

    /** Records a run that did not produce a version (cancelled over its norm, or failed), once per run. */
    async recordTrainingOutcome(record: TrainingOutcomeRecord): Promise<void> {
      recordTrainingDuration(record.modelName, record.outcome, record.elapsedMs / 1000);
      await recordTrainingRun(deps.pool, {
        modelName: record.modelName,
        pipeline: record.pipeline,
        runKey: `${record.workflowId}/${record.runId}`,
        workflowId: record.workflowId,
        runId: record.runId,
        snapshotId: record.snapshotId,
        outcome: record.outcome,
        durationMs: record.elapsedMs,
        normMs: record.norm.normMs,
        normBasis: record.norm.basis,
        error: record.error,
      });
    },

    /**
     * The snapshot a retrain trains on: the one it was given, once it is known to be the pipeline's
     * (a missing or foreign one fails at once: no retry can make it right), else the pipeline's newest.
     */
    async resolveSnapshot({ pipeline, snapshotId }: { pipeline: string; snapshotId?: number }): Promise<{ snapshotId: number }> {
      if (snapshotId !== undefined) {
        const pipelines = await snapshotPipelines(deps.pool, snapshotId);
        if (pipelines === undefined) throw new DriftlineError('InvalidInput', `snapshotId: snapshot ${snapshotId} does not exist`);
        if (!pipelines.includes(pipeline)) {
          const owners = pipelines.map((p) => `"${p}"`).join(', ');
          throw new DriftlineError('InvalidInput', `snapshotId: snapshot ${snapshotId} belongs to pipeline ${owners}, not "${pipeline}"`);
        }
        return { snapshotId };
      }
      const latest = await latestSnapshotId(deps.pool, pipeline);
      if (latest === undefined) {
        throw new DriftlineError('InvalidInput', `pipeline "${pipeline}" has no snapshot yet: run modelPipeline first, or pass snapshotId`);
      }
      return { snapshotId: latest };
    },
  };
}
