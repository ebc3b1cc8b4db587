import { inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { createPool, type Pool } from '../../lib/db/pool';
import { createDriftlineWorker } from '../../workers/create-worker';
import { startTemporal, workflowBundle } from './temporal-env';

export interface WorkerStack {
  env: TestWorkflowEnvironment;
  pool: Pool;
  worker: Worker;
  stop: () => Promise<void>;
}

/**
 * What most integration test files run against: a real Temporal dev server, a pool on the run's
 * test database, and one Driftline worker polling `taskQueue` in this process.
 */
export async function startWorkerStack(options: { taskQueue: string } & Omit<ActivityDeps, 'pool' | 'codeVersion'>): Promise<WorkerStack> {
  const { taskQueue, ...deps } = options;
  const env = await startTemporal();
  const pool = createPool(inject('databaseUrl'));
  const worker = await createDriftlineWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue },
    deps: { pool, codeVersion: 'test-commit', ...deps },
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  return {
    env,
    pool,
    worker,
    stop: async () => {
      worker.shutdown();
      await running;
      await pool.end();
      await env.teardown();
    },
  };
}
