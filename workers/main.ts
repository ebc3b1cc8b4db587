import { loadConfig } from '../lib/config';
import { chooseDatabase } from './database';
import { runWorker } from './run-worker';

// The worker process: `npm run worker` (or `driftline worker`). Hosts the embedded PostgreSQL
// when DATABASE_URL is unset and none runs locally.
async function main(): Promise<void> {
  const database = await chooseDatabase(process.env, true, (line) => console.error(line));
  if (database.url) process.env.DATABASE_URL = database.url;
  try {
    await runWorker(loadConfig());
  } finally {
    await database.stop?.();
  }
}

main().catch((error: Error) => {
  console.error(`driftline worker: ${error.message}`);
  process.exit(1);
});
