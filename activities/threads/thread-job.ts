import type { TransferListItem } from 'node:worker_threads';
import type { NonRetryableError } from '../../lib/errors';

/** Posts one message from a job to whoever started it; `transfer` moves buffers instead of copying them. */
export type SendFromJob<M> = (message: M, transfer?: TransferListItem[]) => void;

/**
 * What a thread entry module exports as `run`: a pooled thread imports the module once and calls
 * `run` for every job sent to it. Its result ends the job (`done`); a throw fails it (`failed`).
 */
export type JobFunction<J, R, M = never> = (job: J, send: SendFromJob<M>) => R | Promise<R>;

/** How a job ends. */
export type ThreadEnd<R> = { type: 'done'; result: R } | { type: 'failed'; errorType?: NonRetryableError; message: string };

/** From the pool to a thread: run `entry`'s job function on `data`. */
export interface JobRequest {
  id: number;
  entry: string;
  data: unknown;
}

/** From a thread to the pool, tagged with the job it belongs to: a message on the way, or the end. */
export type JobPost = { id: number; message: unknown } | { id: number; end: ThreadEnd<unknown> };
