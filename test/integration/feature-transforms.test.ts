import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { frameOfRows } from '../../lib/data/columns/frame';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import type { Pool } from '../../lib/db/pool';
import { buildFeatures, type FeaturePlan } from '../../lib/model/features';
import { modelPipeline } from '../../workflows/pipeline';
import type { PipelineInput } from '../../workflows/pipeline-input';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';
import { loadSeattleWeather } from '../support/vega-data';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'feature-transforms-test';
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-transforms-'));
const NAME = 'transforms-weather';

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

/** Seattle's weather up to and including `lastYear`, as the pipeline's file. */
function writeWeather(lastYear: number): void {
  const file = resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: 'data/seattle-weather.csv', format: 'csv', delimiter: ',' }, '.');
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  writeFileSync(path.join(pipelinesDir, `${NAME}.csv`), [header, ...lines.filter((line) => Number(line.slice(0, 4)) <= lastYear)].join('\n'));
}

/** Tomorrow's maximum temperature from today's, its recent rain (lagged, log1p), the wind's z-score and the season (cyclic month). */
function weatherPipeline(extra: Record<string, unknown> = {}): void {
  pipelineFolderWith(NAME, (spec) => {
    spec.source = { kind: 'file', path: `${NAME}.csv`, format: 'csv' };
    spec.columns = {
      date: { type: 'timestamp' },
      precipitation: { type: 'numeric', min: 0 },
      temp_max: { type: 'numeric' },
      temp_min: { type: 'numeric' },
      wind: { type: 'numeric', min: 0 },
      weather: { type: 'categorical' },
    };
    spec.timeColumn = 'date';
    spec.keyColumns = ['date'];
    spec.target = 'temp_max';
    spec.horizon = 1;
    spec.features = {
      columns: ['temp_max', 'temp_min'],
      derived: [
        { op: 'log1p', column: 'precipitation' },
        { op: 'zscore', column: 'wind' },
        { op: 'difference', columns: ['temp_max', 'temp_min'], name: 'daily_range' },
      ],
      lags: { precipitation: [1, 2], temp_min: [1] },
      dateParts: { parts: ['month', 'dayOfYear'], cyclic: true },
      ...extra,
    };
    spec.model = { name: `${NAME}-model`, trainer: 'ridge', params: { alpha: 1 } };
    spec.evaluation = { holdout: { fraction: 0.2 }, season: 365, primaryMetric: 'rmse' };
    spec.promotion = { gates: {} };
    spec.checks = { rowCount: { min: 300 } };
  }, pipelinesDir);
}

beforeAll(async () => {
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

async function runOn(workflowId: string, trigger: PipelineInput['trigger'] = 'manual') {
  const handle = await env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: NAME, requestedBy: 'test', trigger }] });
  return handle.result();
}

const cli = (...args: string[]) =>
  runDriftline({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: pipelinesDir }, ...args);

describe('declared feature transforms on real Temporal and PostgreSQL', () => {
  it('trains Seattle\'s weather on derived columns, lags of rain and cyclic months, beats the naive baselines, and stores the transforms with the version', async () => {
    writeWeather(2014);
    weatherPipeline();
    const result = await runOn('transforms-weather-1');
    const version = (await pool.query('SELECT features, artifact FROM model_versions WHERE id = $1', [result.versionId])).rows[0];
    const plan = version.artifact.plan as FeaturePlan;
    expect(version.features).toEqual([
      'temp_max',
      'temp_min',
      'log1p_precipitation',
      'zscore_wind',
      'daily_range',
      'date_month_sin',
      'date_month_cos',
      'date_dayOfYear_sin',
      'date_dayOfYear_cos',
      'precipitation_lag_1',
      'precipitation_lag_2',
      'temp_min_lag_1',
    ]);

    // The stored plan rebuilds the features from the package's rows, as a person computes them.
    const { columns, rows } = await loadSeattleWeather();
    const trained = rows.filter((row) => (row.date as string) < '2015');
    const built = buildFeatures(frameOfRows(trained, columns), plan);
    expect(built.x).toHaveLength(trained.length - 2);
    const { mean, std } = plan.fitted?.zscore_wind ?? { mean: Number.NaN, std: Number.NaN };
    built.x.forEach((x, i) => {
      const t = built.row[i] as number;
      const row = trained[t];
      const value = (column: string, back = 0) => trained[t - back]?.[column] as number;
      expect(row?.date).toBe(built.at[i]);
      expect(x[2]).toBe(Math.log1p(value('precipitation')));
      expect(x[3]).toBe((value('wind') - mean) / std);
      expect(x[4]).toBe(value('temp_max') - value('temp_min'));
      expect([x[9], x[10], x[11]]).toEqual([value('precipitation', 1), value('precipitation', 2), value('temp_min', 1)]);
    });
    // The z-score was fitted on the training examples only: the wind of the holdout's days is not in it.
    const holdout = Math.round((trained.length - 3) * 0.2);
    const training = trained.slice(2, trained.length - 1 - holdout).map((row) => row.wind as number);
    const trainingMean = training.reduce((a, b) => a + b, 0) / training.length;
    expect(mean).toBeCloseTo(trainingMean, 10);

    const evaluation = (await pool.query('SELECT passed, metrics, baselines FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0];
    const scores = evaluation.baselines.scores as { name: string; metrics: { rmse: number } }[];
    console.info(`seattle temp_max with transforms: rmse ${evaluation.metrics.rmse}; baselines ${scores.map((s) => `${s.name} ${s.metrics.rmse}`).join(', ')}`);
    expect(scores.map((s) => s.name)).toEqual(expect.arrayContaining(['last-value', 'seasonal-naive', 'mean']));
    expect(evaluation.metrics.rmse).toBeLessThan(Math.min(...scores.map((s) => s.metrics.rmse)));
    expect(result).toMatchObject({ version: 1, promoted: true });

    // A year more, and a rolling statistic more: the drift check rebuilds the champion's transforms, and the diff shows the new feature.
    writeWeather(2015);
    weatherPipeline({ rolling: [{ column: 'precipitation', window: 7, stat: 'max' }] });
    const second = await runOn('transforms-weather-2');
    expect(second.version).toBe(2);
    const diff = await cli('lineage', '--model', `${NAME}-model`, '--version', '2', '--diff', '1');
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/features\n\s+v2: .*"precipitation_rolling_max_7".*\n\s+v1: (?!.*precipitation_rolling_max_7)/);
    const lineage = await cli('lineage', '--model', `${NAME}-model`, '--version', '1');
    expect(lineage.stdout).toMatch(/zscore_wind: zscore of wind \(mean [\d.]+, std [\d.]+/);
  });
});
