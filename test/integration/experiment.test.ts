import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExperimentAnalysis } from '../../lib/experiments/analysis';
import { loadConfig } from '../../lib/config';
import { createDashboard } from '../../workers/dashboard/server';
import { modelPipeline } from '../../workflows/pipeline';
import { runExperiment } from '../../workflows/experiment';
import { experimentStatusQuery, stopExperimentUpdate } from '../../workflows/experiment-messages';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerProcess } from '../support/worker-process';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'experiment-test';
const PIPELINE = 'experiment-employment';
/** The same data through a trainer that spins `spinMs` per fit (then predicts the mean): cells that take time, or hang. */
const SLOW_PIPELINE = 'experiment-slow';
/** The same trainer with no runtime norm in force: a worker crash must not look like a cell over its norm. */
const SLOW_UNBOUNDED = 'experiment-slow-unbounded';
const SLOW_TRAINER = fileURLToPath(new URL('../fixtures/trainers/slow-trainer.ts', import.meta.url));
/** Synthetic data through a trainer whose parameters a and b shift every prediction by known amounts (offset-trainer.ts). */
const KNOWN_PIPELINE = 'experiment-known-effects';
const OFFSET_TRAINER = fileURLToPath(new URL('../fixtures/trainers/offset-trainer.ts', import.meta.url));

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
  pipelineFolderWith(SLOW_PIPELINE, (spec) => {
    spec.model = { name: `${SLOW_PIPELINE}-model`, trainer: { module: SLOW_TRAINER }, params: { spinMs: 0 } };
    spec.training = { norm: { maxSeconds: 2 } };
    spec.promotion = { gates: {}, beatBaselines: false };
  }, pipelinesDir);
  pipelineFolderWith(SLOW_UNBOUNDED, (spec) => {
    spec.model = { name: `${SLOW_UNBOUNDED}-model`, trainer: { module: SLOW_TRAINER }, params: { spinMs: 0 } };
    spec.promotion = { gates: {}, beatBaselines: false };
  }, pipelinesDir);
  copyFileSync(fileURLToPath(new URL('../fixtures/experiments/known-effects.csv', import.meta.url)), path.join(pipelinesDir, `${KNOWN_PIPELINE}.csv`));
  pipelineFolderWith(KNOWN_PIPELINE, (spec) => {
    spec.source = { kind: 'file', path: `${KNOWN_PIPELINE}.csv`, format: 'csv' };
    spec.columns = { month: { type: 'timestamp' }, x: { type: 'numeric' }, y: { type: 'numeric' } };
    spec.keyColumns = ['month'];
    spec.target = 'y';
    spec.features = { columns: ['x'], targetLags: [], targetRollingMeans: [] };
    spec.model = { name: `${KNOWN_PIPELINE}-model`, trainer: { module: OFFSET_TRAINER }, params: { a: 1, b: 1, c: 0, d: 0 } };
    spec.evaluation = { holdout: { from: '2005-01-01' }, primaryMetric: 'mae' };
    spec.promotion = { gates: {}, beatBaselines: false };
    spec.checks = { rowCount: { min: 100 } };
  }, pipelinesDir);
  mkdirSync(path.join(pipelinesDir, 'experiments'));
  writeFileSync(path.join(pipelinesDir, 'experiments', 'factorial.json'), JSON.stringify(FACTORIAL));
  stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir });
  // The experiment scores cells on the pipeline's newest snapshot, against its champion's configuration.
  for (const pipeline of [PIPELINE, SLOW_PIPELINE, SLOW_UNBOUNDED, KNOWN_PIPELINE]) {
    await stack.env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: `experiment-${pipeline}`, args: [{ pipeline, requestedBy: 'test' }] });
  }
});

function driftline(...args: string[]) {
  return runDriftline({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: pipelinesDir }, ...args);
}

const workers: ChildProcess[] = [];


