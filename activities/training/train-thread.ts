import { parentPort, workerData } from 'node:worker_threads';
import { trainOnRows } from '../../lib/model/model-artifact';
import type { TrainingJob, TrainingMessage } from './thread-protocol';

/** Runs in a worker thread: the activity's event loop stays free for heartbeats and cancellation. */
function send(message: TrainingMessage): void {
  parentPort?.postMessage(message);
}

const job = workerData as TrainingJob;
try {
  send({ type: 'progress', fraction: 0.1, message: `fitting ${job.spec.model.trainer} on ${job.rows.length} rows` });
  const result = trainOnRows(job.rows, job.spec, job.alpha);
  send({ type: 'done', result });
} catch (error) {
  send({ type: 'failed', message: (error as Error).message });
}
