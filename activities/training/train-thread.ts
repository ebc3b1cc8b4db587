import { frameOf, rowCountOf } from '../../lib/arrival/pipeline-data';
import { trainingData } from '../../lib/arrival/windows';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import { planTraining, trainWith } from '../../lib/model/model-artifact';
import type { ReportProgress } from '../../lib/trainers/trainer';
import { loadInProcessTrainer } from './module-trainer';
import { threadDatabase } from '../threads/thread-database';
import type { SendFromJob } from '../threads/thread-job';
import { describeTrainingData, trainingColumns, type TrainedCandidate, type TrainingJob, type TrainingMessage } from './thread-protocol';
import { currentThreadId } from './worker-load';

/** Runs in a pooled thread: loading and training both stay off the activity's event loop, free for heartbeats and cancellation. */
export async function run(job: TrainingJob, send: SendFromJob<TrainingMessage>): Promise<TrainedCandidate> {
  send({ type: 'started', tid: currentThreadId() });
  const progress = (fraction: number, message: string) => send({ type: 'progress', fraction, message });
  const { planned, described } = await prepareTraining(job, send, progress);
  const trainer = await loadInProcessTrainer(job.trainer);
  const training = await trainWith(trainer, job.trainer, planned, job.params, progress);
  return { training, ...described };
}

/**
 * Loads the columns the spec reads, builds the examples and records what the version will say
 * about its data. Its own function so the table is garbage once it returns: the fit needs only
 * the examples.
 */
async function prepareTraining(job: TrainingJob, send: SendFromJob<TrainingMessage>, progress: ReportProgress) {
  progress(0.01, 'loading data');
  const onProgress = (rows: number) => progress(0.01, `loading data: ${rows.toLocaleString('en-US')} rows read`);
  const data = await loadPipelineData(threadDatabase(job.databaseUrl), job.spec, job.snapshotId, { columns: trainingColumns(job.spec), onProgress });
  const learned = trainingData(data, job.spec.arrival);
  send({ type: 'loaded', rows: rowCountOf(learned) });
  progress(0.05, `building features from ${rowCountOf(learned)} rows`);
  return { planned: planTraining(frameOf(learned), job.spec), described: describeTrainingData(learned, job.spec) };
}
