import type { DriftlineConfig } from '../../lib/config';
import { insertPredictions } from '../../lib/db/predictions';
import { PredictionLog } from '../../lib/serving/prediction-log';
import { ServeMetrics } from '../../lib/serving/serve-metrics';
import { createDashboardPool } from '../dashboard/start';
import { Champions } from './champions';
import { createServingApp, type ServingLimits } from './server';

export interface ServeOptions {
  host: string;
  port: number;
  limits: ServingLimits;
  /** How often the registry is asked whether a champion moved. */
  pollMs: number;
  /** Off only to measure what logging costs (bench): every prediction is logged otherwise. */
  logPredictions: boolean;
  logError?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  metrics: ServeMetrics;
  /** Stops taking requests, lets those in flight finish, then writes the predictions still waiting. */
  close: () => Promise<void>;
}

/** Serves the champions' predictions on host:port until close(); the database pool is its own. */
export async function startServing(config: DriftlineConfig, options: ServeOptions): Promise<RunningServer> {
  const logError = options.logError ?? ((line: string) => console.error(line));
  const pool = createDashboardPool(config.DATABASE_URL);
  const metrics = new ServeMetrics();
  const champions = new Champions({ pool, pipelinesDir: config.DRIFTLINE_PIPELINES_DIR, pollMs: options.pollMs, logError });
  const log = options.logPredictions ? new PredictionLog({ write: (rows) => insertPredictions(pool, rows), metrics, logError }) : undefined;
  const app = await createServingApp({ champions, log, metrics, limits: options.limits, token: config.DRIFTLINE_SERVE_TOKEN, logError });
  await app.listen({ host: options.host, port: options.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    metrics,
    close: async () => {
      await app.close();
      champions.close();
      await log?.close();
      await pool.end();
    },
  };
}
