import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { DriftlineConfig } from '../lib/config';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface DriftlineWorkerOptions {
  connection: NativeConnection;
  config: Pick<DriftlineConfig, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'>;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build it once); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Worker settings to change, e.g. the heartbeat throttle the benchmark compares against. */
  overrides?: Partial<WorkerOptions>;
}

/** One worker that runs Driftline's workflows and activities on the configured task queue. */
export function createDriftlineWorker(options: DriftlineWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.config.TEMPORAL_NAMESPACE,
    taskQueue: options.config.TEMPORAL_TASK_QUEUE,
    activities: createActivities(options.deps),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    // Gives in-flight activities time to finish before a shutdown hands them back to Temporal.
    shutdownGraceTime: '10 seconds',
    // Training heartbeats reach the server at least once a second, and with them a cancellation
    // reaches the training activity within about a second of the norm running out.
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
    ...options.overrides,
  });
}
