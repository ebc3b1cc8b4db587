import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { predictAnyWith } from '../../activities/training/predict';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows } from '../../lib/data/columns/frame';
import { ingest } from '../../lib/data/ingest';
import { DataSource } from '../../lib/data/source-spec';
import { openSource } from '../../lib/data/sources/open-source';
import type { Row } from '../../lib/data/typed-row';
import type { Pool } from '../../lib/db/pool';
import { splitFrom } from '../../lib/evaluation/holdout';
import { buildExamples, type FeaturePlan } from '../../lib/model/features';
import type { ModelArtifact } from '../../lib/model/model-artifact';
import { modelPipeline } from '../../workflows/pipeline';
import { runDriftline } from '../support/driftline-cli';
import { penguinMassPipeline, pipelineFolderWith } from '../support/pipelines';
import { loadPenguins, loadStocks, PENGUIN_COLUMNS, STOCK_COLUMNS, writeStocks } from '../support/vega-data';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'target-transform-filters-test';
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-transform-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;


beforeAll(async () => {
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

async function runOn(name: string, workflowId: string) {
  const handle = await env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: name, requestedBy: 'test', trigger: 'manual' }] });
  return handle.result();
}

const cli = (...args: string[]) =>
  runDriftline({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: pipelinesDir }, ...args);

