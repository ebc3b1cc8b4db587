import { mkdtempSync, readFileSync } from 'node:fs';
import os, { availableParallelism } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { threadPool } from '../../activities/threads/thread-pool';
import { predictWith } from '../../activities/training/predict';
import { DriftlineConfig } from '../../lib/config';
import { columnOf, type NumberColumn } from '../../lib/data/columns/column-table';
import { tableFromBytes } from '../../lib/data/columns/table-bytes';
import { getAliasedVersion, setAlias } from '../../lib/db/model-registry';
import type { Pool } from '../../lib/db/pool';
import { lookbackOf } from '../../lib/model/features';
import { requestFeatures, rowKeyOf } from '../../lib/serving/request-features';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import { applyScoringSchedule, scoringScheduleIdOf } from '../../scripts/support/schedules';
import { modelPipeline } from '../../workflows/pipeline';
import { retrainModel } from '../../workflows/retrain';
import { scoreBatch } from '../../workflows/score-batch';
import { failureMessage } from '../../scripts/support/workflow-failure';
import type { PoolTestJob } from '../fixtures/threads/pool-jobs';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';
import { loadVega, writeCsv } from '../support/vega-data';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'score-batch-test';
const NAME = 'score-employment';
const MODEL = `${NAME}-model`;
const STRICT = 'score-employment-strict';
/** Small chunks, so the shipped data set's 120 months cross chunk boundaries (history carried across each). */
const CHUNK_ROWS = 50;
const EMPLOYMENT = { kind: 'package-file', package: 'vega-datasets', path: 'data/us-employment.csv', format: 'csv' };

const pipelinesDir = pipelineFolderWith(NAME, (spec) => {
  spec.scoring = { source: EMPLOYMENT, chunkRows: CHUNK_ROWS, schedule: { every: '1d' } };
});
const scratch = mkdtempSync(path.join(os.tmpdir(), 'driftline-score-'));
/** A long series: the shipped months' changes, day after day from 1900 (the model reads only the row order). */
const LONG_FILE = path.join(scratch, 'long.csv');
const LONG_ROWS = 30_000;
pipelineFolderWith(STRICT, (spec) => {
  // An explicit maximum is enforced from the first run: scoring 30,000 rows ten at a time takes far longer than a millisecond.
  spec.scoring = { source: { kind: 'file', path: LONG_FILE, format: 'csv' }, chunkRows: 10, norm: { maxSeconds: 0.001 } };
}, pipelinesDir);

const GROWING = 'score-employment-growing';
/** Small chunks, so the long series' rows are reported as they are read. */
const GROWING_CHUNK_ROWS = 200;
pipelineFolderWith(GROWING, (spec) => {
  // A norm learned from three runs (seeded below), with no floor: it is the learned rate alone.
  spec.scoring = { source: { kind: 'file', path: LONG_FILE, format: 'csv' }, chunkRows: GROWING_CHUNK_ROWS, norm: { minRuns: 3, factor: 1, floorSeconds: 0 } };
}, pipelinesDir);

const LOADED = 'score-employment-loaded';
pipelineFolderWith(LOADED, (spec) => {
  // A norm learned from three runs (seeded below) of the same rows, with no floor and no head-room.
  spec.scoring = { source: EMPLOYMENT, chunkRows: CHUNK_ROWS, norm: { minRuns: 3, factor: 1, floorSeconds: 0 } };
}, pipelinesDir);

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

const months = () => loadVega('us-employment.csv', 'month', () => 'numeric');

async function batchPredictions(batchId: string): Promise<{ row_key: string; version: number; prediction: number; input_digest: string }[]> {
  const result = await pool.query('SELECT row_key, version, prediction, input_digest FROM predictions WHERE batch_id = $1 ORDER BY row_key', [batchId]);
  return result.rows;
}

const score = (workflowId: string, input: Record<string, unknown> = {}) =>
  env.client.workflow.execute(scoreBatch, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: NAME, requestedBy: 'test', ...input }] });

