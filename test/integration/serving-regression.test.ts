import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from '../../lib/db/pool';
import { DriftlineConfig } from '../../lib/config';
import { findDriftReport } from '../../lib/db/drift-reports';
import { monitorServing } from '../../workflows/monitor-serving';
import { modelPipeline } from '../../workflows/pipeline';
import { startServing, type RunningServer } from '../../workers/serving/start';
import { runDriftline } from '../support/driftline-cli';
import { penguinMassPipeline } from '../support/pipelines';
import { loadPenguins, PENGUIN_COLUMNS } from '../support/vega-data';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'serving-regression-test';
const NAME = 'served-penguin-mass';
const MODEL = `${NAME}-model`;
const TARGET = 'Body Mass (g)';
const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-serving-regression-'));
const birds = loadPenguins().filter((bird) => Object.keys(PENGUIN_COLUMNS).every((column) => bird[column] !== null && bird[column] !== undefined && bird[column] !== '.'));

let env: TestWorkflowEnvironment;
let stack: WorkerStack;
let pool: Pool;
let server: RunningServer;

beforeAll(async () => {
  // Segments by island: a serving check compares each island's served birds with its own training birds.
  penguinMassPipeline(NAME, dir, (spec) => {
    spec.groupBy = ['Island'];
  });
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir: dir }));
  const first = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-train-1`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
  expect(first).toMatchObject({ version: 1, promoted: true });
  const config = DriftlineConfig.parse({ DATABASE_URL: inject('databaseUrl'), DRIFTLINE_PIPELINES_DIR: dir });
  server = await startServing(config, { host: '127.0.0.1', port: 0, limits: { rows: 200, bodyBytes: 256 * 1024 }, pollMs: 200, logPredictions: true, logError: () => undefined });
}, 240_000);

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

describe('a served regressor monitored', () => {
  it('estimates its error from the holdout residuals by predicted value, beside the realised error once actuals are recorded', async () => {
    const questions = birds.map((bird) => Object.fromEntries(Object.keys(PENGUIN_COLUMNS).filter((c) => c !== TARGET).map((c) => [c, bird[c] ?? null])));
    const answers: { predictionId: string; prediction: number }[] = [];
    for (let at = 0; at < questions.length; at += 200) {
      const response = await fetch(`${server.url}/v1/models/${MODEL}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(questions.slice(at, at + 200)) });
      expect(response.status).toBe(200);
      answers.push(...((await response.json()) as { predictions: { predictionId: string; prediction: number }[] }).predictions);
    }
    for (let i = 0; i < 100 && server.metrics.pending() > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const file = path.join(dir, 'masses.csv');
    writeFileSync(file, `row_key,${TARGET}\n${answers.map((a, i) => `${a.predictionId},${birds[i]?.[TARGET]}`).join('\n')}\n`);
    const recorded = await runDriftline({ DATABASE_URL: inject('databaseUrl'), DRIFTLINE_PIPELINES_DIR: dir }, 'actuals', '--pipeline', NAME, '--file', file, '--json');
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ recorded: birds.length, matched: birds.length });

    const result = await env.client.workflow.execute(monitorServing, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-serving-1`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
    // The birds it learned from, asked again: nothing moved.
    expect(result.drift.verdict, result.drift.reasons.join('; ')).not.toBe('fail');
    expect(result.drift.prediction).toBe('stable');
    const estimate = result.estimate;
    expect(estimate).toMatchObject({ metric: 'rmse', rows: birds.length });
    const realised = estimate?.realised;
    expect(realised?.rows).toBe(100);
    console.log(`residual bins on served penguin masses: estimated RMSE ${realised?.estimatedOnSameRows.toFixed(1)} g vs realised ${realised?.value.toFixed(1)} g on ${realised?.rows} rows; reference ${estimate?.reference.realised.toFixed(1)} g on ${estimate?.reference.rows}`);
    // A realised RMSE on 100 rows has a sampling error of about 7 % (RMSE / √(2n)): within 25 %, three and a half of them.
    expect(Math.abs((realised?.estimatedOnSameRows as number) / (realised?.value as number) - 1)).toBeLessThan(0.25);
  });

  it('finds the segment whose served inputs moved, per island', async () => {
    // Longer flippers and beaks on Dream only: the other islands' birds come as they were.
    // Every bird again, so each island's served birds are its training birds (a subsample of a file in species and sex order would not be).
    const dream = birds.filter((bird) => bird.Island === 'Dream');
    const others = birds.filter((bird) => bird.Island !== 'Dream');
    const question = (bird: (typeof birds)[number], shift: number) => ({
      ...Object.fromEntries(Object.keys(PENGUIN_COLUMNS).filter((c) => c !== TARGET).map((c) => [c, bird[c] ?? null])),
      'Flipper Length (mm)': (bird['Flipper Length (mm)'] as number) + shift,
      'Beak Length (mm)': (bird['Beak Length (mm)'] as number) + shift / 2,
    });
    const rows = [...dream.map((bird) => question(bird, 20)), ...others.map((bird) => question(bird, 0))];
    for (let at = 0; at < rows.length; at += 200) {
      const response = await fetch(`${server.url}/v1/models/${MODEL}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rows.slice(at, at + 200)) });
      expect(response.status).toBe(200);
    }
    for (let i = 0; i < 100 && server.metrics.pending() > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));

    const result = await env.client.workflow.execute(monitorServing, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-serving-2`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
    const stored = await findDriftReport(pool, NAME, result.drift.reportId);
    expect(stored?.check.served?.predictions).toBe(rows.length);
    const segments = stored?.check.segments;
    expect(segments?.by).toEqual(['Island']);
    expect(segments?.segments[0]).toMatchObject({ segment: expect.stringContaining('Dream'), verdict: 'drift' });
    expect(segments?.segments[0]?.drifted).toEqual(expect.arrayContaining(['Flipper Length (mm)']));
    expect(segments?.segments.filter((s) => s.verdict === 'drift'), JSON.stringify(segments?.segments)).toHaveLength(1);
    expect(stored?.check.reasons.join('; ')).toMatch(/1 of 3 segments \(Island\) drifted: .*Dream/);
  });
});
