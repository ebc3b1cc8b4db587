import { Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { threadPool } from '../activities/threads/thread-pool';
import { reapAbandonedWorkDirs } from '../activities/training/command-trainer';
import { ConfigError, redactUrl, type DriftlineConfig } from '../lib/config';
import { createPool } from '../lib/db/pool';
import { temporalConnectionSettings } from '../lib/temporal-connection';
import { activityDepsFrom } from './activity-deps';
import { createDriftlineWorker } from './create-worker';
import { watchNotificationBacklog } from './notification-backlog';
import { ensureNotificationDelivery } from './notification-delivery';
import { ensureSearchAttributes } from './search-attributes';
import { installTelemetry } from './telemetry';
import { prebuiltWorkflowBundle } from './workflow-bundle';

/** `main`: workflows and I/O activities; `training`: CPU-heavy training on its own queue. */
export type WorkerQueue = 'main' | 'training';

/** `prebuilt` (default): the workflows from .driftline/build, built first if stale; `source`: bundled with webpack at start (what the start benchmark compares against). */
export type WorkflowSource = 'prebuilt' | 'source';

/**
 * Runs the worker process until SIGINT/SIGTERM (the SDK installs those handlers): polling stops
 * and in-flight activities get the grace time before they are handed back to Temporal.
 */
export async function runWorker(config: DriftlineConfig, queues: WorkerQueue[] = ['main', 'training'], workflows: WorkflowSource = 'prebuilt'): Promise<void> {
  const log = installTelemetry(config);
  threadPool.size = config.DRIFTLINE_THREADS;
  const trainingQueue = config.DRIFTLINE_TRAINING_TASK_QUEUE;
  if (!trainingQueue && !queues.includes('main')) {
    throw new ConfigError('Invalid configuration: --queues training needs DRIFTLINE_TRAINING_TASK_QUEUE (training shares the main queue otherwise)');
  }
  if (queues.includes('main')) await registerSearchAttributes(config, (line) => log.info(line));
  const workflowBundle = queues.includes('main') && workflows === 'prebuilt' ? await prebuiltWorkflowBundle((line) => log.info(line)) : undefined;
  // A worker killed mid-training left its trainer's work folder (train.csv: the pipeline's data).
  const reaped = await reapAbandonedWorkDirs();
  if (reaped > 0) log.info({ folders: reaped }, 'removed work folders of trainers whose worker died');
  const pool = createPool(config.DATABASE_URL);
  const connection = await NativeConnection.connect(temporalConnectionSettings(config));
  const stopBacklog = watchNotificationBacklog(pool);
  try {
    const deps = activityDepsFrom(config, pool);
    const roles = queues.filter((queue) => queue === 'main' || trainingQueue);
    const workers: Worker[] = await Promise.all(roles.map((role) => createDriftlineWorker({ connection, config, deps, role, workflowBundle })));
    if (queues.includes('main')) await ensureNotificationDelivery(config);
    log.info(
      {
        queues: workers.map((w) => w.options.taskQueue),
        address: config.TEMPORAL_ADDRESS,
        namespace: config.TEMPORAL_NAMESPACE,
        database: redactUrl(config.DATABASE_URL),
        metrics: config.DRIFTLINE_METRICS_ADDRESS,
      },
      'driftline worker started',
    );
    await Promise.all(workers.map((w) => w.run()));
    log.info('driftline worker stopped');
  } finally {
    stopBacklog();
    await connection.close();
    await pool.end();
  }
}

/** Workflows tag their runs with search attributes; a namespace without them would fail those runs. */
export async function registerSearchAttributes(config: DriftlineConfig, say: (line: string) => void): Promise<void> {
  const connection = await Connection.connect(temporalConnectionSettings(config));
  try {
    const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    if (added.length > 0) say(`registered search attributes ${added.join(', ')}`);
  } finally {
    await connection.close();
  }
}
