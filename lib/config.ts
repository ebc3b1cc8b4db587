import { z } from 'zod';
import { formatZodError } from './errors';

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
});
export type DriftlineConfig = z.infer<typeof DriftlineConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a wrong value throws a ConfigError naming the variable, never echoing its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DriftlineConfig {
  const result = DriftlineConfig.safeParse(pickDefined(env));
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
