import type { ActivityDeps } from '../activities';
import type { DriftlineConfig } from '../lib/config';
import type { Pool } from '../lib/db/pool';
import { detectCodeVersion } from './code-version';

/** The activities' dependencies, as a worker process builds them from its configuration. */
export function activityDepsFrom(config: DriftlineConfig, pool: Pool): ActivityDeps {
  return {
    pool,
    pipelinesDir: config.DRIFTLINE_PIPELINES_DIR,
    codeVersion: detectCodeVersion(),
    webhookUrl: config.DRIFTLINE_WEBHOOK_URL,
    dashboardUrl: config.DRIFTLINE_DASHBOARD_URL,
    trainingTaskQueue: config.DRIFTLINE_TRAINING_TASK_QUEUE,
  };
}
