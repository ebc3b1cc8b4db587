import { inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPool, type Pool } from '../../lib/db/pool';
import { createDriftlineWorker } from '../../workers/create-worker';
import { startTemporal, workflowBundle } from './temporal-env';

/** What an integration test file runs its pipelines on. */
export interface PipelineWorld {
  env: TestWorkflowEnvironment;
  pool: Pool;
  /** Shuts the worker down, then closes the pool and the server. */
  stop(): Promise<void>;
}

/**
 * A real Temporal dev server, a pool on the run's test database, and a Driftline worker polling
 * `taskQueue` with the specs in `pipelinesDir`: the setup every pipeline test file starts with.
 */
export async function startPipelineWorld(taskQueue: string, pipelinesDir: string): Promise<PipelineWorld> {
  const env = await startTemporal();
  const pool = createPool(inject('databaseUrl'));
  const worker = await createDriftlineWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue },
    deps: { pool, pipelinesDir, codeVersion: 'test-commit' },
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  return {
    env,
    pool,
    stop: async () => {
      worker.shutdown();
      await running;
      await pool.end();
      await env.teardown();
    },
  };
}
