import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPool, type Pool } from '../../lib/db/pool';
import { retrainStatusQuery } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import { pipelineFolderWith } from '../support/pipelines';
import { startTemporal } from '../support/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/**
 * Issue 13, item 3 (fencing): a worker frozen mid-training (SIGSTOP: a long GC pause, a stalled VM)
 * loses its heartbeat, and Temporal gives the training to another worker. When the frozen one wakes,
 * its attempt (whose trainer has by then run out its time) must stop and register nothing: the
 * version and the training record are the newer attempt's.
 */
const TASK_QUEUE = 'zombie-attempt-test';
const PIPELINE = 'zombie';
const SLOW_TRAINER = fileURLToPath(new URL('../fixtures/trainers/slow-trainer.ts', import.meta.url));

let env: TestWorkflowEnvironment;
let pool: Pool;
let pipelinesDir: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await startTemporal();
  pool = createPool(inject('databaseUrl'));
  pipelinesDir = pipelineFolderWith(PIPELINE, (spec) => {
    spec.model = { name: `${PIPELINE}-model`, trainer: { module: SLOW_TRAINER }, params: { spinMs: 6_000 } };
    spec.promotion = { gates: {}, beatBaselines: false };
  });
});

afterAll(async () => {
  for (const worker of workers) {
    if (!worker.alive()) continue;
    worker.child.kill('SIGCONT');
    worker.child.kill('SIGKILL');
  }
  await pool?.end();
  await env?.teardown();
});

async function startWorker(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess({
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    DRIFTLINE_PIPELINES_DIR: pipelinesDir,
  });
  workers.push(worker);
  return worker;
}

/** Polls `probe` until it answers, for at most two minutes. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}; workers said:\n${workers.map((w) => w.output().slice(-3_000)).join('\n---\n')}`);
}

describe('an attempt that lost its heartbeat', () => {
  it('wakes to find itself superseded and registers nothing: the newer attempt trains the one version', async () => {
    const frozen = await startWorker();
    const handle = await env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'zombie-run', args: [{ pipeline: PIPELINE, requestedBy: 'test' }] });
    const training = env.client.workflow.getHandle('zombie-run/retrain');
    await until('the trainer to spin', async () => {
      const status = await training.query(retrainStatusQuery).catch(() => undefined);
      return status?.progress?.message === 'spinning' ? true : undefined;
    });
    frozen.child.kill('SIGSTOP');

    // The heartbeat times out (10 s) and a later attempt starts on a live worker (retries may first
    // go to the frozen worker's pending polls and time out too: only a running process claims one).
    await startWorker();
    const newest = await until('a later attempt to start', async () => {
      const claimed = await pool.query<{ attempt: number }>("SELECT attempt FROM training_attempts WHERE run_key LIKE 'zombie-run/retrain/%'");
      const attempt = claimed.rows[0]?.attempt;
      return attempt !== undefined && attempt > 1 ? attempt : undefined;
    });
    // Attempt 1 wakes with its trainer's time already spent, while attempt 2 still spins.
    frozen.child.kill('SIGCONT');

    const result = await handle.result();
    expect(result).toMatchObject({ trainingOutcome: 'succeeded', version: 1 });
    const versions = await pool.query('SELECT version FROM model_versions WHERE model_name = $1', [`${PIPELINE}-model`]);
    expect(versions.rows).toEqual([{ version: 1 }]);
    // Had the woken attempt registered, the run's record would be its own (attempt 1): it came first.
    const runs = await pool.query('SELECT outcome, attempt FROM training_runs WHERE model_name = $1', [`${PIPELINE}-model`]);
    expect(runs.rows).toEqual([{ outcome: 'succeeded', attempt: newest }]);
    expect(frozen.alive()).toBe(true);
  });
});
