import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import type { Pool } from '../../lib/db/pool';
import { rankColumns } from '../../lib/drift/rank-columns';
import type { SegmentEntry } from '../../lib/drift/segments';
import { buildExamples, type FeaturePlan } from '../../lib/model/features';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import { statusQuery } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import type { PipelineInput } from '../../workflows/pipeline-input';
import { startDashboard } from '../support/dashboard-browser';
import { runDriftline } from '../support/driftline-cli';
import { penguinMassPipeline, pipelineFolderWith } from '../support/pipelines';
import { loadPenguins, loadStocks, PENGUIN_COLUMNS, STOCK_COLUMNS, writeStocks, type Stock } from '../support/vega-data';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'data-shapes-test';
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-shapes-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

/** The stocks up to and including `lastYear`, written as the pipeline's file. */
function writeStocksUpTo(file: string, lastYear: number): Stock[] {
  const rows = loadStocks().filter((row) => Number(row.date.slice(0, 4)) <= lastYear);
  writeStocks(path.join(pipelinesDir, file), rows);
  return rows;
}

function stocksPipeline(name: string): void {
  pipelineFolderWith(name, (spec) => {
    spec.source = { kind: 'file', path: `${name}.csv`, format: 'csv' };
    spec.columns = STOCK_COLUMNS;
    spec.timeColumn = 'date';
    spec.keyColumns = ['symbol', 'date'];
    spec.groupBy = ['symbol'];
    spec.target = 'price';
    spec.horizon = 1;
    // The symbol only groups: it is not a feature, yet every step that rebuilds examples must read it.
    spec.features = { targetLags: [1, 2, 3], targetRollingMeans: [3] };
    spec.evaluation = { holdout: { fraction: 0.2 }, primaryMetric: 'rmse' };
    // The test is about where lags and labels come from and drift per symbol, not this model's skill.
    spec.promotion = { gates: {}, beatBaselines: false };
    spec.checks = { rowCount: { min: 100 }, duplicateKeys: { severity: 'fail' } };
  }, pipelinesDir);
}

beforeAll(async () => {
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

async function runOn(name: string, workflowId: string, trigger: PipelineInput['trigger'] = 'manual') {
  const handle = await env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: name, requestedBy: 'test', trigger }] });
  const result = await handle.result();
  return { result, status: await handle.query(statusQuery) };
}

const cli = (...args: string[]) =>
  runDriftline({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: pipelinesDir }, ...args);

