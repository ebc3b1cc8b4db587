import { parentPort, workerData } from 'node:worker_threads';
import { trainingData } from '../../lib/arrival/windows';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import { createPool } from '../../lib/db/pool';
import { DriftlineError } from '../../lib/errors';
import { planTraining, trainWith } from '../../lib/model/model-artifact';
import { loadInProcessTrainer } from './module-trainer';
import { describeTrainingData, type TrainingJob, type TrainingMessage } from './thread-protocol';
import { currentThreadId } from './worker-load';

/** Runs in a worker thread: loading and training both stay off the activity's event loop, free for heartbeats and cancellation. */
function send(message: TrainingMessage): void {
  parentPort?.postMessage(message);
}

async function run(job: TrainingJob): Promise<void> {
  send({ type: 'started', tid: currentThreadId() });
  const progress = (fraction: number, message: string) => send({ type: 'progress', fraction, message });
  progress(0.01, 'loading data');
  const pool = createPool(job.databaseUrl, 1);
  const data = await loadPipelineData(pool, job.spec, job.snapshotId).finally(() => pool.end());
  const learned = trainingData(data, job.spec.arrival);
  send({ type: 'loaded', rows: learned.rows.length });
  progress(0.05, `building features from ${learned.rows.length} rows`);
  const planned = planTraining(learned.rows, job.spec);
  const trainer = await loadInProcessTrainer(job.trainer);
  const training = await trainWith(trainer, job.trainer, planned, job.params, progress);
  send({ type: 'done', result: { training, ...describeTrainingData(learned, job.spec) } });
}

run(workerData as TrainingJob).catch((error: Error) =>
  send({ type: 'failed', errorType: error instanceof DriftlineError ? error.type : undefined, message: error.message }),
);