/** The cells a history event sets out to score: a batch run in the workflow itself, or a batch child. */
function cellsScoredBy(event: temporal.api.history.v1.IHistoryEvent): number[] {
  const activity = event.activityTaskScheduledEventAttributes;
  const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
  const payload = activity?.activityType?.name === 'evaluateExperimentBatch' ? activity.input?.payloads?.[0] : child?.input?.payloads?.[0];
  if (!payload?.data) return [];
  return (JSON.parse(Buffer.from(payload.data).toString()) as { cells: number[] }).cells;
}

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
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

    // The CLI reports the stored analysis: as JSON for scripts, and for people.
    const json = await driftline('experiment', 'report', String(summary.experimentId), '--json');
    expect(json.code).toBe(0);
    const reported = JSON.parse(json.stdout) as { experiment: { analysis: ExperimentAnalysis }; cells: unknown[] };
    expect(reported.experiment.analysis).toEqual(analysis);
    expect(reported.cells).toHaveLength(8);
    const human = await driftline('experiment', 'report', 'factorial');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('main effects');
    expect(human.stdout).toContain(`recommendation: ${analysis.recommendation.reason}`);

    // On this data no cell beats the champion's configuration beyond the window-to-window noise:
    // promote refuses, saying so, and starts no run.
    expect(analysis.recommendation.action).toBe('keep');
    const promoted = await driftline('experiment', 'promote', String(summary.experimentId), '--by', 'ana');
    expect(promoted.code).toBe(2);
    expect(promoted.stderr).toContain(`recommends no change: ${analysis.recommendation.reason}`);

    // The dashboard's experiment page: the recommendation, a main-effects plot and every cell.
    const config = loadConfig({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: stack.env.address, DRIFTLINE_PIPELINES_DIR: pipelinesDir });
    const dashboard = await createDashboard({ pool: stack.pool, config, temporal: async () => stack.env.client });
    try {
      const page = await dashboard.inject({ method: 'GET', url: `/experiments/${summary.experimentId}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('id="main-effects"');
      expect(page.body).toContain('Recommendation');
      expect(page.body.match(/<tr class="[^"]*"><td>\d/g)).toHaveLength(8);
      expect((await dashboard.inject({ method: 'GET', url: '/experiments/999999' })).statusCode).toBe(404);
      const modelPage = await dashboard.inject({ method: 'GET', url: `/models/${PIPELINE}-model` });
      expect(modelPage.body).toContain(`href="/experiments/${summary.experimentId}"`);
    } finally {
      await dashboard.close();
    }
  });

  it('finds known effects end to end: a, b and a×b significant and within their intervals of the truth; c, d and their interactions not; promotes the best cell with the experiment in its lineage', async () => {
    // The trainer moves every prediction up by (10 + 3a + 2b + 1.5ab) times a scale that follows
    // the data's x (offset-trainer.ts); c and d are parameters it never reads. The effects that
    // follows on each fold's mean absolute error come from the data, by make-known-effects.py.
    const reference = JSON.parse(readFileSync(new URL('../fixtures/experiments/known-effects-reference.json', import.meta.url), 'utf8')) as { effects: Record<string, number> };
    const spec = {
      name: 'known-effects',
      pipeline: KNOWN_PIPELINE,
      factors: {
        a: { kind: 'param', param: 'a', levels: [0, 1] },
        b: { kind: 'param', param: 'b', levels: [0, 1] },
        c: { kind: 'param', param: 'c', levels: [0, 1] },
        d: { kind: 'param', param: 'd', levels: [0, 1] },
      },
      design: { kind: 'full-factorial' },
      replication: { folds: 4 },
      budget: { parallel: 2 },
    };
    const summary = await stack.env.client.workflow.execute(runExperiment, { taskQueue: TASK_QUEUE, workflowId: 'experiment-known-effects', args: [{ experiment: spec, requestedBy: 'test' }] });
    expect(summary).toMatchObject({ status: 'completed', counts: { done: 16, failed: 0, cancelled: 0 } });
    const stored = await stack.pool.query<{ analysis: ExperimentAnalysis }>('SELECT analysis FROM experiments WHERE id = $1', [summary.experimentId]);
    const { analysis } = stored.rows[0] as { analysis: ExperimentAnalysis };
    expect(analysis.metric).toBe('mae');
    expect(analysis.effects).toHaveLength(10);
    for (const effect of analysis.effects) {
      const expected = reference.effects[effect.term] ?? 0;
      expect(Math.abs(effect.effect - expected), effect.term).toBeLessThan(1e-9);
      const [low, high] = effect.ci95 as [number, number];
      expect(low, effect.term).toBeLessThanOrEqual(expected);
      expect(high, effect.term).toBeGreaterThanOrEqual(expected);
      expect(effect.significant, effect.term).toBe(effect.term in reference.effects);
    }
    // The best configuration is the smallest shift (a = b = 0); it beats the champion's (a = b = 1)
    // on every window, so promote turns it into a candidate whose lineage names the experiment.
    expect(analysis.best.levels).toMatchObject({ a: 0, b: 0 });
    expect(analysis.recommendation).toMatchObject({ action: 'adopt', levels: { a: 0, b: 0 } });
    const promoted = await driftline('experiment', 'promote', String(summary.experimentId), '--by', 'ana', '--json');
    expect(promoted.code, promoted.stderr).toBe(0);
    const newest = await stack.pool.query<{ version: number; params: Record<string, number> }>('SELECT version, params FROM model_versions WHERE model_name = $1 ORDER BY version DESC LIMIT 1', [`${KNOWN_PIPELINE}-model`]);
    const candidate = newest.rows[0] as { version: number; params: Record<string, number> };
    expect(candidate.params).toMatchObject({ a: 0, b: 0 });
    const lineage = await driftline('lineage', '--model', `${KNOWN_PIPELINE}-model`, '--version', String(candidate.version), '--json');
    expect(lineage.code, lineage.stderr).toBe(0);
    expect((JSON.parse(lineage.stdout) as { experiment: unknown }).experiment).toMatchObject({
      experimentId: summary.experimentId,
      name: 'known-effects',
      cellIndex: analysis.recommendation.action === 'adopt' ? analysis.recommendation.cell : -1,
      levels: { a: 0, b: 0 },
      requestedBy: 'ana',
    });
    const human = await driftline('lineage', '--model', `${KNOWN_PIPELINE}-model`, '--version', String(candidate.version));
    expect(human.stdout).toContain(`promoted from experiment known-effects (${summary.experimentId})`);
    // The champion's own version came from no experiment.
    const first = await driftline('lineage', '--model', `${KNOWN_PIPELINE}-model`, '--version', '1', '--json');
    expect((JSON.parse(first.stdout) as { experiment: unknown }).experiment).toBeNull();
  });

  it('continues as new every cellsPerRun cells: three runs of at most three cells, the same analysis as one run', async () => {
    const inRuns = await stack.env.client.workflow.execute(runExperiment, {
      taskQueue: TASK_QUEUE,
      workflowId: 'experiment-continued',
      args: [{ experiment: 'factorial', requestedBy: 'test', cellsPerRun: 3 }],
    });
    const inOne = await stack.env.client.workflow.execute(runExperiment, { taskQueue: TASK_QUEUE, workflowId: 'experiment-one-run', args: [{ experiment: 'factorial', requestedBy: 'test' }] });
    expect(inRuns).toMatchObject({ status: 'completed', counts: { done: 8, failed: 0, cancelled: 0 } });

    // Follow the chain of runs from the first: each but the last continued as new, one experiment throughout.
    const describe = await stack.env.client.workflow.getHandle('experiment-continued').describe();
    const runs: { cells: number[] }[] = [];
    let runId: string | undefined = describe.raw.workflowExecutionInfo?.firstRunId ?? undefined;
    while (runId) {
      const history = await stack.env.client.workflow.getHandle('experiment-continued', runId).fetchHistory();
      const events = history.events ?? [];
      runs.push({ cells: events.flatMap((e) => cellsScoredBy(e)) });
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    expect(runs.map((run) => run.cells)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
    const experiments = await stack.pool.query<{ workflow_id: string; analysis: ExperimentAnalysis }>('SELECT workflow_id, analysis FROM experiments WHERE workflow_id = ANY($1)', [['experiment-continued', 'experiment-one-run']]);
    expect(experiments.rows).toHaveLength(2);
    const [a, b] = experiments.rows as [(typeof experiments.rows)[number], (typeof experiments.rows)[number]];
    expect(a.analysis.cells).toHaveLength(8);
    expect(a.analysis).toEqual(b.analysis);
    expect(inRuns.recommendation).toBe(inOne.recommendation);
  });

  it('refuses an inline experiment that does not fit its pipeline, naming the field, without retrying', async () => {
    const run = stack.env.client.workflow.execute(runExperiment, {
      taskQueue: TASK_QUEUE,
      workflowId: 'experiment-invalid',
      args: [{ experiment: { ...FACTORIAL, name: 'bad', factors: { ...FACTORIAL.factors, promo: { kind: 'interaction', columns: ['nonfarm_change', 'promotion'] } } }, requestedBy: 'test' }],
    });
    const failure = (await run.catch((error: unknown) => error)) as Error | undefined;
    const messages: string[] = [];
    for (let e: unknown = failure; e instanceof Error; e = e.cause) messages.push(e.message);
    expect(messages.join(' ← ')).toContain('factors.promo.columns.1');

    // The CLI checks a spec file before it starts anything: the file and the field are named.
    const file = path.join(pipelinesDir, 'misspelt.json');
    writeFileSync(file, JSON.stringify({ ...FACTORIAL, name: 'misspelt', replication: { fold: 3 } }));
    const cli = await driftline('experiment', 'run', '--file', file, '--by', 'ana');
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`Experiment ${file} is invalid`);
    expect(cli.stderr).toContain('replication');
    expect(cli.stderr).toContain('fold');
    const missing = await driftline('experiment', 'run', '--file', path.join(pipelinesDir, 'nowhere.json'), '--by', 'ana');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere.json does not exist');
  });

  it('a stop Update ends a larger experiment cleanly: running cells cancelled and counted, the finished ones analysed', async () => {
    const spec = {
      name: 'slow-sixteen',
      pipeline: SLOW_PIPELINE,
      factors: Object.fromEntries(['a', 'b', 'c'].map((name) => [name, { kind: 'param', param: name, levels: [1, 2] }]).concat([['spinMs', { kind: 'param', param: 'spinMs', levels: [150, 200] }]])),
      design: { kind: 'full-factorial' },
      replication: { folds: 3 },
      // Small batches: the status counts a batch's cells as it ends.
      budget: { parallel: 2, cellsPerBatch: 2 },
    };
    const handle = await stack.env.client.workflow.start(runExperiment, { taskQueue: TASK_QUEUE, workflowId: 'experiment-stop', args: [{ experiment: spec, requestedBy: 'test' }] });
    for (;;) {
      const status = await handle.query(experimentStatusQuery);
      if (status.done >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const receipt = await handle.executeUpdate(stopExperimentUpdate, { args: [{ by: 'ana', reason: 'enough seen' }] });
    expect(receipt.stopping).toBe(true);
    const summary = await handle.result();
    expect(summary.status).toBe('stopped');
    expect(summary.counts.done).toBeGreaterThanOrEqual(2);
    expect(summary.counts.done).toBeLessThan(16);
    const rows = await stack.pool.query<{ status: string; reason: string | null }>('SELECT status, reason FROM experiment_cells WHERE experiment_id = $1', [summary.experimentId]);
    expect(rows.rows.length).toBe(summary.counts.done + summary.counts.failed + summary.counts.cancelled);
    rows.rows.filter((r) => r.status === 'cancelled').forEach((r) => expect(r.reason).toBe('the experiment was stopped'));
    const stored = await stack.pool.query<{ status: string; analysis: { counts: unknown; cells: unknown[] } }>('SELECT status, analysis FROM experiments WHERE id = $1', [summary.experimentId]);
    expect(stored.rows[0]?.status).toBe('stopped');
    expect(stored.rows[0]?.analysis.cells).toHaveLength(summary.counts.done);
    const final = await handle.query(experimentStatusQuery);
    expect(final).toMatchObject({ stage: 'done', stopped: 'stopped by ana: enough seen' });
  });

  it('an experiment that ends outright (here cancelled) is recorded as failed, saying why, not left running', async () => {
    const spec = {
      name: 'cancelled-four',
      pipeline: SLOW_UNBOUNDED,
      factors: { a: { kind: 'param', param: 'a', levels: [1, 2] }, spinMs: { kind: 'param', param: 'spinMs', levels: [5_000, 6_000] } },
      design: { kind: 'full-factorial' },
      replication: { folds: 2 },
      budget: { parallel: 2 },
    };
    const handle = await stack.env.client.workflow.start(runExperiment, { taskQueue: TASK_QUEUE, workflowId: 'experiment-cancelled', args: [{ experiment: spec, requestedBy: 'test' }] });
    for (;;) {
      const status = await handle.query(experimentStatusQuery);
      if (status.experimentId !== undefined && status.running > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const stored = await stack.pool.query<{ id: string; status: string; finished_at: Date | null; analysis: ExperimentAnalysis }>('SELECT id, status, finished_at, analysis FROM experiments WHERE workflow_id = $1', ['experiment-cancelled']);
    const row = stored.rows[0];
    expect(row?.status).toBe('failed');
    expect(row?.finished_at).not.toBeNull();
    expect(row?.analysis.recommendation.reason).toMatch(/^the experiment failed: cancelled in running: /);
    // The report says so rather than failing on an analysis with no cells.
    const human = await driftline('experiment', 'report', String(row?.id));
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`experiment cancelled-four: failed`);
    expect(human.stdout).toContain(`recommendation: ${row?.analysis.recommendation.reason}`);
  });

  it('cancels a cell that hangs at its runtime norm, goes on with the rest of its batch and completes the experiment, reporting it', async () => {
    // One batch of four cells, in order: two quick ones, then two that hang (spinMs is the fastest-changing factor but one).
    const spec = {
      name: 'one-hangs',
      pipeline: SLOW_PIPELINE,
      factors: { a: { kind: 'param', param: 'a', levels: [1, 2] }, spinMs: { kind: 'param', param: 'spinMs', levels: [0, 60_000] } },
      design: { kind: 'full-factorial' },
      replication: { folds: 2 },
      budget: { parallel: 1 },
    };
    const summary = await stack.env.client.workflow.execute(runExperiment, { taskQueue: TASK_QUEUE, workflowId: 'experiment-hang', args: [{ experiment: spec, requestedBy: 'test' }] });
    expect(summary).toMatchObject({ status: 'completed', counts: { done: 2, failed: 0, cancelled: 2 } });
    const rows = await stack.pool.query<{ levels: { spinMs: number }; status: string; reason: string }>('SELECT levels, status, reason FROM experiment_cells WHERE experiment_id = $1 AND status = $2', [summary.experimentId, 'cancelled']);
    expect(rows.rows).toHaveLength(2);
    for (const row of rows.rows) {
      expect(row.levels.spinMs).toBe(60_000);
      expect(row.reason).toMatch(/^over its runtime norm: ran 2\.\d s against 2\.0 s/);
    }
    // One batch ran the four cells (in the experiment's own workflow: one batch at a time needs no
    // child): a new activity took the cell after the one over its norm.
    const history = await stack.env.client.workflow.getHandle('experiment-hang').fetchHistory();
    expect(history.events?.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'evaluateExperimentBatch')).toHaveLength(2);
  });

  it('a worker killed mid-batch: a restarted one finishes it, and no cell that finished runs again', async () => {
    const crashQueue = 'experiment-crash-test';
    const startWorker = async () => {
      const { child } = await startWorkerProcess({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_TASK_QUEUE: crashQueue, DRIFTLINE_PIPELINES_DIR: pipelinesDir });
      workers.push(child);
      return child;
    };
    // Two batches of four cells (cells 0–3 and 4–7, each a child workflow), each cell half a second.
    const spec = {
      name: 'crash-eight',
      pipeline: SLOW_UNBOUNDED,
      factors: { a: { kind: 'param', param: 'a', levels: [1, 2] }, b: { kind: 'param', param: 'b', levels: [1, 2] }, spinMs: { kind: 'param', param: 'spinMs', levels: [200, 250] } },
      design: { kind: 'full-factorial' },
      replication: { folds: 2 },
      budget: { parallel: 2, cellsPerBatch: 4 },
    };
    const first = await startWorker();
    await stack.env.client.workflow.start(runExperiment, { taskQueue: crashQueue, workflowId: 'experiment-crash', args: [{ experiment: spec, requestedBy: 'test' }] });
    const storedCells = async () => {
      const experiment = await stack.pool.query<{ id: string }>('SELECT id FROM experiments WHERE workflow_id = $1', ['experiment-crash']);
      const id = experiment.rows[0]?.id;
      return { id, cells: id === undefined ? [] : (await stack.pool.query<{ cell_index: number }>('SELECT cell_index FROM experiment_cells WHERE experiment_id = $1', [id])).rows.map((r) => r.cell_index) };
    };
    // Killed once a few cells are stored, while both batches still have cells to score.
    while ((await storedCells()).cells.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const { id: experimentId, cells: before } = await storedCells();
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(8);

    await startWorker();
    const summary = await stack.env.client.workflow.getHandle('experiment-crash').result();
    expect(summary).toMatchObject({ status: 'completed', counts: { done: 8, failed: 0, cancelled: 0 } });
    const cells = await stack.pool.query<{ cell_index: number }>('SELECT cell_index FROM experiment_cells WHERE experiment_id = $1 ORDER BY cell_index', [experimentId]);
    expect(cells.rows.map((r) => r.cell_index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Each cell's compute signals its own over-norm clock tick (attempt × 1000 + position). The
    // attempts after the crash started exactly the batch's cells not stored before it.
    for (const batch of [[0, 1, 2, 3], [4, 5, 6, 7]]) {
      const history = await stack.env.client.workflow.getHandle(`experiment-crash/cells-${batch[0]}-${batch[3]}`).fetchHistory();
      const ticks = new Set(
        (history.events ?? []).flatMap((e) => {
          const signal = e.workflowExecutionSignaledEventAttributes;
          if (signal?.signalName !== 'trainingStarted') return [];
          const payload = JSON.parse(Buffer.from(signal.input?.payloads?.[0]?.data ?? new Uint8Array()).toString()) as { attempt: number };
          return [payload.attempt];
        }),
      );
      const afterCrash = [...ticks].filter((tick) => tick >= 2_000);
      expect(afterCrash).toHaveLength(batch.filter((index) => !before.includes(index)).length);
    }

    // The same experiment run without a crash, on the same snapshot: the same cells and the same analysis.
    const uninterrupted = await stack.env.client.workflow.execute(runExperiment, { taskQueue: TASK_QUEUE, workflowId: 'experiment-no-crash', args: [{ experiment: spec, requestedBy: 'test' }] });
    const analyses = await stack.pool.query<{ id: string; snapshot_id: string; analysis: ExperimentAnalysis }>('SELECT id, snapshot_id, analysis FROM experiments WHERE id = ANY($1) ORDER BY id', [[experimentId, uninterrupted.experimentId]]);
    const [crashed, clean] = analyses.rows as [(typeof analyses.rows)[number], (typeof analyses.rows)[number]];
    expect(clean.snapshot_id).toBe(crashed.snapshot_id);
    expect(clean.analysis.cells.map((c) => c.mean)).toHaveLength(8);
    expect(clean.analysis).toEqual(crashed.analysis);
  });
});
