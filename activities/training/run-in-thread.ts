import { Worker } from 'node:worker_threads';
import { DriftlineError, type NonRetryableError } from '../../lib/errors';
import type { TrainedCandidate, TrainingJob, TrainingMessage } from './thread-protocol';

const TRAINING_ENTRY = new URL('./train-thread.ts', import.meta.url);

export interface ThreadHooks {
  onProgress: (fraction: number, message: string) => void;
  /** The training thread's kernel id, once it runs (for its CPU time). */
  onThread?: (tid: number) => void;
  /** The data is loaded and the compute starts, on this many rows. */
  onLoaded?: (rows: number) => void;
  /** Aborting terminates the thread at once: the CPU it used is free again. */
  signal: AbortSignal;
}

let liveThreads = 0;

/** How many training and model-test threads are running in this process (0 after every cancellation). */
export function liveTrainingThreads(): number {
  return liveThreads;
}

/** Starts a thread running `entry` (TypeScript or JavaScript) with `data` as its workerData, counted while alive. */
export function spawnThread(entry: URL, data: unknown): Worker {
  const worker = new Worker(bootstrapSource(entry.href), { eval: true, workerData: data });
  liveThreads += 1;
  worker.once('exit', () => (liveThreads -= 1));
  return worker;
}

/** Loads the data and trains in a worker thread; rejects when the thread fails or is aborted. */
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

/** How a job thread ends; any other message it posts on the way goes to `onMessage`. */
export type ThreadEnd<R> = { type: 'done'; result: R } | { type: 'failed'; errorType?: NonRetryableError; message: string };

export interface ThreadJobOptions<M> {
  /** Aborting terminates the thread at once. */
  signal: AbortSignal;
  /** Names the job in errors: "training failed: …". */
  what: string;
  /** The error type of a failure the thread did not name; undefined leaves it retryable. */
  failedAs?: NonRetryableError;
  onMessage?: (message: M) => void;
}

/** Runs `entry` in a thread and resolves with the result of its `done` message; the thread is gone when this settles. */
export function resultFromThread<R, M extends { type: string } = never>(entry: URL, data: unknown, options: ThreadJobOptions<M>): Promise<R> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    const worker = spawnThread(entry, data);
    const abort = () => {
      void worker.terminate();
      reject(signal.reason ?? new Error(`${options.what} aborted`));
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    const settle = () => signal.removeEventListener('abort', abort);
    worker.on('message', (message: ThreadEnd<R> | M) => {
      if (message.type !== 'done' && message.type !== 'failed') return options.onMessage?.(message as M);
      settle();
      void worker.terminate();
      const end = message as ThreadEnd<R>;
      if (end.type === 'done') return resolve(end.result);
      const errorType = end.errorType ?? options.failedAs;
      const text = `${options.what} failed: ${end.message}`;
      reject(errorType ? new DriftlineError(errorType, text) : new Error(text));
    });
    worker.on('error', (error) => {
      settle();
      reject(error);
    });
    worker.on('exit', (code) => {
      settle();
      reject(new Error(`${options.what} thread exited with code ${code} before reporting a result`));
    });
  });
}

/**
 * The thread's entry is TypeScript when Driftline runs from source (tsx, vitest): register
 * tsx's loader inside the thread first, since loaders do not carry over to worker threads.
 */
function bootstrapSource(entry: string): string {
  if (!entry.endsWith('.ts')) return `import(${JSON.stringify(entry)})`;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
}
