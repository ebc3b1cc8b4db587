import { z } from 'zod';
import { loadConfig } from '../../../lib/config';
import { runWorker } from '../../../workers/run-worker';

// The start benchmark's worker: what `driftline worker` runs, with the workflows prebuilt or
// bundled with webpack at start as argv[2] says, so the two differ in nothing else.
await runWorker(loadConfig(), ['main', 'training'], z.enum(['prebuilt', 'source']).parse(process.argv[2]));