describe('target transform and row filters on real Temporal and PostgreSQL', () => {
  it('learns penguin body mass on log1p and stores holdout metrics in grams', async () => {
    const name = 'transform-penguins';
    penguinMassPipeline(name, pipelinesDir, (spec) => {
      spec.targetTransform = 'log1p';
      // Trees, not ridge: a linear model on the log scale extrapolates exponentially, and the garbage
      // test of values far outside the training range rightly fails it (exp overflows to Infinity).
      spec.model = { name: `${name}-model`, trainer: 'gradient-boosting', params: { nEstimators: 100, learningRate: 0.1, maxDepth: 3, seed: 1 } };
    });
    const result = await runOn(name, 'transform-penguins-1');
    expect(result).toMatchObject({ version: 1, promoted: true });

    const version = (await pool.query('SELECT artifact, evaluated_artifact FROM model_versions WHERE id = $1', [result.versionId])).rows[0];
    const evaluated = (version.evaluated_artifact ?? version.artifact) as ModelArtifact;
    expect((version.artifact.plan as FeaturePlan).targetTransform).toBe('log1p');
    const evaluation = (await pool.query('SELECT metrics, baselines, holdout_start FROM evaluations WHERE version_id = $1', [result.versionId])).rows[0];

    // The holdout rebuilt from the package's rows, predicted by the stored fit, RMSE by hand in grams.
    const birds = loadPenguins() as Row[];
    const frame = frameOfRows(birds, PENGUIN_COLUMNS);
    const { test } = splitFrom(buildExamples(frame, evaluated.plan), evaluation.holdout_start, { frame, plan: evaluated.plan });
    const predicted = (await predictAnyWith(evaluated, test.x, new AbortController().signal)) as number[];
    const rmse = Math.sqrt(predicted.reduce((sum, p, i) => sum + (p - (test.y[i] as number)) ** 2, 0) / predicted.length);
    expect(evaluation.metrics.rmse).toBeCloseTo(rmse, 6);
    // Grams, as the mean baseline's: log-scale errors would be below 1.
    const mean = evaluation.baselines.scores.find((s: { name: string }) => s.name === 'mean').metrics.rmse as number;
    expect(evaluation.metrics.rmse).toBeGreaterThan(100);
    expect(evaluation.metrics.rmse).toBeLessThan(mean);
    console.info(`penguins log1p: rmse ${evaluation.metrics.rmse.toFixed(1)} g (by hand ${rmse.toFixed(1)}), mean baseline ${mean.toFixed(1)} g`);
  });

  it('ingests only the rows a source.where keeps, counts the others and makes another filter another snapshot', async () => {
    const rows = loadStocks();
    writeStocks(path.join(pipelinesDir, 'stocks.csv'), rows);
    const stocks = (name: string, symbols: string[]) =>
      pipelineFolderWith(name, (spec) => {
        spec.source = { kind: 'file', path: 'stocks.csv', format: 'csv', where: [{ column: 'date', from: '2003-01-01', to: '2007-12-31' }, { column: 'symbol', in: symbols }] };
        spec.columns = STOCK_COLUMNS;
        spec.timeColumn = 'date';
        spec.keyColumns = ['symbol', 'date'];
        spec.groupBy = ['symbol'];
        spec.target = 'price';
        spec.horizon = 1;
        spec.features = { targetLags: [1, 2] };
        spec.evaluation = { holdout: { fraction: 0.2 }, primaryMetric: 'rmse' };
        spec.promotion = { gates: {}, beatBaselines: false };
        spec.checks = { rowCount: { min: 50 } };
      }, pipelinesDir);
    stocks('filtered-stocks', ['AAPL', 'MSFT']);
    stocks('filtered-stocks-ibm', ['AAPL', 'MSFT', 'IBM']);
    const kept = (symbols: string[]) => rows.filter((r) => symbols.includes(r.symbol) && r.date >= '2003-01-01' && r.date <= '2007-12-31').length;

    await runOn('filtered-stocks', 'filtered-stocks-1');
    await runOn('filtered-stocks-ibm', 'filtered-stocks-ibm-1');
    const snapshotOf = async (pipeline: string) =>
      (await pool.query('SELECT id, digest, row_count, quarantined_count, filtered_count FROM snapshots WHERE pipeline = $1 ORDER BY id DESC LIMIT 1', [pipeline])).rows[0];
    const two = await snapshotOf('filtered-stocks');
    const three = await snapshotOf('filtered-stocks-ibm');
    expect(two).toMatchObject({ row_count: kept(['AAPL', 'MSFT']), quarantined_count: 0, filtered_count: rows.length - kept(['AAPL', 'MSFT']) });
    expect(three).toMatchObject({ row_count: kept(['AAPL', 'MSFT', 'IBM']), filtered_count: rows.length - kept(['AAPL', 'MSFT', 'IBM']) });
    expect(two.digest).not.toBe(three.digest);
    const stored = (await pool.query(`SELECT min(c2) AS first, max(c2) AS last, array_agg(DISTINCT c1 ORDER BY c1) AS symbols FROM snapshot_data.rows_${two.id}`)).rows[0];
    expect(stored.symbols).toEqual(['AAPL', 'MSFT']);
    expect(new Date(stored.first).toISOString() >= '2003-01-01').toBe(true);
    expect(new Date(stored.last).toISOString() < '2008-01-01').toBe(true);

    const printed = await cli('data', '--snapshot', String(two.id));
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`${two.filtered_count} more left out by source.where`);
    console.info(`stocks filtered: ${two.row_count} kept, ${two.filtered_count} left out of ${rows.length}`);
  });

  it('filters a postgres table and a postgres query the same way, counting what it leaves out', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS filter_source (symbol text, date date, price double precision)');
    await pool.query('TRUNCATE filter_source');
    // Twelve months of three symbols; one price missing (null meets no range).
    await pool.query(`INSERT INTO filter_source SELECT s, make_date(2020, m, 1), CASE WHEN s = 'B' AND m = 6 THEN NULL ELSE m * 10 END
                      FROM unnest(ARRAY['A', 'B', 'C']) s, generate_series(1, 12) m`);
    const where = [{ column: 'symbol', in: ['A', 'B'] }, { column: 'date', from: '2020-03-01', to: '2020-08-31' }, { column: 'price', from: 0 }];
    // A nullable price: its null is valid (not quarantined), and meets no range, so it is left out.
    const columns: ColumnSpecs = { ...STOCK_COLUMNS, price: { type: 'numeric', nullable: true } };
    const ingestFrom = (raw: Record<string, unknown>) => {
      const source = DataSource.parse({ ...raw, where });
      return ingest(pool, { pipeline: 'filter-source', columns, source, opened: openSource(source, columns, { specDir: pipelinesDir, pool }) });
    };
    // A and B over March–August: 12 rows, less B's null June price.
    const table = await ingestFrom({ kind: 'postgres', table: 'filter_source' });
    expect(table).toMatchObject({ rowCount: 11, quarantinedCount: 0, filteredCount: 36 - 11 });
    const query = await ingestFrom({ kind: 'postgres', query: 'SELECT symbol, date, price FROM filter_source ORDER BY symbol, date' });
    expect(query).toMatchObject({ rowCount: 11, filteredCount: 25 });
    // The same rows in the same order are the same snapshot, whichever kind of source read them.
    expect(query.id).toBe(table.id);
    await pool.query('DROP TABLE filter_source');
  });
});
