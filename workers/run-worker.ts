import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { redactUrl, type DriftlineConfig } from '../lib/config';
import { createPool } from '../lib/db/pool';
import { detectCodeVersion } from './code-version';
import { createDriftlineWorker } from './create-worker';
import { ensureSearchAttributes } from './search-attributes';

/**
 * Runs a worker until SIGINT/SIGTERM (the SDK installs those handlers): polling stops and
 * in-flight activities get the grace time before they are handed back to Temporal.
 */
export async function runWorker(config: DriftlineConfig, say: (line: string) => void = console.log): Promise<void> {
  await registerSearchAttributes(config, say);
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

/** Workflows tag their runs with search attributes; a namespace without them would fail those runs. */
export async function registerSearchAttributes(config: DriftlineConfig, say: (line: string) => void): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    if (added.length > 0) say(`driftline worker: registered search attributes ${added.join(', ')}`);
  } finally {
    await connection.close();
  }
}
