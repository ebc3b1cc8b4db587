import { Worker } from 'node:worker_threads';
import { DriftlineError } from '../../lib/errors';
import type { TrainingResult } from '../../lib/model/model-artifact';
import type { TrainingJob, TrainingMessage } from './thread-protocol';

const TRAINING_ENTRY = new URL('./train-thread.ts', import.meta.url);

export interface ThreadHooks {
  onProgress: (fraction: number, message: string) => void;
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

/** Trains in a worker thread and resolves with its result; rejects when the thread fails or is aborted. */
export function trainInThread(job: TrainingJob, hooks: ThreadHooks): Promise<TrainingResult> {
  return new Promise((resolve, reject) => {
    const worker = spawnThread(TRAINING_ENTRY, job);
    const abort = () => {
      void worker.terminate();
      reject(hooks.signal.reason ?? new Error('training aborted'));
    };
    if (hooks.signal.aborted) return abort();
    hooks.signal.addEventListener('abort', abort, { once: true });
    const settle = () => hooks.signal.removeEventListener('abort', abort);
    worker.on('message', (message: TrainingMessage) => {
      if (message.type === 'progress') hooks.onProgress(message.fraction, message.message);
      else {
        settle();
        void worker.terminate();
        if (message.type === 'done') resolve(message.result);
        else reject(new DriftlineError(message.errorType ?? 'TrainingFailed', `training failed: ${message.message}`));
      }
    });
    worker.on('error', (error) => {
      settle();
      reject(error);
    });
    worker.on('exit', (code) => {
      settle();
      reject(new Error(`training thread exited with code ${code} before reporting a result`));
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
