import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import type { Pool } from '../../lib/db/pool';
import type { Lineage } from '../../lib/db/lineage';
import { modelPipeline } from '../../workflows/pipeline';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'honest-promotion-test';
const MEAN_TRAINER = fileURLToPath(new URL('../fixtures/trainers/mean_trainer.py', import.meta.url));
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-honest-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

/** The bundled us-employment spec under another name, changed by `change`. */
function pipeline(name: string, change: (spec: Record<string, unknown>) => void = () => undefined): string {
  pipelineFolderWith(name, change, pipelinesDir);
  return name;
}

/** The employment months before `until` (an ISO date), where a `kind: 'file'` source named `<name>.csv` reads them. */
function writeMonthsBefore(name: string, until: string): void {
  const source = resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: 'data/us-employment.csv', format: 'csv', delimiter: ',' }, '.');
  const [header, ...lines] = readFileSync(source, 'utf8').trim().split('\n');
  writeFileSync(path.join(pipelinesDir, `${name}.csv`), [header, ...lines.filter((line) => line.slice(0, 10) < until)].join('\n'));
}

const run = (name: string, workflowId: string, params?: Record<string, number>) =>
  env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: name, params, requestedBy: 'test' }] });

const evaluationOf = async (versionId: number | undefined) =>
  (await pool.query('SELECT passed, gates, baselines, metrics, metrics_basis, holdout_examples FROM evaluations WHERE version_id = $1', [versionId])).rows[0];

const cli = (...args: string[]) =>
  runDriftline({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE }, ...args);