describe('shapes of data on real Temporal and PostgreSQL', () => {
  it('trains a cross-sectional regression (penguins: body mass) on each row\'s own target and beats the mean baseline', async () => {
    const name = 'shapes-penguins';
    penguinMassPipeline(name, pipelinesDir);
    const { result } = await runOn(name, 'shapes-penguins-1');
    expect(result).toMatchObject({ version: 1, promoted: true });

    const version = (await pool.query('SELECT artifact, metrics FROM model_versions WHERE id = $1', [result.versionId])).rows[0];
    const plan = version.artifact.plan as FeaturePlan;
    expect(plan.horizon).toBe(0);
    // The examples the version learns from, rebuilt from the package's rows: each label is its own row's body mass.
    const birds = loadPenguins() as Row[];
    const examples = buildExamples(frameOfRows(birds, PENGUIN_COLUMNS), plan);
    expect(examples.y.length).toBeGreaterThan(300);
    examples.row.forEach((row, i) => expect(examples.y[i]).toBe(birds[row]?.['Body Mass (g)']));

    const evaluation = (await pool.query('SELECT passed, metrics, baselines, backtest FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0];
    expect(evaluation.baselines.scores.map((s: { name: string }) => s.name)).toEqual(['mean']);
    // Rows of a table have no time to roll an origin over.
    expect(evaluation.backtest).toEqual([]);
    expect(evaluation.baselines.skill).toBeGreaterThan(0.3);
    expect(evaluation.metrics.r2).toBeGreaterThan(0.5);
    console.info(`penguins: rmse ${evaluation.metrics.rmse}, r2 ${evaluation.metrics.r2}; mean baseline rmse ${evaluation.baselines.scores[0].metrics.rmse}`);
  });

  it('keeps lags and labels within each stock symbol and ranks drift per symbol', async () => {
    const name = 'shapes-stocks';
    stocksPipeline(name);
    const trained = writeStocksUpTo(`${name}.csv`, 2006);
    const first = await runOn(name, 'shapes-stocks-1');
    expect(first.result).toMatchObject({ version: 1, promoted: true });

    const version = (await pool.query('SELECT artifact FROM model_versions WHERE id = $1', [first.result.versionId])).rows[0];
    const plan = version.artifact.plan as FeaturePlan;
    expect(plan.groupBy).toEqual(['symbol']);
    const examples = buildExamples(frameOfRows(trained, STOCK_COLUMNS), plan);
    const symbols = [...new Set(trained.map((row) => row.symbol))];
    expect(symbols).toHaveLength(5);
    // Each example is one symbol's row: its three lags are that symbol's previous prices and its label the next.
    const seenFrom = (symbol: string, at: string) => {
      const own = trained.filter((row) => row.symbol === symbol);
      const t = own.findIndex((row) => row.date === at);
      return t < 0 ? undefined : [own[t - 1]?.price, own[t - 2]?.price, own[t - 3]?.price, own[t + 1]?.price];
    };
    examples.x.forEach((x, i) => {
      const matching = symbols.filter((symbol) => JSON.stringify(seenFrom(symbol, examples.at[i] as string)) === JSON.stringify([x[0], x[1], x[2], examples.y[i]]));
      expect(matching).toHaveLength(1);
    });
    // Every symbol's rows but its first three (no lags yet) and its last (no label).
    expect(examples.y).toHaveLength(trained.length - 5 * 4);
    const evaluation = (await pool.query('SELECT metrics, baselines FROM evaluations WHERE version_id = $1', [first.result.versionId])).rows[0];
    // The naive forecasts are per symbol too: last value and mean.
    expect(evaluation.baselines.scores.map((s: { name: string }) => s.name)).toEqual(['last-value', 'mean']);
    const scores = evaluation.baselines.scores.map((s: { name: string; metrics: { rmse: number } }) => `${s.name} ${s.metrics.rmse}`).join(', ');
    console.info(`stocks: rmse ${evaluation.metrics.rmse}; baselines ${scores}`);

    const all = writeStocksUpTo(`${name}.csv`, 2010);
    const { status } = await runOn(name, 'shapes-stocks-2', 'schedule');
    const report = (await pool.query('SELECT id, report FROM drift_reports WHERE pipeline = $1 ORDER BY id DESC LIMIT 1', [name])).rows[0];
    const segments = report.report.segments as { by: string[]; drifted: number; segments: SegmentEntry[] };
    expect(segments.by).toEqual(['symbol']);
    expect(segments.segments.map((s) => s.segment).sort()).toEqual([...symbols].sort());
    for (const entry of segments.segments) {
      const count = (rows: typeof all) => rows.filter((row) => row.symbol === entry.segment).length;
      expect(entry.rows).toEqual({ reference: count(trained), current: count(all) - count(trained) });
    }
    const ranked = rankColumns(segments.segments.map((s) => ({ ...s, threshold: s.threshold ?? 1 }))).map((s) => s.segment);
    expect(segments.segments.map((s) => s.segment)).toEqual(ranked);
    expect(segments.drifted).toBe(segments.segments.filter((s) => s.verdict === 'drift').length);
    if (segments.drifted > 0) expect(status.drift?.reasons.join('\n')).toMatch(/of 5 segments \(symbol\) drifted/);

    const printed = await cli('drift', '--pipeline', name);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/segments by symbol/);
    for (const symbol of symbols) expect(printed.stdout).toContain(symbol);
    const json = JSON.parse((await cli('drift', '--pipeline', name, '--json')).stdout);
    expect(json.check.segments).toEqual(segments);
    const { dashboard, base } = await startDashboard(pool, env, 'shapes-dashboard-token-0123456789');
    try {
      const page = await (await fetch(`${base}/pipelines/${name}/drift/${report.id}`)).text();
      expect(page).toContain('Segments by symbol, most drifted first');
      expect(symbols.every((symbol) => page.includes(`data-segment="${symbol}"`))).toBe(true);
      expect([...symbols].sort((a, b) => page.indexOf(`data-segment="${a}"`) - page.indexOf(`data-segment="${b}"`))).toEqual(segments.segments.map((s) => s.segment));
    } finally {
      await dashboard.close();
    }
    console.info(`stocks drift by symbol: ${segments.segments.map((s) => `${s.segment} ${s.verdict} (${s.column})`).join(', ')}`);
  });

  it('refuses a lag on a cross-sectional pipeline and groupBy on an undeclared column at load, naming the field', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bad-shapes-'));
    pipelineFolderWith('bad-lag', (spec) => void (spec.kind = 'cross-sectional'), dir);
    pipelineFolderWith('bad-group', (spec) => void (spec.groupBy = ['segment']), dir);
    await expect(loadPipelineSpec('bad-lag', dir)).rejects.toThrow(/features\.targetLags/);
    await expect(loadPipelineSpec('bad-group', dir)).rejects.toThrow(/groupBy/);
  });
});
