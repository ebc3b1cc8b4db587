import { Context, log } from '@temporalio/activity';
import { contentDigest } from '../lib/data/digest';
import { registerVersion, type NewModelVersion } from '../lib/db/model-registry';
import { type DataWindow, frameOf, rowCountOf } from '../lib/arrival/pipeline-data';
import { trainingData } from '../lib/arrival/windows';
import { loadPipelineData } from '../lib/db/pipeline-data';
import { claimTrainingAttempt, fenceRegistration, recordAttemptFigures, recordTrainingRun } from '../lib/db/training-runs';
import type { BacktestFold } from '../lib/model/backtest';
import type { Metrics } from '../lib/model/metrics';
import { planTraining, resolveTrainer, type GroupMetrics, type ShortGroup, type TrainingResult } from '../lib/model/model-artifact';
import type { RuntimeNorm } from '../lib/norms/runtime-norm';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { ActivityDeps } from './deps';
import { recordTrainingDuration } from './metrics';
import { trainWithCommand } from './training/command-trainer';
import { trainingStartedSignal } from '../workflows/messages';
import { reportProgress, signalOwnWorkflow } from './training/progress';
import { trainInThread, type ThreadHooks } from './training/run-in-thread';
import { describeTrainingData, trainingColumns, type TrainedCandidate } from './training/thread-protocol';
import { trainerDigest } from './training/trainer-digest';
import { startTrainingLoad, threadCpuMs, type ComputeSite, type TrainingLoad } from './training/worker-load';

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
  /** Groups (of `groupBy`) with too little history for one example: none of their rows was learned from. */
  shortGroups?: ShortGroup[];
  /** With `groupBy`: the holdout scores per group. */
  groupMetrics?: GroupMetrics[];
}

/** The fit that was scored, kept when a refit replaced it, and what each fit learned from. */
function fitsOf(result: TrainingResult): Pick<NewModelVersion, 'evaluatedArtifact' | 'fits'> {
  const evaluated = { ...result.evaluated.fit, artifactDigest: contentDigest(result.evaluated.artifact) };
  if (!result.refit) return { fits: { evaluated } };
  return { evaluatedArtifact: result.evaluated.artifact, fits: { evaluated, refit: { ...result.refit, artifactDigest: contentDigest(result.artifact) } } };
}

export function makeTrain(deps: ActivityDeps) {
  /**
   * Trains a candidate on a snapshot off the event loop (a worker thread that also loads the data,
   * or the trainer's own process) and registers it as the model's next version. Heartbeats from
   * the first byte; cancellation (over the norm, or a lost heartbeat) kills the compute at once,
   * and an attempt that was superseded or whose run already ended registers nothing.
   */
  return async function trainCandidate(input: TrainInput): Promise<TrainResult> {
    const { spec, snapshotId } = input;
    const ctx = Context.current();
    const execution = ctx.info.workflowExecution;
    if (!execution) throw new Error('trainCandidate runs only inside a workflow: its run identifies the version');
    const { workflowId, runId } = execution;
    const { attempt } = ctx.info;
    const runKey = `${workflowId}/${runId}`;
    const params = { ...spec.model.params, ...input.params };
    const trainer = resolveTrainer(spec.model.trainer, input.specDir);
    const progress = reportProgress(ctx);
    try {
      await claimTrainingAttempt(deps.pool, runKey, attempt);
      const { trained, figures } = await measuredCompute(ctx, deps, { runKey, attempt, clocked: input.norm.normMs !== undefined, where: trainer.kind === 'command' ? 'own process' : 'pooled thread' }, async (hooks) => {
        if (trainer.kind !== 'command') return trainInThread({ databaseUrl: databaseUrlOf(deps), snapshotId, spec, trainer, params }, hooks);
        const data = trainingData(await loadPipelineData(deps.pool, spec, snapshotId, { columns: trainingColumns(spec) }), spec.arrival);
        hooks.onLoaded?.(rowCountOf(data));
        const training = await trainWithCommand(trainer, planTraining(frameOf(data), spec), params, hooks);
        return { training, ...describeTrainingData(data, spec) };
      }, { onProgress: progress.update, signal: ctx.cancellationSignal });
      // A lost heartbeat or a cancellation that arrived as the compute finished: stop here, write nothing.
      ctx.cancellationSignal.throwIfAborted();
      const { training: result, window } = trained;
      const version = await registerVersion(
        deps.pool,
        {
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
          driftMethods: trained.driftMethods,
          codeVersion: deps.codeVersion,
          trainerDigest: await trainerDigest(trainer),
          metrics: result.metrics,
        },
        fenceRegistration(runKey, attempt),
      );
      await recordTrainingRun(deps.pool, {
        modelName: spec.model.name,
        pipeline: spec.name,
        runKey,
        workflowId,
        runId,
        snapshotId,
        outcome: 'succeeded',
        durationMs: figures.wallMs,
        normMs: input.norm.normMs,
        normBasis: input.norm.basis,
        versionId: version.id,
        attempt,
        rows: trained.rows,
        cpuMs: figures.cpuMs,
        contention: figures.contention,
      });
      recordTrainingDuration(spec.model.name, 'succeeded', figures.wallMs / 1000);
      if (result.shortGroups) log.warn('groups with too little history to learn from', { groups: result.shortGroups });
      log.info('model version registered', { model: spec.model.name, version: version.version, created: version.created, rows: trained.rows, ...figures });
      return {
        versionId: version.id,
        version: version.version,
        metrics: version.metrics,
        holdoutStart: result.holdoutStart,
        backtest: result.backtest,
        trainExamples: result.trainExamples,
        testExamples: result.testExamples,
        durationMs: Math.round(figures.wallMs),
        trainingWindow: window,
        ...(result.shortGroups && { shortGroups: result.shortGroups }),
        ...(result.groupMetrics && { groupMetrics: result.groupMetrics }),
      };
    } finally {
      progress.stop();
    }
  };
}

