import { availableParallelism } from 'node:os';
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { JobPost, JobRequest, ThreadEnd } from './thread-job';

const POOL_THREAD = new URL('./pool-thread.ts', import.meta.url);

/** One job for a pooled thread: the module whose `run` does it, its input, and the buffers to move rather than copy. */
export interface ThreadJob {
  entry: URL;
  data: unknown;
  transfer?: TransferListItem[];
}

export interface JobCallbacks {
  /** Aborting terminates the job's thread at once (its CPU is free again) and the pool replaces it. */
  signal: AbortSignal;
  onMessage?: (message: unknown) => void;
}

interface PendingJob {
  id: number;
  job: ThreadJob;
  callbacks: JobCallbacks;
  settle: (end: ThreadEnd<unknown> | { type: 'error'; error: Error }) => void;
}

interface PooledThread {
  worker: Worker;
  job?: PendingJob;
  /** Its job just ended: the code awaiting that job runs before the thread takes another. */
  finishing?: boolean;
  /** Retires the thread once it has been idle a while. */
  idleTimer?: NodeJS.Timeout;
}

/**
 * An idle thread is ended after this long: the memory a large job left in its heap goes back to the
 * system, and a worker between bursts idles small. A busy worker keeps its threads.
 */
const IDLE_MS = 60_000;

/**
 * A few long-lived threads that run many jobs each, so a job pays neither a thread's start nor the
 * TypeScript loader. Jobs wait in order while every thread is busy. A thread whose job is aborted is
 * terminated (the only way to stop a compute loop at once), and one that crashes is dropped: the
 * next job that needs a thread starts a fresh one.
 */
export class ThreadPool {
  readonly #threads = new Set<PooledThread>();
  readonly #queue: PendingJob[] = [];
  /** Threads terminated mid-job, until they are gone. */
  #stopping = 0;
  #nextId = 1;
  readonly #busyListeners = new Set<() => void>();

  /**
   * @param size at most this many threads; lowering it retires the extra threads as their jobs end
   * @param idleMs how long a thread may stay idle before it is ended
   */
  constructor(
    public size: number,
    readonly idleMs = IDLE_MS,
  ) {}