beforeAll(async () => {
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

describe('naive baselines and the minimum holdout', () => {
  it('does not promote a first version that is worse than repeating last month, and says which baseline beat it', async () => {
    // A huge penalty shrinks the ridge to the training mean: far worse than last month's value.
    const name = pipeline('honest-worse', (spec) => void (spec.model = { name: 'honest-worse-model', trainer: 'ridge', params: { alpha: 1e6 } }));
    const result = await run(name, 'honest-worse-run');
    expect(result).toMatchObject({ version: 1, promoted: false });
    expect(result.decision).toMatch(/^no champion yet; holdout has 35 examples \(at least 30\) ✓; rmse \d+ vs last-value 94\.7: skill -[\d.]+ % ✗/);

    const evaluation = await evaluationOf(result.versionId);
    expect(evaluation.passed).toBe(false);
    expect(evaluation.baselines.scores.map((s: { name: string }) => s.name)).toEqual(['last-value', 'seasonal-naive', 'mean']);
    for (const score of evaluation.baselines.scores) expect(Object.keys(score.metrics).sort()).toEqual(['mae', 'r2', 'rmse', 'smape']);
    expect(evaluation.baselines).toMatchObject({ metric: 'rmse', best: 'last-value' });
    expect(evaluation.baselines.skill).toBeLessThan(0);
    const audit = await pool.query("SELECT action FROM audit_log WHERE model_name = 'honest-worse-model'");
    expect(audit.rows).toEqual([{ action: 'reject' }]);
  });

  it('refuses to decide on a 4-example holdout, with that reason, instead of crashing', async () => {
    const name = pipeline('honest-tiny', (spec) => {
      spec.model = { name: 'honest-tiny-model', trainer: 'ridge', params: { alpha: 10 } };
      spec.evaluation = { holdout: { from: '2015-08-01' } };
    });
    const result = await run(name, 'honest-tiny-run');
    expect(result).toMatchObject({ version: 1, promoted: false });
    expect(result.decision).toContain('holdout has 4 examples, at least 30 needed ✗');
    const evaluation = await evaluationOf(result.versionId);
    expect(evaluation.holdout_examples).toBe(4);
    expect(evaluation.gates[0]).toMatchObject({ gate: 'min_holdout', observed: 4, required: 30, passed: false });
  });
});

describe('refit on the newest data, and the champion gate', () => {
  const name = 'honest-refit';
  const model = `${name}-model`;
  beforeAll(() =>
    pipeline(name, (spec) => {
      spec.source = { kind: 'file', path: `${name}.csv`, format: 'csv' };
      spec.model = { name: model, trainer: 'ridge', params: { alpha: 10 } };
      // Until 2014 the holdout from 2013 has 23 examples.
      spec.evaluation = { holdout: { from: '2013-01-01' }, minHoldout: 20, season: 12 };
    }),
  );

  it('registers a version fitted on data that includes its holdout, and scores the fit from before the refit', async () => {
    writeMonthsBefore(name, '2015-01-01');
    const result = await run(name, 'honest-refit-1');
    expect(result).toMatchObject({ version: 1, promoted: true });
    expect(result.decision).toMatch(/rmse [\d.]+ vs last-value [\d.]+: skill [\d.]+ % ✓/);

    const traced = await cli('lineage', '--model', model, '--version', '1', '--json');
    expect(traced.code).toBe(0);
    const lineage = JSON.parse(traced.stdout) as Lineage;
    const fits = lineage.version.fits;
    const evaluation = lineage.evaluations[0];
    expect(evaluation?.holdoutExamples).toBe(23);
    // The evaluated fit ends before the holdout; the registered refit learned from all of it too.
    expect(fits?.evaluated.to).toBe('2012-12-01T00:00:00.000Z');
    expect(fits?.refit).toMatchObject({ examples: (fits?.evaluated.examples ?? 0) + 23, from: fits?.evaluated.from, to: '2014-11-01T00:00:00.000Z' });
    expect(lineage.version.artifactDigest).toBe(fits?.refit?.artifactDigest);
    expect(fits?.evaluated.artifactDigest).not.toBe(fits?.refit?.artifactDigest);
    expect(evaluation?.metricsBasis).toMatch(/^metrics of the fit before the refit \(trained on \d+ examples, 2006-06-01 … 2012-12-01\), scored on 23 held-out examples \(2013-01-01 … 2014-11-01\); the registered version was then refitted on all \d+ examples$/);
    expect(evaluation?.metrics).toEqual(lineage.version.metrics);

    const stored = await pool.query('SELECT artifact, evaluated_artifact FROM model_versions WHERE id = $1', [result.versionId]);
    expect(stored.rows[0].evaluated_artifact.model.coefficients).not.toEqual(stored.rows[0].artifact.model.coefficients);

    const text = await cli('lineage', '--model', model, '--version', '1');
    expect(text.stdout).toMatch(/evaluated fit +\d+ examples, 2006-06-01 … 2012-12-01, artifact sha256:[0-9a-f]{12}… \(scored on the holdout\)/);
    expect(text.stdout).toMatch(/refit +\d+ examples, 2006-06-01 … 2014-11-01, artifact sha256:[0-9a-f]{12}… \(registered: holdout included\)/);
    expect(text.stdout).toMatch(/baselines +last-value rmse [\d.]+, seasonal-naive [\d.]+, mean [\d.]+; skill [\d.]+ % vs last-value/);
  });

  it("promotes the champion's own configuration refreshed on newer data, and nothing for the same data again", async () => {
    writeMonthsBefore(name, '2016-01-01');
    const refreshed = await run(name, 'honest-refit-2');
    expect(refreshed).toMatchObject({ version: 2, promoted: true });
    expect(refreshed.decision).toContain("refit of champion v1's configuration on newer data (through 2015-12-01) ✓");

    const again = await run(name, 'honest-refit-3');
    expect(again).toMatchObject({ version: 3, promoted: false });
    expect(again.decision).toContain('same configuration and data as champion v2: nothing to gain ✗');
  });

  it("needs a different configuration to beat the champion beyond noise, compared with the champion's fit from before its refit (the refit learned the holdout)", async () => {
    // alpha 1 instead of 10 on the same data: a close call, decided by the bootstrap interval.
    const result = await run(name, 'honest-refit-alpha', { alpha: 1 });
    expect(result).toMatchObject({ version: 4, promoted: false });
    expect(result.decision).toMatch(
      /rmse [\d.]+ vs champion v2 \(its fit before the refit\) [\d.]+ on the 35 holdout examples newer than its training data: improvement -?[\d.]+, 90 % interval -[\d.]+ … -?[\d.]+ ✗/,
    );

    const models = await cli('models', '--model', model);
    expect(models.stdout).toMatch(/honest-refit-model v2 +ridge +RMSE +[\d.]+ +skill [\d.]+ % vs last-value .*champion/);
  });
});

describe('refit with an external command', () => {
  it('runs the command a second time on all examples, and registers that model', async () => {
    const name = pipeline('honest-command', (spec) => {
      spec.model = { name: 'honest-command-model', trainer: { command: ['python3', MEAN_TRAINER] } };
      // A mean is no forecast: this test is about the refit, not the gate.
      spec.promotion = { gates: {}, beatBaselines: false };
    });
    const result = await run(name, 'honest-command-run');
    expect(result).toMatchObject({ version: 1, promoted: true });
    const stored = await pool.query('SELECT artifact, evaluated_artifact, fits FROM model_versions WHERE id = $1', [result.versionId]);
    const { artifact, evaluated_artifact: evaluated, fits } = stored.rows[0];
    expect(evaluated.model.reportedMetrics.train_rows).toBe(fits.evaluated.examples);
    expect(artifact.model.reportedMetrics.train_rows).toBe(fits.refit.examples);
    expect(fits.refit.examples).toBe(fits.evaluated.examples + 35);
  });
});
