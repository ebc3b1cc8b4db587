import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from '../../lib/db/pool';
import type { DriftCheck } from '../../lib/drift/drift-check';
import type { ColumnDrift } from '../../lib/drift/drift-report';
import type { ClassReport } from '../../lib/evaluation/class-report';
import type { ModelTestResult } from '../../lib/model-tests/classify';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import { CLASSIFICATION_METRICS } from '../../lib/spec/pipeline-spec';
import { modelPipeline } from '../../workflows/pipeline';
import type { PipelineInput } from '../../workflows/pipeline-input';
import { startDashboard } from '../support/dashboard-browser';
import { penguinSpeciesPipeline, pipelineFolderWith } from '../support/pipelines';
import { loadPenguins, PENGUIN_COLUMNS, writeCsv, type Bird } from '../support/vega-data';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'classification-test';
const NAME = 'penguin-species';
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-classes-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

const COLUMNS = PENGUIN_COLUMNS;
const birds = loadPenguins();

/** The birds as the pipeline's CSV file (the package lists them species by species: `order` mixes them). */
function writeBirds(rows: Bird[]): void {
  writeCsv(path.join(pipelinesDir, `${NAME}.csv`), Object.keys(COLUMNS), rows);
}

/** Every third bird held back, then all: the second run's new rows hold a third of each species. */
const firstBatch = birds.filter((_, i) => i % 3 !== 0);
const withLater = [...firstBatch, ...birds.filter((_, i) => i % 3 === 0)];

function speciesPipeline(name: string, trainer: unknown, params: Record<string, unknown>): void {
  penguinSpeciesPipeline(name, pipelinesDir, `${NAME}.csv`, { name: `${name}-model`, trainer, params });
}

beforeAll(async () => {
  speciesPipeline(NAME, 'logistic', { alpha: 1 });
  writeBirds(firstBatch);
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

async function runOn(workflowId: string, trigger: PipelineInput['trigger'] = 'manual', params?: Record<string, number>, pipeline = NAME) {
  return env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline, requestedBy: 'test', trigger, ...(params ? { params } : {}) }] });
}

