import { resultFromThread } from '../threads/result-from-thread';
import { threadPool } from '../threads/thread-pool';
import type { TrainedCandidate, TrainingJob, TrainingMessage } from './thread-protocol';

const TRAINING_ENTRY = new URL('./train-thread.ts', import.meta.url);

export interface ThreadHooks {
  onProgress: (fraction: number, message: string) => void;
  /** The kernel id of the thread running this training, once it runs (for its CPU time). */
  onThread?: (tid: number) => void;
  /** The data is loaded and the compute starts, on this many rows. */
  onLoaded?: (rows: number) => void;
  /** Aborting terminates the thread at once: the CPU it used is free again. */
  signal: AbortSignal;
}

/**
 * How many of this process's pooled threads are running a job (training, drift comparison, model
 * tests) or stopping after an abort: 0 after every cancellation, once its CPU is free.
 */
export function liveTrainingThreads(): number {
  return threadPool.busy();
}

/** Loads the data and trains in a pooled thread; rejects when the training fails or is aborted. */
export function trainInThread(job: TrainingJob, hooks: ThreadHooks): Promise<TrainedCandidate> {
  return resultFromThread<TrainedCandidate, TrainingMessage>(TRAINING_ENTRY, job, {
    signal: hooks.signal,
    what: 'training',
    failedAs: 'TrainingFailed',
    onMessage: (message) => {
      if (message.type === 'progress') hooks.onProgress(message.fraction, message.message);
      if (message.type === 'started' && message.tid !== undefined) hooks.onThread?.(message.tid);
      if (message.type === 'loaded') hooks.onLoaded?.(message.rows);
    },
  });
}
