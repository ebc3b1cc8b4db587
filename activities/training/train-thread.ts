import { parentPort, workerData } from 'node:worker_threads';
import { DriftlineError } from '../../lib/errors';
import { planTraining, trainWith } from '../../lib/model/model-artifact';
import { loadInProcessTrainer } from './module-trainer';
import type { TrainingJob, TrainingMessage } from './thread-protocol';

/** Runs in a worker thread: the activity's event loop stays free for heartbeats and cancellation. */
function send(message: TrainingMessage): void {
  parentPort?.postMessage(message);
}

async function run(job: TrainingJob): Promise<void> {
  const progress = (fraction: number, message: string) => send({ type: 'progress', fraction, message });
  progress(0.05, `building features from ${job.rows.length} rows`);
  const planned = planTraining(job.rows, job.spec);
  const trainer = await loadInProcessTrainer(job.trainer);
  const result = await trainWith(trainer, job.trainer, planned, job.params, progress);
  send({ type: 'done', result });
}

run(workerData as TrainingJob).catch((error: Error) =>
  send({ type: 'failed', errorType: error instanceof DriftlineError ? error.type : undefined, message: error.message }),
);
