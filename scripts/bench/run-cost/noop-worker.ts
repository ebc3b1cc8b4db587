import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../../lib/config';
import { temporalConnectionSettings } from '../../../lib/temporal-connection';
import * as activities from './noop-activities';

// The run-cost benchmark's no-op worker: the pipeline's shape with no-op steps, under the same
// concurrency limits and heartbeat settings as `driftline worker`, until SIGTERM.
const config = loadConfig();
const connection = await NativeConnection.connect(temporalConnectionSettings(config));
try {
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('./noop-workflow.ts', import.meta.url)),
    activities,
    maxConcurrentActivityTaskExecutions: config.DRIFTLINE_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.DRIFTLINE_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.DRIFTLINE_MAX_CACHED_WORKFLOWS,
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
  });
  await worker.run();
} finally {
  await connection.close();
}