  /** Runs the job on a free thread (or once one frees up) and settles with how it ended; rejects when aborted or the thread dies. */
  run(job: ThreadJob, callbacks: JobCallbacks): Promise<ThreadEnd<unknown>> {
    const { signal } = callbacks;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const pending: PendingJob = {
        id: this.#nextId++,
        job,
        callbacks,
        settle: (end) => {
          signal.removeEventListener('abort', abort);
          if (end.type === 'error') reject(end.error);
          else resolve(end);
        },
      };
      const abort = () => {
        this.#abort(pending);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', abort, { once: true });
      this.#queue.push(pending);
      this.#dispatch();
    });
  }

  /** Threads running a job, or terminating after an abort: 0 once every job has ended and every aborted thread is gone. */
  busy(): number {
    let running = 0;
    for (const thread of this.#threads) if (thread.job) running += 1;
    return running + this.#stopping;
  }

  /** Calls the listener whenever busy() may have changed; returns how to stop listening. */
  onBusyChange(listener: () => void): () => void {
    this.#busyListeners.add(listener);
    return () => this.#busyListeners.delete(listener);
  }

  #busyChanged(): void {
    this.#busyListeners.forEach((listener) => listener());
  }

  /** Threads alive, idle or busy. */
  threads(): number {
    return this.#threads.size;
  }

  /** Ends every thread; queued and running jobs reject. */
  async close(): Promise<void> {
    for (const pending of this.#queue.splice(0)) pending.settle({ type: 'error', error: new Error('the thread pool closed') });
    await Promise.all([...this.#threads].map((thread) => thread.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      // A thread whose job just ended is free again within this turn of the event loop (#release): a
      // job that arrives meanwhile waits for it rather than starting another thread, whose start (the
      // TypeScript loader) and warm-up cost far more than that wait. So one after another, a run's
      // training, evaluation and model tests share one warm thread instead of keeping two warm.
      const thread = this.#idleThread() ?? (this.#threads.size < this.size && !this.#anyFinishing() ? this.#startThread() : undefined);
      if (!thread) return;
      const pending = this.#queue.shift() as PendingJob;
      thread.job = pending;
      clearTimeout(thread.idleTimer);
      thread.worker.ref();
      const request: JobRequest = { id: pending.id, entry: pending.job.entry.href, data: pending.job.data };
      thread.worker.postMessage(request, pending.job.transfer);
      this.#busyChanged();
    }
  }

  #anyFinishing(): boolean {
    for (const thread of this.#threads) if (thread.finishing) return true;
    return false;
  }

  #idleThread(): PooledThread | undefined {
    for (const thread of this.#threads) if (!thread.job && !thread.finishing) return thread;
    return undefined;
  }

  #startThread(): PooledThread {
    const thread: PooledThread = { worker: new Worker(bootstrapSource(POOL_THREAD.href), { eval: true }) };
    this.#threads.add(thread);
    thread.worker.on('message', (post: JobPost) => this.#receive(thread, post));
    thread.worker.on('error', (error) => this.#drop(thread, error));
    thread.worker.on('exit', (code) => this.#drop(thread, new Error(`thread exited with code ${code} before reporting a result`)));
    return thread;
  }

  #receive(thread: PooledThread, post: JobPost): void {
    const pending = thread.job;
    // A message from a job that was aborted or already ended has no one left to hear it.
    if (!pending || pending.id !== post.id) return;
    if ('message' in post) return pending.callbacks.onMessage?.(post.message);
    thread.job = undefined;
    thread.finishing = true;
    this.#busyChanged();
    pending.settle(post.end);
    // The thread takes its next job only after the code awaiting this one has run: a training reads
    // the thread's CPU time as its job ends, which must not yet include the next job's.
    setImmediate(() => this.#release(thread));
  }

  #release(thread: PooledThread): void {
    thread.finishing = false;
    if (!this.#threads.has(thread)) return;
    if (this.#threads.size > this.size) void this.#retire(thread);
    else this.#idle(thread);
    this.#dispatch();
  }

  /** A crashed or exited thread leaves the pool; its job, if any, fails, and a queued job gets a new thread. */
  #drop(thread: PooledThread, error: Error): void {
    if (!this.#threads.delete(thread)) return;
    const pending = thread.job;
    thread.job = undefined;
    if (pending) this.#busyChanged();
    pending?.settle({ type: 'error', error });
    this.#dispatch();
  }

  #idle(thread: PooledThread): void {
    thread.worker.unref();
    thread.idleTimer = setTimeout(() => void this.#retire(thread), this.idleMs).unref();
  }

  #abort(pending: PendingJob): void {
    const queued = this.#queue.indexOf(pending);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      return;
    }
    const thread = [...this.#threads].find((t) => t.job === pending);
    if (!thread) return;
    thread.job = undefined;
    this.#stopping += 1;
    void this.#retire(thread).finally(() => {
      this.#stopping -= 1;
      this.#busyChanged();
    });
  }

  /** Takes the thread out of the pool and ends it; a queued job gets a fresh thread in its place. */
  #retire(thread: PooledThread): Promise<unknown> {
    clearTimeout(thread.idleTimer);
    this.#threads.delete(thread);
    this.#dispatch();
    return thread.worker.terminate();
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('job aborted');
}

/**
 * The pool's thread is TypeScript when Driftline runs from source (tsx, vitest): register tsx's
 * loader inside the thread first, since loaders do not carry over to worker threads. Once per
 * thread, not per job: that is most of what a thread costs to start.
 */
function bootstrapSource(entry: string): string {
  if (!entry.endsWith('.ts')) return `import(${JSON.stringify(entry)})`;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
}

/** The process's pool, which every activity's threaded job shares; its threads start on first use. Sized by DRIFTLINE_THREADS in a worker. */
export const threadPool = new ThreadPool(availableParallelism());
