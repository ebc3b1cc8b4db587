import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { formatZodError } from './errors';

/** A worker's concurrency when the environment does not set it (DRIFTLINE_MAX_* and DRIFTLINE_THREADS below). */
export const WORKER_LIMITS = { activities: 4, workflowTasks: 4, cachedWorkflows: 100, threads: availableParallelism() };

function positiveInt(fallback: number) {
  return z.coerce.number({ message: 'must be a whole number' }).int({ message: 'must be a whole number' }).min(1, { message: 'must be at least 1' }).default(fallback);
}

/**
 * Process configuration, read once from the environment at start.
 * Defaults fit the local setup (PostgreSQL on 127.0.0.1, Temporal dev server on 7233).
 */
export const DriftlineConfig = z.object({
  DATABASE_URL: z
    .string()
    .url({ message: 'must be a postgres:// URL' })
    .refine((value) => /^postgres(ql)?:\/\//.test(value), { message: 'must start with postgres:// or postgresql://' })
    .default('postgres://postgres@127.0.0.1:5432/driftline'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, { message: 'must be host:port, for example 127.0.0.1:7233' })
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('driftline'),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  DRIFTLINE_PIPELINES_DIR: z.string().min(1).optional(),
  /** Slack-compatible incoming webhook for the data team's alerts. A secret: never logged. */
  DRIFTLINE_WEBHOOK_URL: z.string().url({ message: 'must be an http(s) URL' }).optional(),
  /** Lets the dashboard's actions (approve, reject, rollback, annotate) through; unset, the dashboard is read-only. A secret: never logged. */
  DRIFTLINE_DASHBOARD_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** Required as `Authorization: Bearer …` by `driftline serve` (every endpoint but /healthz); unset, the server answers anyone who can reach it. A secret: never logged. */
  DRIFTLINE_SERVE_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** Where people reach the dashboard (https://driftline.example.com): notifications link to the report they announce. Unset, they name the CLI command instead. */
  DRIFTLINE_DASHBOARD_URL: z.string().url({ message: 'must be an http(s) URL' }).optional(),
  /** A separate queue for CPU-heavy training, so training workers scale apart from the rest. */
  DRIFTLINE_TRAINING_TASK_QUEUE: z.string().min(1).optional(),
  /** Where the worker serves Prometheus metrics (host:port), or "off". */
  DRIFTLINE_METRICS_ADDRESS: z
    .string()
    .regex(/^(off|[\w.-]+:\d{1,5})$/, { message: 'must be host:port (e.g. 0.0.0.0:9464) or off' })
    .default('127.0.0.1:9464'),
  // How much one worker takes on at once (per task queue it polls). Temporal's own defaults (100
  // activities, 40 workflow tasks, a workflow cache sized from the heap) let 80 concurrent runs of
  // the bundled pipeline take one worker past 2.5 GB when each training, drift comparison and model
  // test ran in a thread of its own. Work beyond these limits waits in Temporal's queue, where it
  // costs nothing. The cache holds a run's workflows between steps: 100 fits 50 concurrent pipeline
  // runs (a run and its retrain child each), where 20 made the worker replay evicted runs from their
  // history and halved its throughput for no memory saved (about 1.7 MB a cached run, Temporal's
  // estimate). See bench-results/load.md.
  /** Activities one worker runs at once: training, evaluation and drift hold their data in memory. */
  DRIFTLINE_MAX_CONCURRENT_ACTIVITIES: positiveInt(WORKER_LIMITS.activities),
  /** Workflow tasks one worker processes at once. */
  DRIFTLINE_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt(WORKER_LIMITS.workflowTasks),
  /** Workflow runs kept in the worker's cache (evicted ones are replayed from history when they wake, which costs CPU). */
  DRIFTLINE_MAX_CACHED_WORKFLOWS: positiveInt(WORKER_LIMITS.cachedWorkflows),
  /** Threads in the worker's pool for CPU-heavy jobs (training, drift comparison, model tests); more jobs wait for one. */
  DRIFTLINE_THREADS: positiveInt(WORKER_LIMITS.threads),
  DRIFTLINE_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  // Temporal Cloud or a TLS cluster; the names follow Temporal's own environment configuration.
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
});
export type DriftlineConfig = z.infer<typeof DriftlineConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a wrong value throws a ConfigError naming the variable, never echoing its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DriftlineConfig {
  const result = DriftlineConfig.superRefine((config, ctx) => {
    if ((config.TEMPORAL_TLS_CLIENT_CERT_PATH === undefined) !== (config.TEMPORAL_TLS_CLIENT_KEY_PATH === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_CLIENT_KEY_PATH'], message: 'set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, or neither' });
    }
  }).safeParse(pickDefined(env));
  if (!result.success) {
    throw new ConfigError(`Invalid configuration: ${formatZodError(result.error)}`);
  }
  return result.data;
}

/** Empty variables count as unset, the way shells usually mean them. */
function pickDefined(env: NodeJS.ProcessEnv): Record<string, string> {
  const keys = Object.keys(DriftlineConfig.shape);
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  return picked;
}

const SECRET_SETTINGS = ['DRIFTLINE_WEBHOOK_URL', 'TEMPORAL_API_KEY', 'DRIFTLINE_DASHBOARD_TOKEN', 'DRIFTLINE_SERVE_TOKEN'];

/** Every secret value in the configuration, for the log scrubber. */
export function secretsOf(config: DriftlineConfig): string[] {
  const values = SECRET_SETTINGS.map((key) => (config as Record<string, unknown>)[key]).filter((v): v is string => typeof v === 'string');
  const password = new URL(config.DATABASE_URL).password;
  return password ? [...values, password, decodeURIComponent(password)] : values;
}

/** The database URL with any password replaced, safe for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
