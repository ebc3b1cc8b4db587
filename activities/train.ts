import { Context, heartbeat, log } from '@temporalio/activity';
import { contentDigest } from '../lib/data/digest';
import { registerVersion } from '../lib/db/model-registry';
import { loadSnapshotRows } from '../lib/db/snapshots';
import { recordTrainingRun } from '../lib/db/training-runs';
import type { Metrics } from '../lib/model/metrics';
import { RidgeParams, type PipelineSpec } from '../lib/spec/pipeline-spec';
import { parseOrThrow } from '../lib/errors';
import type { ActivityDeps } from './deps';
import { trainInThread } from './training/run-in-thread';

export interface TrainInput {
  spec: PipelineSpec;
  snapshotId: number;
  /** Overrides of the spec's model parameters for this run only. */
  params?: Record<string, number>;
}

export interface TrainResult {
  versionId: number;
  version: number;
  metrics: Metrics;
  holdoutStart: string;
  trainExamples: number;
  testExamples: number;
  durationMs: number;
}

const HEARTBEAT_EVERY_MS = 1_000;

export function makeTrain(deps: ActivityDeps) {
  /** Trains a candidate on a snapshot off the event loop and registers it as the model's next version. */
  return async function trainCandidate(input: TrainInput): Promise<TrainResult> {
    const { spec, snapshotId } = input;
    const params = parseOrThrow(RidgeParams, { ...spec.model.params, ...input.params }, 'model params');
    const ctx = Context.current();
    const execution = ctx.info.workflowExecution;
    if (!execution) throw new Error('trainCandidate runs only inside a workflow: its run identifies the version');
    const { workflowId, runId } = execution;
    const runKey = `${workflowId}/${runId}`;
    const rows = await loadSnapshotRows(deps.pool, snapshotId);

    const started = performance.now();
    let progress = { fraction: 0, message: 'starting' };
    const beat = setInterval(() => heartbeat(progress), HEARTBEAT_EVERY_MS);
    try {
      const result = await trainInThread(
        { rows, spec, alpha: params.alpha },
        { onProgress: (fraction, message) => (progress = { fraction, message }), signal: ctx.cancellationSignal },
      );
      const durationMs = performance.now() - started;
      const version = await registerVersion(deps.pool, {
        modelName: spec.model.name,
        pipeline: spec.name,
        runKey,
        trainer: spec.model.trainer,
        params,
        artifact: result.artifact,
        artifactDigest: contentDigest(result.artifact),
        trainingSnapshotIds: [snapshotId],
        codeVersion: deps.codeVersion,
        metrics: result.metrics,
      });
      await recordTrainingRun(deps.pool, {
        modelName: spec.model.name,
        runKey,
        workflowId,
        runId,
        snapshotId,
        outcome: 'succeeded',
        durationMs,
        versionId: version.id,
      });
      log.info('model version registered', { model: spec.model.name, version: version.version, created: version.created });
      return {
        versionId: version.id,
        version: version.version,
        metrics: version.metrics,
        holdoutStart: result.holdoutStart,
        trainExamples: result.trainExamples,
        testExamples: result.testExamples,
        durationMs: Math.round(durationMs),
      };
    } finally {
      clearInterval(beat);
    }
  };
}