/** A pooled thread (training, evaluation, drift) reads the database the worker's pool uses, through a pool of its own (threads/thread-database.ts). */
export function databaseUrlOf(deps: ActivityDeps): string {
  const url = deps.pool.options.connectionString;
  if (!url) throw new Error('the worker pool has no connection string to hand to the training thread');
  return url;
}

/** What a training's compute measured: wall and thread CPU time from its data loaded, and the load it shared its worker with. */
interface ComputeFigures {
  wallMs: number;
  cpuMs?: number;
  contention: number;
}

/**
 * Runs the compute as one counted training on this worker from the moment its data is loaded.
 * Tells the workflow then (the over-norm clock runs from there) and whenever the load rises, when a
 * norm is in force (`clocked`: without one no clock runs, and a signal would only cost a round
 * trip); when the compute is stopped, leaves what it measured with the attempt for the over-norm record.
 */
async function measuredCompute(
  ctx: Context,
  deps: ActivityDeps,
  run: { runKey: string; attempt: number; clocked: boolean; where: ComputeSite },
  compute: (hooks: ThreadHooks) => Promise<TrainedCandidate>,
  hooks: ThreadHooks,
): Promise<{ trained: TrainedCandidate; figures: ComputeFigures }> {
  let tid: number | undefined;
  let started: { at: number; rows: number; cpuMs?: number; load: TrainingLoad } | undefined;
  const clock = (rows: number, contention: number) => signalOwnWorkflow(ctx, trainingStartedSignal, { attempt: run.attempt, rows, contention });
  const onLoaded = (rows: number) => {
    const load = startTrainingLoad(run.where);
    started = { at: performance.now(), rows, cpuMs: tid === undefined ? undefined : threadCpuMs(tid), load };
    if (!run.clocked) return;
    clock(rows, load.peak());
    load.onPeakRise((peak) => clock(rows, peak));
  };
  const figures = (): ComputeFigures | undefined => {
    if (!started) return undefined;
    const cpuNow = tid === undefined ? undefined : threadCpuMs(tid);
    const cpuMs = cpuNow === undefined || started.cpuMs === undefined ? undefined : cpuNow - started.cpuMs;
    return { wallMs: performance.now() - started.at, cpuMs, contention: started.load.mean() };
  };
  try {
    const trained = await compute({ ...hooks, onThread: (id) => (tid = id), onLoaded });
    return { trained, figures: figures() as ComputeFigures };
  } catch (error) {
    const measured = figures();
    if (started && measured) {
      await recordAttemptFigures(deps.pool, run.runKey, run.attempt, { rows: started.rows, cpuMs: measured.cpuMs, contention: measured.contention });
    }
    throw error;
  } finally {
    started?.load.finish();
  }
}
