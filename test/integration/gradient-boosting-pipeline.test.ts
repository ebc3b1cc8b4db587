import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from '../../lib/db/pool';
import { gradientBoostingTrainer } from '../../lib/trainers/gradient-boosting-trainer';
import { modelPipeline } from '../../workflows/pipeline';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'gradient-boosting-test';
const PIPELINE = 'employment-gbt';
const MODEL = `${PIPELINE}-model`;
const PARAMS = { nEstimators: 60, learningRate: 0.1, minSamplesLeaf: 5, maxLeafNodes: 8, seed: 7 };

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

beforeAll(async () => {
  // The bundled us-employment pipeline (vega-datasets), trained by the tree ensemble instead of ridge.
  const pipelinesDir = pipelineFolderWith(PIPELINE, (spec) => void (spec.model = { name: MODEL, trainer: 'gradient-boosting', params: PARAMS }));
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

describe('the gradient-boosting trainer in a pipeline on real Temporal and PostgreSQL', () => {
  it('trains a version of trees in the training thread, evaluates it against the baselines and promotes it only if it beats them', async () => {
    const result = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'gbt-first', args: [{ pipeline: PIPELINE, requestedBy: 'test' }] });
    expect(result).toMatchObject({ pipeline: PIPELINE, version: 1 });

    const version = (await pool.query('SELECT trainer, params, artifact, metrics, trainer_digest FROM model_versions WHERE id = $1', [result.versionId])).rows[0];
    expect(version).toMatchObject({ trainer: 'gradient-boosting', params: PARAMS });
    expect(version.trainer_digest).toMatch(/^[0-9a-f]{64}$/);
    const model = version.artifact.model;
    expect(model).toMatchObject({ kind: 'gradient-boosting', loss: 'squared-error', rounds: PARAMS.nEstimators, stoppedEarly: false });
    expect(model.trees).toHaveLength(PARAMS.nEstimators);
    // The stored JSON is the model as it stands: it predicts finite values.
    const rows = Array.from({ length: 5 }, (_, i) => model.featureNames.map((_: string, j: number) => 1000 * (i + 1) + j));
    const predicted = gradientBoostingTrainer.predict(model, rows) as number[];
    expect(predicted.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(version.metrics.rmse)).toBe(true);

    const evaluation = (await pool.query('SELECT passed, baselines FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0];
    expect(evaluation.baselines.scores.map((s: { name: string }) => s.name)).toEqual(['last-value', 'seasonal-naive', 'mean']);
    // Honest either way: promoted exactly when the evaluation passed, and a refusal says which check failed.
    expect(result.promoted).toBe(evaluation.passed);
    if (result.promoted) expect(evaluation.baselines.skill).toBeGreaterThan(0);
    else expect(result.decision).toMatch(/✗/);
    const champion = await pool.query("SELECT version_id FROM model_aliases WHERE model_name = $1 AND alias = 'champion'", [MODEL]);
    expect(champion.rows.map((row) => Number(row.version_id))).toEqual(result.promoted ? [result.versionId] : []);
  });
});
