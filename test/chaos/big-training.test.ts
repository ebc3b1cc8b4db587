import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { makeIngest, type IngestResult } from '../../activities/ingest';
import type { Pool } from '../../lib/db/pool';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import { retrainModel } from '../../workflows/retrain';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

/**
 * HEAVY (about two minutes on a 2-core machine): issue 13, item 3. Three concurrent retrains of a
 * 1,000,000-row snapshot on one worker, under the training activity's 10 s heartbeat timeout.
 * Before heartbeats started ahead of loading, 400,000 rows were enough to time every attempt out.
 */
const ROWS = 1_000_000;
const TASK_QUEUE = 'big-training-test';
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-big-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

/** mulberry32: the same million rows on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Five columns: a minute-by-minute time, three numeric drivers and a noisy linear target. */
async function writeBigCsv(file: string): Promise<void> {
  const random = seeded(13);
  const out = createWriteStream(file);
  out.write('at,a,b,c,y\n');
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < ROWS; i++) {
    const a = random() * 10;
    const b = random() * 5;
    const c = random() * 2;
    const y = 3 * a - 2 * b + c + random();
    const line = `${new Date(start + i * 60_000).toISOString()},${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${y.toFixed(4)}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function writeSpec(): void {
  const spec = {
    name: 'big',
    source: { kind: 'file', path: 'big.csv', format: 'csv' },
    columns: { at: { type: 'timestamp' }, a: { type: 'numeric' }, b: { type: 'numeric' }, c: { type: 'numeric' }, y: { type: 'numeric' } },
    timeColumn: 'at',
    target: 'y',
    features: { columns: ['a', 'b', 'c'] },
    model: { name: 'big-model', trainer: 'ridge', params: { alpha: 1 } },
    evaluation: { holdout: { fraction: 0.2 }, primaryMetric: 'rmse' },
    promotion: { gates: {}, beatBaselines: false },
  };
  writeFileSync(path.join(pipelinesDir, 'big.json'), JSON.stringify(spec, null, 2));
}

beforeAll(async () => {
  await writeBigCsv(path.join(pipelinesDir, 'big.csv'));
  writeSpec();
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

describe('training a 1,000,000-row snapshot', () => {
  it('three concurrent retrains all succeed on their first attempt, each registering one version', async () => {
    const { spec, dir } = await loadPipelineSpec('big', pipelinesDir);
    const ingest = makeIngest({ pool, codeVersion: 'test', pipelinesDir });
    const snapshot = (await new MockActivityEnvironment().run(ingest, { spec, specDir: dir })) as IngestResult;
    expect(snapshot.rowCount).toBe(ROWS);

    const started = Date.now();
    const runs = await Promise.all(
      [1, 2, 3].map((i) =>
        env.client.workflow.start(retrainModel, { taskQueue: TASK_QUEUE, workflowId: `big-retrain-${i}`, args: [{ pipeline: 'big', snapshotId: snapshot.snapshotId }] }),
      ),
    );
    const results = await Promise.all(runs.map((r) => r.result()));
    console.log(`3 concurrent trainings of ${ROWS} rows: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    for (const result of results) expect(result.outcome).toBe('succeeded');
    // No attempt lost its heartbeat: each training activity ran exactly once.
    for (const run of runs) {
      const history = await run.fetchHistory();
      const timeouts = history.events?.filter((e) => e.activityTaskTimedOutEventAttributes) ?? [];
      const starts = history.events?.filter((e) => e.activityTaskStartedEventAttributes?.attempt && e.activityTaskStartedEventAttributes.attempt > 1) ?? [];
      expect(timeouts).toHaveLength(0);
      expect(starts).toHaveLength(0);
    }
    const versions = await pool.query("SELECT run_key FROM model_versions WHERE model_name = 'big-model'");
    expect(versions.rows).toHaveLength(3);
    const trainingRuns = await pool.query("SELECT outcome, attempt, rows FROM training_runs WHERE model_name = 'big-model'");
    expect(trainingRuns.rows).toHaveLength(3);
    for (const row of trainingRuns.rows) expect(row).toMatchObject({ outcome: 'succeeded', attempt: 1, rows: expect.any(Number) });
  });
});
