import type { Pool } from '../lib/db/pool';

/** What every activity is built around; tests pass their own pool and folders. */
export interface ActivityDeps {
  pool: Pool;
  /** Where pipeline specs are looked up; undefined means the built-in ones. */
  pipelinesDir?: string;
  /** The git commit (or "unknown") of the code that trains models, recorded with every version. */
  codeVersion: string;
  /** Where alerts go besides the log; a secret, never logged. */
  webhookUrl?: string;
  /** The dashboard's public address: alerts link to the report they announce (DRIFTLINE_DASHBOARD_URL). */
  dashboardUrl?: string;
  /** The queue training runs on when it is split from the rest (DRIFTLINE_TRAINING_TASK_QUEUE). */
  trainingTaskQueue?: string;
}
