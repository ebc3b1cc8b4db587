import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { WORKER_LIMITS, type DriftlineConfig } from '../lib/config';
import { pipelineLogAttributes } from './log-attributes';
import { PRELOADED_WORKFLOW_MODULES, WORKFLOWS_PATH } from './workflow-bundle';

export { WORKFLOWS_PATH };

export interface DriftlineWorkerOptions {
  connection: NativeConnection;
  config: Pick<DriftlineConfig, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'> &
    Partial<Pick<DriftlineConfig, 'DRIFTLINE_MAX_CONCURRENT_ACTIVITIES' | 'DRIFTLINE_MAX_CONCURRENT_WORKFLOW_TASKS' | 'DRIFTLINE_MAX_CACHED_WORKFLOWS'>>;
  deps: ActivityDeps;
  /** The prebuilt bundle (workers/workflow-bundle.ts); without it the workflows are bundled from source here, which costs seconds and memory. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Worker settings to change, e.g. the heartbeat throttle the benchmark compares against. */
  overrides?: Partial<WorkerOptions>;
  /**
   * `main` (default): the workflows and every activity on TEMPORAL_TASK_QUEUE. `training`: only
   * activities, on the separate training queue (deps.trainingTaskQueue), for CPU-heavy machines.
   */
  role?: 'main' | 'training';
}

/** One worker on one task queue: Driftline's workflows and activities, or the training activities alone. */
export function createDriftlineWorker(options: DriftlineWorkerOptions): Promise<Worker> {
  const training = options.role === 'training';
  if (training && !options.deps.trainingTaskQueue) throw new Error('a training worker needs DRIFTLINE_TRAINING_TASK_QUEUE');
  const workflows = training
    ? {}
    : options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: PRELOADED_WORKFLOW_MODULES } };
  return Worker.create({
    connection: options.connection,
    namespace: options.config.TEMPORAL_NAMESPACE,
    taskQueue: training ? (options.deps.trainingTaskQueue as string) : options.config.TEMPORAL_TASK_QUEUE,
    activities: createActivities(options.deps),
    interceptors: { activity: [pipelineLogAttributes] },
    ...workflows,
    // Bounded, so a burst of runs waits in Temporal's queue instead of in this process's memory.
    maxConcurrentActivityTaskExecutions: options.config.DRIFTLINE_MAX_CONCURRENT_ACTIVITIES ?? WORKER_LIMITS.activities,
    ...(training
      ? {}
      : {
          maxConcurrentWorkflowTaskExecutions: options.config.DRIFTLINE_MAX_CONCURRENT_WORKFLOW_TASKS ?? WORKER_LIMITS.workflowTasks,
          maxCachedWorkflows: options.config.DRIFTLINE_MAX_CACHED_WORKFLOWS ?? WORKER_LIMITS.cachedWorkflows,
        }),
    // Gives in-flight activities time to finish before a shutdown hands them back to Temporal.
    shutdownGraceTime: '10 seconds',
    // Training heartbeats reach the server at least once a second, and with them a cancellation
    // reaches the training activity within about a second of the norm running out.
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
    ...options.overrides,
  });
}
