import { NativeConnection } from '@temporalio/worker';
import { redactUrl, type DriftlineConfig } from '../lib/config';
import { createPool } from '../lib/db/pool';
import { detectCodeVersion } from './code-version';
import { createDriftlineWorker } from './create-worker';

/**
 * Runs a worker until SIGINT/SIGTERM (the SDK installs those handlers): polling stops and
 * in-flight activities get the grace time before they are handed back to Temporal.
 */
export async function runWorker(config: DriftlineConfig, say: (line: string) => void = console.log): Promise<void> {
  const pool = createPool(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const worker = await createDriftlineWorker({
      connection,
      config,
      deps: { pool, pipelinesDir: config.DRIFTLINE_PIPELINES_DIR, codeVersion: detectCodeVersion(), webhookUrl: config.DRIFTLINE_WEBHOOK_URL },
    });
    say(`driftline worker: task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}/${config.TEMPORAL_NAMESPACE}, database ${redactUrl(config.DATABASE_URL)}`);
    await worker.run();
    say('driftline worker: stopped');
  } finally {
    await connection.close();
    await pool.end();
  }
}