beforeAll(async () => {
  const { rows } = await months();
  writeCsv(LONG_FILE, ['month', 'nonfarm_change'], Array.from({ length: LONG_ROWS }, (_, i) => ({ month: new Date(Date.UTC(1900, 0, 1 + i)).toISOString().slice(0, 10), nonfarm_change: rows[i % rows.length]!.nonfarm_change as number })));
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
  for (const name of [NAME, STRICT, GROWING, LOADED]) {
    const trained = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: `${name}-train`, args: [{ pipeline: name, requestedBy: 'test' }] });
    expect(trained).toMatchObject({ version: 1, promoted: true });
  }
});

afterAll(async () => {
  await stack?.stop();
});

describe('scoreBatch on real Temporal and PostgreSQL', () => {
  let scheduledBatch = '';
  /** Months with the history their features read: the version's own count of predictions. */
  let monthsScored = 0;

  it('a scheduled run scores the shipped data set with the champion: each prediction is the version\'s own, whatever the chunk boundaries', async () => {
    const { spec } = await loadPipelineSpec(NAME, pipelinesDir);
    const config = DriftlineConfig.parse({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_TASK_QUEUE: TASK_QUEUE });
    expect(await applyScoringSchedule(env.client, config, spec)).toBe('created');
    const schedule = env.client.schedule.getHandle(scoringScheduleIdOf(NAME));
    await schedule.trigger();
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i += 1) {
      workflowId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(workflowId).toMatch(new RegExp(`^${NAME}-scoring-scheduled`));
    const result = await env.client.workflow.getHandle<typeof scoreBatch>(workflowId as string).result();
    await schedule.delete();
    scheduledBatch = result.batchId;

    // The version's own predictions: all 120 months' features built at once, predicted directly.
    const champion = await getAliasedVersion(pool, MODEL, 'champion');
    const { rows } = await months();
    const features = requestFeatures(rows, spec.columns, champion!.artifact.plan);
    const expected = await predictWith(champion!.artifact, features.x, new AbortController().signal);
    const byKey = new Map(features.inputRows.map((row, i) => [rowKeyOf(rows[row]!, ['month']) as string, expected[i] as number]));
    // 120 months, the first few without the history their lags and 6-month mean read.
    monthsScored = byKey.size;
    expect(monthsScored).toBe(rows.length - lookbackOf(champion!.artifact.plan));
    expect(rows.length).toBeGreaterThan(2 * CHUNK_ROWS);

    expect(result).toMatchObject({ outcome: 'succeeded', model: MODEL, version: 1, totals: { rowsRead: 120, rowsScored: monthsScored, rowsWritten: monthsScored, rowsQuarantined: 0, chunks: 3 } });
    const logged = await batchPredictions(result.batchId);
    expect(logged).toHaveLength(monthsScored);
    for (const row of logged) {
      expect(row.version).toBe(1);
      expect(row.prediction).toBe(byKey.get(row.row_key));
    }
    // Each chunk keeps the inputs the model read, row by row as its predictions, as serving drift compares them.
    const chunks = await pool.query('SELECT chunk, predictions, inputs FROM scored_chunks WHERE batch_id = $1 ORDER BY chunk', [result.batchId]);
    expect(chunks.rows.map((row) => row.chunk)).toEqual([0, 1, 2]);
    const inputs = chunks.rows.map((row) => tableFromBytes(row.inputs));
    for (const [i, table] of inputs.entries()) {
      expect(table.specs.map((spec) => spec.name).sort()).toEqual(['month', 'nonfarm_change']);
      expect(table.rowCount).toBe(chunks.rows[i].predictions);
    }
    const inputMonths = inputs.flatMap((table) => Array.from((columnOf(table, 'month') as NumberColumn).values, (ms) => new Date(ms).toISOString()));
    expect(inputMonths.sort()).toEqual(logged.map((row) => row.row_key).sort());
    const run = await pool.query('SELECT outcome, version, rows_read, rows_scored FROM scoring_runs WHERE batch_id = $1', [result.batchId]);
    expect(run.rows[0]).toMatchObject({ outcome: 'succeeded', version: 1, rows_read: '120', rows_scored: String(monthsScored) });
  });

  it('a re-run of the same batch writes nothing twice', async () => {
    const before = await batchPredictions(scheduledBatch);
    const again = await score('score-rerun', { batchId: scheduledBatch });
    // Every chunk is found written: read again (for the next one's history), not scored again.
    expect(again).toMatchObject({ outcome: 'succeeded', version: 1, totals: { chunks: 3, chunksSkipped: 3, rowsScored: 0, rowsWritten: 0 } });
    expect(await batchPredictions(scheduledBatch)).toEqual(before);
  });

  it('quarantines the rows that fail the model\'s input checks, with reasons, and scores the rest; writes the output file', async () => {
    const { rows } = await months();
    const file = path.join(scratch, 'months.csv');
    const broken = rows.map((row) => ({ month: (row.month as string).slice(0, 10), nonfarm_change: row.nonfarm_change as number | string | null }));
    broken[20]!.nonfarm_change = 'n/a';
    broken[40]!.nonfarm_change = null;
    broken[60]!.month = 'last spring';
    // Only the columns the model reads: the scoring source need not carry the others.
    writeCsv(file, ['month', 'nonfarm_change'], broken);
    const output = path.join(scratch, 'predictions.jsonl');
    const result = await score('score-bad-rows', { source: { kind: 'file', path: file, format: 'csv' }, output: { path: output } });
    expect(result.totals).toMatchObject({ rowsRead: 120, rowsQuarantined: 3 });

    const quarantined = await pool.query('SELECT record, line, reason FROM scoring_quarantine WHERE batch_id = $1 ORDER BY record', [result.batchId]);
    // Line 1 is the header: row i is record i + 1, on line i + 2.
    expect(quarantined.rows).toEqual([
      { record: 21, line: 22, reason: expect.stringMatching(/^column "nonfarm_change": "n\/a" is not a valid integer/) },
      { record: 41, line: 42, reason: 'column "nonfarm_change" is empty but not nullable' },
      { record: 61, line: 62, reason: expect.stringMatching(/^column "month": "last spring" is not a valid timestamp/) },
    ]);
    const logged = await batchPredictions(result.batchId);
    expect(logged).toHaveLength(result.totals!.rowsScored);
    const keys = new Set(logged.map((row) => row.row_key));
    for (const i of [20, 40, 60]) expect(keys.has(rowKeyOf(rows[i]!, ['month']) as string)).toBe(false);
    for (const row of logged) expect(Number.isFinite(row.prediction)).toBe(true);

    const lines = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { rowKey: string; prediction: number; version: number });
    expect(lines.map((line) => [line.rowKey, line.prediction]).sort()).toEqual(logged.map((row) => [row.row_key, row.prediction]).sort());
  });

  it('a promotion during a scoring run leaves every prediction of the batch with the version pinned at its start', async () => {
    const candidate = await env.client.workflow.execute(retrainModel, { taskQueue: TASK_QUEUE, workflowId: 'score-candidate', args: [{ pipeline: NAME, requestedBy: 'test', params: { alpha: 1000 } }] });
    expect(candidate.candidate?.version).toBe(2);
    // The long series, so the run is still going when the champion moves.
    const handle = await env.client.workflow.start(scoreBatch, { taskQueue: TASK_QUEUE, workflowId: 'score-during-promotion', args: [{ pipeline: NAME, source: { kind: 'file', path: LONG_FILE, format: 'csv' } }] });
    // Promote once the run has pinned its version and written its first chunk.
    for (let i = 0; i < 600; i += 1) {
      const written = await pool.query('SELECT count(*) FROM predictions WHERE batch_id = $1', [handle.workflowId]);
      if (Number(written.rows[0].count) > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const moved = await setAlias(pool, 'champion', candidate.candidate!.versionId, { actor: 'test', action: 'promote', modelName: MODEL, versionId: candidate.candidate!.versionId, reason: 'promoted during a scoring run', details: {} });
    expect(moved.changed).toBe(true);
    const result = await handle.result();
    const run = await pool.query(
      `SELECT r.finished_at > a.updated_at AS promoted_before_end FROM scoring_runs r, model_aliases a
        WHERE r.batch_id = $1 AND a.model_name = $2 AND a.alias = 'champion'`,
      [handle.workflowId, MODEL],
    );
    expect(run.rows[0].promoted_before_end).toBe(true);
    const scored = LONG_ROWS - (120 - monthsScored);
    expect(result).toMatchObject({ outcome: 'succeeded', version: 1, totals: { rowsScored: scored } });
    const versions = await pool.query('SELECT version, count(*)::int AS rows FROM predictions WHERE batch_id = $1 GROUP BY version', [handle.workflowId]);
    expect(versions.rows).toEqual([{ version: 1, rows: scored }]);
    // The next run scores with the new champion.
    const next = await score('score-after-promotion', { source: { kind: 'package-file', package: 'vega-datasets', path: 'data/us-employment.csv' } });
    expect(next).toMatchObject({ version: 2, totals: { rowsScored: monthsScored } });
  });

  it('a scoring run over its norm is cancelled, recorded, and the team notified', async () => {
    const result = await env.client.workflow.execute(scoreBatch, { taskQueue: TASK_QUEUE, workflowId: 'score-over-norm', args: [{ pipeline: STRICT }] });
    expect(result).toMatchObject({ outcome: 'cancelled_over_norm', version: 1, normMs: 1 });
    const run = await pool.query('SELECT outcome FROM scoring_runs WHERE batch_id = $1', ['score-over-norm']);
    expect(run.rows[0]).toEqual({ outcome: 'cancelled_over_norm' });
    const notes = await pool.query("SELECT kind, title FROM notifications WHERE pipeline = $1 AND dedupe_key = 'scoring_cancelled_over_norm:score-over-norm'", [STRICT]);
    expect(notes.rows).toEqual([{ kind: 'cancelled_over_norm', title: `Batch scoring with ${STRICT}-model v1 cancelled: over its runtime norm` }]);
  });

  it('a batch larger than any before is held to a norm that grows with the rows it has read, not to the time of a smaller run', async () => {
    // Three earlier runs read 1,000 rows in 0.5 s each: the norm learned is 0.5 s per 1,000 rows.
    const learned = { rows: 1_000, ms: 500 };
    await pool.query(
      `INSERT INTO scoring_runs (batch_id, pipeline, model, version, alias, workflow_id, outcome, rows_read, rows_scored, rows_quarantined, duration_ms, finished_at)
       SELECT 'growing-history-' || i, $1, $2, 1, 'champion', 'growing-history-' || i, 'succeeded', $3, $3, 0, $4, now() FROM generate_series(1, 3) AS i`,
      [GROWING, `${GROWING}-model`, learned.rows, learned.ms],
    );
    const result = await env.client.workflow.execute(scoreBatch, { taskQueue: TASK_QUEUE, workflowId: 'score-growing', args: [{ pipeline: GROWING }] });
    expect(result).toMatchObject({ outcome: 'succeeded', totals: { rowsRead: LONG_ROWS } });
    // It ran longer than a norm fixed at the 1,000-row runs' 0.5 s would have let it …
    expect(result.elapsedMs).toBeGreaterThan(learned.ms);
    // … because its norm followed the rows it reported: many times that, and at most the rate for all its rows.
    expect(result.normMs).toBeGreaterThan(learned.ms * 10);
    expect(result.normMs).toBeLessThanOrEqual((learned.ms * LONG_ROWS) / learned.rows);
  });

  it("a batch sharing its worker's cores with other compute is held to a norm grown for that load, and learned from as its quiet equivalent", async () => {
    // Three earlier quiet runs scored the same months in 20 s each: the norm learned is 20 s.
    const learnedMs = 20_000;
    const { rows } = await months();
    await pool.query(
      `INSERT INTO scoring_runs (batch_id, pipeline, model, version, alias, workflow_id, outcome, rows_read, rows_scored, rows_quarantined, duration_ms, finished_at)
       SELECT 'loaded-history-' || i, $1, $2, 1, 'champion', 'loaded-history-' || i, 'succeeded', $3, $3, 0, $4, now() FROM generate_series(1, 3) AS i`,
      [LOADED, `${LOADED}-model`, rows.length, learnedMs],
    );
    // Other compute keeps every core of this worker busy while the batch scores: as many spinning
    // pooled jobs as cores, beside the scoring's own thread.
    const cores = availableParallelism();
    const defaultSize = threadPool.size;
    threadPool.size = cores + 1;
    const stop = new AbortController();
    const spinning = Array.from({ length: cores }, () =>
      threadPool.run({ entry: new URL('../fixtures/threads/pool-jobs.ts', import.meta.url), data: { kind: 'spin' } satisfies PoolTestJob }, { signal: stop.signal }).catch(() => 'stopped'),
    );
    try {
      const result = await env.client.workflow.execute(scoreBatch, { taskQueue: TASK_QUEUE, workflowId: 'score-loaded', args: [{ pipeline: LOADED }] });
      const load = (cores + 1) / cores;
      expect(result).toMatchObject({ outcome: 'succeeded', totals: { rowsRead: rows.length } });
      // Held to the learned 20 s × the compute jobs per core it shared the worker with …
      expect(result.normMs).toBe(Math.round(learnedMs * load));
      // … and recorded with that load, so the next norm learns its quiet equivalent.
      const recorded = await pool.query('SELECT contention FROM scoring_runs WHERE batch_id = $1', ['score-loaded']);
      expect(recorded.rows[0].contention).toBeGreaterThan(1);
      expect(recorded.rows[0].contention).toBeLessThanOrEqual(load + 1e-6);
    } finally {
      stop.abort();
      await Promise.all(spinning);
      threadPool.size = defaultSize;
    }
  });

  it('driftline score starts a run, follows it and prints what it scored; a failed run prints its cause', async () => {
    const environment = { DATABASE_URL: inject('databaseUrl'), DRIFTLINE_PIPELINES_DIR: pipelinesDir, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE };
    const { rows } = await months();
    const source = path.join(scratch, 'all-months.csv');
    writeCsv(source, ['month', 'nonfarm_change'], rows.map((row) => ({ month: (row.month as string).slice(0, 10), nonfarm_change: row.nonfarm_change as number })));
    const output = path.join(scratch, 'cli-predictions.csv');
    const result = await runDriftline(environment, 'score', '--pipeline', NAME, '--source', source, '--output', output, '--batch', 'cli-batch', '--wait', '--json');
    expect(result.code, result.stderr).toBe(0);
    // The champion is version 2 since the promotion above.
    expect(JSON.parse(result.stdout)).toMatchObject({ workflowId: 'cli-batch', batchId: 'cli-batch', outcome: 'succeeded', version: 2, totals: { rowsScored: monthsScored } });
    const [header, ...lines] = readFileSync(output, 'utf8').trim().split('\n');
    expect(header).toBe('row_key,at,model,version,prediction,input_digest');
    expect(lines).toHaveLength(monthsScored);

    const failed = await runDriftline(environment, 'score', '--pipeline', NAME, '--source', path.join(scratch, 'missing.csv'), '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/failed: .*Data file not found: .*missing\.csv/);
  });

  it('refuses bad input at once, naming the field', async () => {
    const failure = (run: Promise<unknown>) => run.then(() => 'succeeded', failureMessage);
    expect(await failure(score('score-bad-alias', { alias: 'Champion!' }))).toMatch(/^Invalid scoreBatch input: alias: an alias name/);
    expect(await failure(score('score-bad-source', { source: { kind: 'file' } }))).toMatch(/^Invalid scoreBatch input source: path/);
    expect(await failure(score('score-other-batch', { batchId: 'score-over-norm' }))).toMatch(/^batchId: batch "score-over-norm" was scored by model score-employment-strict-model/);
  });
});
