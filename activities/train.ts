import { Context, log } from '@temporalio/activity';
import { contentDigest } from '../lib/data/digest';
import { registerVersion, type NewModelVersion } from '../lib/db/model-registry';
import { type DataWindow, describeWindow } from '../lib/arrival/pipeline-data';
import { trainingData } from '../lib/arrival/windows';
import { loadPipelineData } from '../lib/db/pipeline-data';
import { chooseDriftMethods } from '../lib/drift/choose-methods';
import { recordTrainingRun } from '../lib/db/training-runs';
import type { BacktestFold } from '../lib/model/backtest';
import type { Metrics } from '../lib/model/metrics';
import { planTraining, resolveTrainer, type TrainingResult } from '../lib/model/model-artifact';
import type { RuntimeNorm } from '../lib/norms/runtime-norm';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { ActivityDeps } from './deps';
import { recordTrainingDuration } from './metrics';
import { trainWithCommand } from './training/command-trainer';
import { reportProgress } from './training/progress';
import { trainInThread, type ThreadHooks } from './training/run-in-thread';
import { trainerDigest } from './training/trainer-digest';

export interface TrainInput {
  spec: PipelineSpec;
  specDir: string;
  snapshotId: number;
  /** Overrides of the spec's model parameters for this run only. */
  params?: Record<string, unknown>;
  /** The norm in force, recorded with the run. */
  norm: RuntimeNorm;
}

export interface TrainResult {
  versionId: number;
  version: number;
  metrics: Metrics;
  holdoutStart: string;
  backtest: BacktestFold[];
  trainExamples: number;
  testExamples: number;
  durationMs: number;
  /** Which rows of the pipeline's data the version learned from. */
  trainingWindow: DataWindow;
}

/** The fit that was scored, kept when a refit replaced it, and what each fit learned from. */
function fitsOf(result: TrainingResult): Pick<NewModelVersion, 'evaluatedArtifact' | 'fits'> {
  const evaluated = { ...result.evaluated.fit, artifactDigest: contentDigest(result.evaluated.artifact) };
  if (!result.refit) return { fits: { evaluated } };
  return { evaluatedArtifact: result.evaluated.artifact, fits: { evaluated, refit: { ...result.refit, artifactDigest: contentDigest(result.artifact) } } };
}

export function makeTrain(deps: ActivityDeps) {
  /**
   * Trains a candidate on a snapshot off the event loop (a worker thread, or the trainer's own
   * process) and registers it as the model's next version. Cancellation kills the compute at once.
   */
  return async function trainCandidate(input: TrainInput): Promise<TrainResult> {
    const { spec, snapshotId } = input;
    const ctx = Context.current();
    const execution = ctx.info.workflowExecution;
    if (!execution) throw new Error('trainCandidate runs only inside a workflow: its run identifies the version');
    const { workflowId, runId } = execution;
    const runKey = `${workflowId}/${runId}`;
    const params = { ...spec.model.params, ...input.params };
    const trainer = resolveTrainer(spec.model.trainer, input.specDir);
    const data = trainingData(await loadPipelineData(deps.pool, spec, snapshotId), spec.arrival);
    const { rows } = data;
    const window = describeWindow(data);

    const started = performance.now();
    const progress = reportProgress(ctx);
    const hooks: ThreadHooks = { onProgress: progress.update, signal: ctx.cancellationSignal };
    let result: TrainingResult;
    try {
      result =
        trainer.kind === 'command'
          ? await trainWithCommand(trainer, planTraining(rows, spec), params, hooks)
          : await trainInThread({ rows, spec, trainer, params }, hooks);
    } finally {
      progress.stop();
    }
    const durationMs = performance.now() - started;
    const version = await registerVersion(deps.pool, {
      modelName: spec.model.name,
      pipeline: spec.name,
      runKey,
      trainer: trainer.kind === 'built-in' ? trainer.name : trainer.kind,
      params,
      artifact: result.artifact,
      artifactDigest: contentDigest(result.artifact),
      ...fitsOf(result),
      trainingSnapshotIds: window.snapshotIds,
      trainingWindow: window,
      driftMethods: chooseDriftMethods(rows, spec.columns, spec.drift),
      codeVersion: deps.codeVersion,
      trainerDigest: await trainerDigest(trainer),
      metrics: result.metrics,
    });
    await recordTrainingRun(deps.pool, {
      modelName: spec.model.name,
      pipeline: spec.name,
      runKey,
      workflowId,
      runId,
      snapshotId,
      outcome: 'succeeded',
      durationMs,
      normMs: input.norm.normMs,
      normBasis: input.norm.basis,
      versionId: version.id,
    });
    recordTrainingDuration(spec.model.name, 'succeeded', durationMs / 1000);
    log.info('model version registered', { model: spec.model.name, version: version.version, created: version.created });
    return {
      versionId: version.id,
      version: version.version,
      metrics: version.metrics,
      holdoutStart: result.holdoutStart,
      backtest: result.backtest,
      trainExamples: result.trainExamples,
      testExamples: result.testExamples,
      durationMs: Math.round(durationMs),
      trainingWindow: window,
    };
  };
}