describe('a classification pipeline on real Temporal and PostgreSQL', () => {
  it('trains penguin species, beats the majority class and the class prior, passes the garbage tests, is promoted, and reports drift of its target by category', async () => {
    const result = await runOn('classes-1');
    expect(result).toMatchObject({ version: 1, promoted: true });

    const version = (await pool.query('SELECT artifact, metrics FROM model_versions WHERE id = $1', [result.versionId])).rows[0];
    expect(version.artifact.plan.classes).toEqual({ of: 'labels', values: ['Adelie', 'Chinstrap', 'Gentoo'] });
    expect(version.artifact.model.kind).toBe('logistic');

    const evaluation = (await pool.query('SELECT passed, metrics, baselines, gates, model_tests FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0];
    expect(Object.keys(evaluation.metrics).sort()).toEqual([...CLASSIFICATION_METRICS].sort());
    const baselines = evaluation.baselines as { metric: string; best: string; skill: number; scores: { name: string; metrics: Record<string, number> }[] };
    expect(baselines.scores.map((s) => s.name)).toEqual(['majority', 'class-prior']);
    expect(baselines.metric).toBe('log_loss');
    expect(baselines.best).toBe('class-prior');
    expect(baselines.skill).toBeGreaterThan(0.5);
    const majority = baselines.scores[0]?.metrics as Record<string, number>;
    expect(evaluation.metrics.accuracy).toBeGreaterThan(majority.accuracy as number);
    expect(evaluation.gates.find((g: { gate: string }) => g.gate === 'threshold')).toMatchObject({ metric: 'accuracy', passed: true });
    const tests = evaluation.model_tests as ModelTestResult[];
    expect(tests.length).toBeGreaterThan(5);
    expect(tests.every((t) => t.passed)).toBe(true);
    expect(tests.find((t) => t.name === 'unseen categories')?.passed).toBe(true);
    // By class: the confusion matrix counts every holdout example, its diagonal is the accuracy.
    const report = (await pool.query('SELECT class_report FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0].class_report as ClassReport;
    const total = report.confusion.flat().reduce((a, b) => a + b, 0);
    expect(report.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(report.confusion.reduce((sum, row, k) => sum + (row[k] as number), 0) / total).toBeCloseTo(evaluation.metrics.accuracy, 12);
    const { dashboard, base } = await startDashboard(pool, env, 'classes-dashboard-token-0123456789');
    try {
      const page = await (await fetch(`${base}/models/${NAME}-model/versions/1`)).text();
      expect(page).toContain('Holdout by class');
      for (const species of report.classes) expect(page).toContain(`data-class="${species}"`);
      expect(page).toMatch(/log loss/);
      // The model's chart plots the primary metric, not RMSE.
      const modelPage = await (await fetch(`${base}/models/${NAME}-model`)).text();
      expect(modelPage).toContain('Holdout log loss of the 1 most recent versions (lower is better)');
    } finally {
      await dashboard.close();
    }
    console.info(`penguin species: ${JSON.stringify(evaluation.metrics)}; majority accuracy ${majority.accuracy}, class-prior log loss ${baselines.scores[1]?.metrics.log_loss}`);

    writeBirds(withLater);
    await runOn('classes-2', 'schedule');
    const check = (await pool.query('SELECT report FROM drift_reports WHERE pipeline = $1 ORDER BY id DESC LIMIT 1', [NAME])).rows[0].report as DriftCheck;
    expect(check.target.column).toBe('Species');
    const species = check.data.columns.find((c) => c.column === 'Species') as ColumnDrift;
    expect(species.histogram.kind).toBe('categories');
    const histogram = species.histogram as Extract<ColumnDrift['histogram'], { kind: 'categories' }>;
    const count = (rows: Bird[], value: unknown) => rows.filter((row) => row.Species === value).length;
    histogram.values.forEach((value, i) => {
      expect(histogram.reference[i]).toBe(count(firstBatch, value));
      expect(histogram.current[i]).toBe(count(withLater, value) - count(firstBatch, value));
    });
    expect([...histogram.values].sort()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    // The champion's predictions drift as a predicted class mix, not as numbers.
    expect(check.prediction).toMatchObject({ column: 'prediction', type: 'categorical' });
    expect('metric' in check.accuracy ? check.accuracy.metric : check.accuracy.reason).toBe('log_loss');
  });

  it('scores a classifier of another configuration against the champion on the same holdout, with a bootstrap interval of the log-loss gain', async () => {
    const result = await runOn('classes-3', 'manual', { alpha: 30 });
    const evaluation = (await pool.query('SELECT champion_comparison FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0];
    const comparison = evaluation.champion_comparison;
    expect(comparison).toMatchObject({ kind: 'scored', version: 1 });
    expect(comparison.interval).toMatchObject({ metric: 'log_loss' });
    expect(comparison.interval.low).toBeLessThanOrEqual(comparison.interval.estimate);
    expect(comparison.interval.estimate).toBeCloseTo(comparison.champion.log_loss - comparison.candidate.log_loss, 12);
    // A much stronger penalty blurs the classes: the champion stays.
    expect(result.promoted).toBe(false);
  });

  it('trains the gradient-boosting classifier on the same birds: trees with log loss, rows of probabilities, promoted past the baselines', async () => {
    const name = 'penguin-species-trees';
    speciesPipeline(name, 'gradient-boosting', { nEstimators: 40, maxLeafNodes: 8, minSamplesLeaf: 5, seed: 3 });
    const result = await runOn('classes-trees', 'manual', undefined, name);
    expect(result).toMatchObject({ version: 1, promoted: true });
    const version = (await pool.query('SELECT artifact FROM model_versions WHERE id = $1', [result.versionId])).rows[0];
    expect(version.artifact.model).toMatchObject({ kind: 'gradient-boosting', loss: 'log-loss', scoresPerRow: 3 });
    const evaluation = (await pool.query('SELECT metrics, baselines, model_tests FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0];
    expect(evaluation.baselines.skill).toBeGreaterThan(0.5);
    expect((evaluation.model_tests as ModelTestResult[]).every((t) => t.passed)).toBe(true);
    console.info(`penguin species by trees: ${JSON.stringify(evaluation.metrics)}`);
  });

  it('trains a command classifier through the file protocol: class codes and classes.json in, rows of probabilities out', async () => {
    const name = 'penguin-species-prior';
    const script = fileURLToPath(new URL('../fixtures/trainers/prior_trainer.py', import.meta.url));
    speciesPipeline(name, { command: ['python3', script] }, {});
    const result = await runOn('classes-prior', 'manual', undefined, name);
    const evaluation = (await pool.query('SELECT metrics, baselines, model_tests FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0];
    const prior = evaluation.baselines.scores.find((s: { name: string }) => s.name === 'class-prior').metrics;
    // It predicts the training labels' class shares: the class-prior baseline itself, so no skill and no promotion.
    expect(evaluation.metrics.log_loss).toBeCloseTo(prior.log_loss, 12);
    expect((evaluation.model_tests as ModelTestResult[]).every((t) => t.passed)).toBe(true);
    expect(result.promoted).toBe(false);
  });

  it('refuses a classification metric on a regression target at load, naming the field', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bad-classes-'));
    pipelineFolderWith('bad-metric', (spec) => void (spec.evaluation = { primaryMetric: 'accuracy' }), dir);
    await expect(loadPipelineSpec('bad-metric', dir)).rejects.toThrow(/evaluation\.primaryMetric/);
  });
});
