import { NativeConnection } from '@temporalio/worker';
import { loadConfig, redactUrl } from '../lib/config';
import { createPool } from '../lib/db/pool';
import { detectCodeVersion } from './code-version';
import { createDriftlineWorker } from './create-worker';

/**
 * The worker process: `npm run worker`. SIGINT/SIGTERM start a graceful shutdown
 * (the SDK installs those handlers): polling stops, in-flight activities get the grace time.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const worker = await createDriftlineWorker({
      connection,
      config,
      deps: { pool, pipelinesDir: config.DRIFTLINE_PIPELINES_DIR, codeVersion: detectCodeVersion(), webhookUrl: config.DRIFTLINE_WEBHOOK_URL },
    });
    console.log(
      `driftline worker: task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}/${config.TEMPORAL_NAMESPACE}, database ${redactUrl(config.DATABASE_URL)}`,
    );
    await worker.run();
    console.log('driftline worker: stopped');
  } finally {
    await connection.close();
    await pool.end();
  }
}

main().catch((error: Error) => {
  console.error(`driftline worker: ${error.message}`);
  process.exit(1);
});
