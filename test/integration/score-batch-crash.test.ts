import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { getAliasedVersion } from '../../lib/db/model-registry';
import { createPool, type Pool } from '../../lib/db/pool';
import { lookbackOf } from '../../lib/model/features';
import { modelPipeline } from '../../workflows/pipeline';
import { scoreBatch } from '../../workflows/score-batch';
import { pipelineFolderWith } from '../support/pipelines';
import { startTemporal } from '../support/temporal-env';
import { loadVega, writeCsv } from '../support/vega-data';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const TASK_QUEUE = 'score-crash-test';
const PIPELINE = 'score-crash';
const ROWS = 60_000;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'driftline-score-crash-'));
const SOURCE = path.join(scratch, 'days.csv');

let env: TestWorkflowEnvironment;
let pool: Pool;
const workers: WorkerProcess[] = [];
const pipelinesDir = pipelineFolderWith(PIPELINE, (spec) => {
  spec.scoring = { source: { kind: 'file', path: SOURCE, format: 'csv' }, chunkRows: 500 };
});

async function startWorker(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: pipelinesDir });
  workers.push(worker);
  return worker;
}

const written = async (batchId: string) => Number((await pool.query('SELECT count(*) FROM predictions WHERE batch_id = $1', [batchId])).rows[0].count);

beforeAll(async () => {
  // The shipped months' changes, day after day: a long series the model scores with its lags.
  const { rows } = await loadVega('us-employment.csv', 'month', () => 'numeric');
  writeCsv(SOURCE, ['month', 'nonfarm_change'], Array.from({ length: ROWS }, (_, i) => ({ month: new Date(Date.UTC(1850, 0, 1 + i)).toISOString().slice(0, 10), nonfarm_change: rows[i % rows.length]!.nonfarm_change as number })));
  env = await startTemporal();
  pool = createPool(inject('databaseUrl'));
});

afterAll(async () => {
  for (const worker of workers) if (worker.alive()) worker.child.kill('SIGKILL');
  await pool?.end();
  await env?.teardown();
});

describe('a worker killed mid-batch', () => {
  it('hands the batch to a restarted worker, and every row is scored exactly once', async () => {
    const first = await startWorker();
    const trained = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'score-crash-train', args: [{ pipeline: PIPELINE, requestedBy: 'test' }] });
    expect(trained).toMatchObject({ version: 1, promoted: true });

    const handle = await env.client.workflow.start(scoreBatch, { taskQueue: TASK_QUEUE, workflowId: 'score-crash-batch', args: [{ pipeline: PIPELINE }] });
    while ((await written(handle.workflowId)) === 0) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await written(handle.workflowId);

    await startWorker();
    const result = await handle.result();

    const champion = await getAliasedVersion(pool, `${PIPELINE}-model`, 'champion');
    const expected = ROWS - lookbackOf(champion!.artifact.plan);
    // Killed mid-batch: some chunks were written, not all.
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(expected);
    // The second attempt skips the chunks the first one wrote and scores only the rest.
    expect(result).toMatchObject({ outcome: 'succeeded', version: 1, totals: { rowsRead: ROWS, rowsScored: expected - atKill, rowsWritten: expected - atKill, rowsKeyAlreadyLogged: 0 } });
    expect(result.totals?.chunksSkipped).toBeGreaterThan(0);
    const counts = await pool.query('SELECT count(*)::int AS rows, count(DISTINCT row_key)::int AS keys, count(DISTINCT version)::int AS versions FROM predictions WHERE batch_id = $1', [handle.workflowId]);
    expect(counts.rows[0]).toEqual({ rows: expected, keys: expected, versions: 1 });
    const history = await handle.fetchHistory();
    const attempts = history.events?.filter((e) => e.activityTaskStartedEventAttributes).map((e) => Number(e.activityTaskStartedEventAttributes?.attempt));
    // The scoring activity needed a second attempt; nothing else did.
    expect(Math.max(...(attempts ?? []))).toBe(2);
  });
});
