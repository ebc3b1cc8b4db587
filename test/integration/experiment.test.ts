import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentAnalysis } from '../../lib/experiments/analysis';
import { modelPipeline } from '../../workflows/pipeline';
import { runExperiment } from '../../workflows/experiment';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'experiment-test';
const PIPELINE = 'experiment-employment';

let stack: WorkerStack;
let pipelinesDir: string;

/** A 2³ full factorial on the bundled data: ridge's alpha, the lag set, and the manufacturing column in or out. */
const FACTORIAL = {
  name: 'factorial',
  pipeline: PIPELINE,
  factors: {
    alpha: { kind: 'param', param: 'alpha', levels: [10, 1000] },
    lags: { kind: 'lags', levels: [[1], [1, 2, 3]] },
    manufacturing: { kind: 'feature', column: 'manufacturing' },
  },
  design: { kind: 'full-factorial' },
  replication: { folds: 3 },
  budget: { parallel: 4 },
};

beforeAll(async () => {
  pipelinesDir = pipelineFolderWith(PIPELINE);
  mkdirSync(path.join(pipelinesDir, 'experiments'));
  writeFileSync(path.join(pipelinesDir, 'experiments', 'factorial.json'), JSON.stringify(FACTORIAL));
  stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir });
  // The experiment scores cells on the pipeline's newest snapshot, against its champion's configuration.
  await stack.env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'experiment-champion', args: [{ pipeline: PIPELINE, requestedBy: 'test' }] });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a designed experiment on Temporal', () => {
  it('runs a 2³ full factorial × 3 folds of ridge, stores every cell once and the analysis', async () => {
    const summary = await stack.env.client.workflow.execute(runExperiment, {
      taskQueue: TASK_QUEUE,
      workflowId: 'experiment-factorial',
      args: [{ experiment: 'factorial', requestedBy: 'test' }],
    });
    expect(summary).toMatchObject({ status: 'completed', counts: { done: 8, failed: 0, cancelled: 0 } });

    const cells = await stack.pool.query<{ cell_index: number; scores: number[]; status: string }>(
      'SELECT cell_index, scores, status FROM experiment_cells WHERE experiment_id = $1 ORDER BY cell_index',
      [summary.experimentId],
    );
    expect(cells.rows.map((r) => r.cell_index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const cell of cells.rows) {
      expect(cell.status).toBe('done');
      expect(cell.scores).toHaveLength(3);
      cell.scores.forEach((score) => expect(score).toBeGreaterThan(0));
    }

    const stored = await stack.pool.query<{ status: string; analysis: ExperimentAnalysis }>('SELECT status, analysis FROM experiments WHERE id = $1', [summary.experimentId]);
    const { status, analysis } = stored.rows[0] as { status: string; analysis: ExperimentAnalysis };
    expect(status).toBe('completed');
    expect(analysis.metric).toBe('rmse');
    // Three main effects and three two-factor interactions, each with a confidence interval.
    expect(analysis.effects.map((e) => e.term).sort()).toEqual(['alpha', 'alpha:lags', 'alpha:manufacturing', 'lags', 'lags:manufacturing', 'manufacturing']);
    // The best cell is the one with the lowest mean RMSE over its folds.
    const means = cells.rows.map((r) => r.scores.reduce((s, v) => s + v, 0) / r.scores.length);
    expect(analysis.best.index).toBe(means.indexOf(Math.min(...means)));
    expect(summary.recommendation).toBe(analysis.recommendation.reason);
  });

  it('refuses an inline experiment that does not fit its pipeline, naming the field, without retrying', async () => {
    const run = stack.env.client.workflow.execute(runExperiment, {
      taskQueue: TASK_QUEUE,
      workflowId: 'experiment-invalid',
      args: [{ experiment: { ...FACTORIAL, name: 'bad', factors: { ...FACTORIAL.factors, promo: { kind: 'interaction', columns: ['nonfarm_change', 'promotion'] } } }, requestedBy: 'test' }],
    });
    await expect(run).rejects.toMatchObject({ cause: { cause: { message: expect.stringContaining('factors.promo.columns.1') } } });
  });
});
