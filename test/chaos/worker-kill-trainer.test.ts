import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { modelPipeline } from '../../workflows/pipeline';
import { pipelineFolderWith } from '../support/pipelines';
import { isAlive } from '../support/processes';
import { startTemporal } from '../support/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/**
 * Issue 13, item 7: a worker `kill -9`ed while a command trainer runs leaves no orphan process
 * (the trainer and the child it started die within seconds, not 14 minutes later), and its work
 * folder, which holds train.csv, is gone once the next worker has started.
 */
const TASK_QUEUE = 'worker-kill-trainer-test';
const PIPELINE = 'kill-trainer';
const MEAN_TRAINER = fileURLToPath(new URL('../fixtures/trainers/mean_trainer.py', import.meta.url));

let env: TestWorkflowEnvironment;
let pipelinesDir: string;
/** The workers' TMPDIR: their trainers' work folders are created under it. */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftline-kill-tmp-'));
const workRoot = path.join(tmp, 'driftline-trainers');
const pidFile = path.join(tmp, 'trainer.pids');
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await startTemporal();
  pipelinesDir = pipelineFolderWith(PIPELINE, (spec) => {
    spec.model = { name: `${PIPELINE}-model`, trainer: { command: ['python3', MEAN_TRAINER], env: ['MEAN_TRAINER_HANG', 'MEAN_TRAINER_PIDFILE'] } };
    spec.promotion = { gates: {}, beatBaselines: false };
  });
});

afterAll(async () => {
  for (const worker of workers) if (worker.alive()) worker.child.kill('SIGKILL');
  await env?.teardown();
});

async function startWorker(environment: Record<string, string> = {}): Promise<WorkerProcess> {
  const worker = await startWorkerProcess({
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    DRIFTLINE_PIPELINES_DIR: pipelinesDir,
    TMPDIR: tmp,
    ...environment,
  });
  workers.push(worker);
  return worker;
}

describe('a worker killed while a command trainer runs', () => {
  it('takes the trainer and its children with it, and the next worker removes the work folder', async () => {
    // The first worker's trainer hangs (and starts a child): it is mid-training when the worker dies.
    const first = await startWorker({ MEAN_TRAINER_HANG: '1', MEAN_TRAINER_PIDFILE: pidFile });
    const run = env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'kill-trainer-run', args: [{ pipeline: PIPELINE, requestedBy: 'test' }] });
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim().split(' ').length < 2) await pause(100);
    const pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
    expect(folders(`${first.child.pid}-`)).toHaveLength(1);

    first.child.kill('SIGKILL');
    await first.exited;
    // The trainer's watchdog checks every second; give it a few.
    for (let i = 0; i < 50 && pids.some(isAlive); i += 1) await pause(100);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(folders(`${first.child.pid}-`)).toHaveLength(1);

    // The next worker reaps the dead one's folder at start, then trains the retried attempt.
    await startWorker();
    expect(folders(`${first.child.pid}-`)).toEqual([]);
    const result = await run;
    expect(result.trainingOutcome).toBe('succeeded');
    expect(folders('')).toEqual([]);
  });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function folders(prefix: string): string[] {
  return existsSync(workRoot) ? readdirSync(workRoot).filter((name) => name.startsWith(prefix)) : [];
}
