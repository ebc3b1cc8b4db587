import { loadConfig } from '../lib/config';
import { runWorker } from './run-worker';

// The worker process: `npm run worker` (or `driftline worker`).
runWorker(loadConfig()).catch((error: Error) => {
  console.error(`driftline worker: ${error.message}`);
  process.exit(1);
});
