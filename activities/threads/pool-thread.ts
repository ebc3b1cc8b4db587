import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, type TransferListItem } from 'node:worker_threads';
import { DriftlineError } from '../../lib/errors';
import type { JobFunction, JobPost, JobRequest, ThreadEnd } from './thread-job';

/**
 * A pooled thread: loaded once (with the TypeScript loader when running from source), then runs the
 * jobs the pool sends it one at a time. Each job names its entry module, imported on first use and
 * cached by the module system from then on.
 */
const port = parentPort;
if (!port) throw new Error('pool-thread runs only as a worker thread');

/** Entry modules by URL: imported once per thread, so a job does not pay the loader's resolve again. */
const entries = new Map<string, Promise<{ run?: JobFunction<unknown, unknown, unknown> }>>();

computeBelowEventLoops();

port.on('message', (request: JobRequest) => {
  void runJob(request).then((end) => post({ id: request.id, end }));
});

function post(message: JobPost, transfer?: TransferListItem[]): void {
  port?.postMessage(message, transfer);
}

async function runJob({ id, entry, data }: JobRequest): Promise<ThreadEnd<unknown>> {
  try {
    if (!entries.has(entry)) entries.set(entry, import(entry));
    const module = await (entries.get(entry) as Promise<{ run?: JobFunction<unknown, unknown, unknown> }>);
    if (typeof module.run !== 'function') throw new Error(`${entry} exports no run(job, send)`);
    const result = await module.run(data, (message, transfer) => post({ id, message }, transfer));
    return { type: 'done', result };
  } catch (error) {
    return { type: 'failed', errorType: error instanceof DriftlineError ? error.type : undefined, message: (error as Error).message };
  }
}

/**
 * A pooled thread computes at a lower priority than the process's main thread, whose event loop
 * heartbeats and answers Temporal: on 2 busy cores, an equal-priority compute thread keeps it
 * waiting for a core for a tenth of a second and more. Linux sets the priority of one thread when
 * given its id; elsewhere the thread keeps the process's.
 */
function computeBelowEventLoops(): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').at(-1)), 10);
  } catch {
    // No /proc/thread-self (not Linux): nothing to lower.
  }
}
