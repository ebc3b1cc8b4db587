import type { TransferListItem } from 'node:worker_threads';
import { DriftlineError, type NonRetryableError } from '../../lib/errors';
import { threadPool } from './thread-pool';

export interface ThreadJobOptions<M> {
  /** Aborting terminates the job's thread at once; the pool replaces it. */
  signal: AbortSignal;
  /** Names the job in errors: "training failed: …". */
  what: string;
  /** The error type of a failure the job did not name; undefined leaves it retryable. */
  failedAs?: NonRetryableError;
  onMessage?: (message: M) => void;
  /** Buffers in `data` to move to the thread rather than copy (they are unusable here afterwards). */
  transfer?: TransferListItem[];
}

/**
 * Runs the `run` export of `entry` (TypeScript or JavaScript) on `data` in one of this process's
 * pooled threads, and resolves with its result; its messages on the way go to `onMessage`.
 */
export async function resultFromThread<R, M = never>(entry: URL, data: unknown, options: ThreadJobOptions<M>): Promise<R> {
  const end = await threadPool
    .run({ entry, data, transfer: options.transfer }, { signal: options.signal, onMessage: options.onMessage as ((message: unknown) => void) | undefined })
    .catch((error: Error) => {
      // An abort rejects with the signal's reason, which must reach the caller as it is (a cancellation).
      if (options.signal.aborted) throw error;
      throw new Error(`${options.what} failed: ${error.message}`, { cause: error });
    });
  if (end.type === 'done') return end.result as R;
  const errorType = end.errorType ?? options.failedAs;
  const text = `${options.what} failed: ${end.message}`;
  throw errorType ? new DriftlineError(errorType, text) : new Error(text);
}
