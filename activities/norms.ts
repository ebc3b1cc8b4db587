import { latestSnapshotId, snapshotPipelines } from '../lib/db/snapshots';
import { closeTrainingRun, recentSuccessfulRuns, type TrainingOutcome } from '../lib/db/training-runs';
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
  /** Wall time of the attempt that ran last, from its start of compute. */
  elapsedMs: number;
  norm: RuntimeNorm;
  /** The norm that attempt was held to, for its rows and load (absent when none was enforced). */
  runNormMs?: number;
  error?: string;
}

/** What closing the run recorded: the CPU the stopped attempt used, and a version it left behind. */
export interface ClosedRun {
  cpuMs?: number;
  rows?: number;
  orphanedVersionId?: number;
}

export function makeNorms(deps: ActivityDeps) {
  return {
    /** The norm in force for the model's next run, learned from its recent successful runs. */
    async computeRuntimeNorm({ modelName, policy }: { modelName: string; policy: NormPolicy }): Promise<RuntimeNorm> {
      const norm = computeNorm(await recentSuccessfulRuns(deps.pool, modelName, policy.window), policy);
      recordTrainingNorm(modelName, norm.normMs === undefined ? undefined : norm.normMs / 1000);
      return norm;
    },

    /**
     * Records that a run ended without a version (cancelled over its norm, or failed): final, and
     * the same answer on a retry. A version the run registered anyway is marked orphaned.
     */
    async recordTrainingOutcome(record: TrainingOutcomeRecord): Promise<ClosedRun> {
      recordTrainingDuration(record.modelName, record.outcome, record.elapsedMs / 1000);
      return closeTrainingRun(deps.pool, {
        modelName: record.modelName,
        pipeline: record.pipeline,
        runKey: `${record.workflowId}/${record.runId}`,
        workflowId: record.workflowId,
        runId: record.runId,
        snapshotId: record.snapshotId,
        outcome: record.outcome,
        durationMs: record.elapsedMs,
        normMs: record.runNormMs ?? record.norm.normMs,
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
