import { afterEach, describe, expect, it, vi } from 'vitest';
import { resultFromThread } from '../../activities/threads/result-from-thread';
import { ThreadPool } from '../../activities/threads/thread-pool';
import type { ThreadEnd } from '../../activities/threads/thread-job';
import { threadCpuMs } from '../../activities/training/worker-load';
import type { PoolTestJob, Ran } from '../fixtures/threads/pool-jobs';

const ENTRY = new URL('../fixtures/threads/pool-jobs.ts', import.meta.url);
const never = () => new AbortController().signal;

let pool: ThreadPool;
afterEach(async () => pool?.close());

function runJob(data: PoolTestJob, signal = never(), onMessage?: (message: Ran) => void): Promise<Ran> {
  return pool
    .run({ entry: ENTRY, data }, { signal, onMessage: onMessage as (message: unknown) => void })
    .then((end: ThreadEnd<unknown>) => (end.type === 'done' ? (end.result as Ran) : Promise.reject(new Error(end.message))));
}

/** Starts a spinning job and resolves once it runs, with its thread's kernel id. */
async function spinning(abort: AbortController): Promise<{ job: Promise<Ran>; tid: number }> {
  let started: (tid: number) => void = () => undefined;
  const tid = new Promise<number>((resolve) => (started = resolve));
  const job = runJob({ kind: 'spin' }, abort.signal, (ran) => started(ran.tid as number));
  job.catch(() => undefined);
  return { job, tid: await tid };
}

describe('the thread pool', () => {
  it('runs one job after another on the same thread', async () => {
    pool = new ThreadPool(1);
    const first = await runJob({ kind: 'echo', value: 1 });
    const second = await runJob({ kind: 'echo', value: 2 });
    expect([first.value, second.value]).toEqual([1, 2]);
    expect(second.threadId).toBe(first.threadId);
    expect(pool.threads()).toBe(1);
  });

  it('queues jobs beyond its size and runs them all on at most that many threads', async () => {
    pool = new ThreadPool(2);
    const values = [1, 2, 3, 4, 5, 6];
    const ran = await Promise.all(values.map((value) => runJob({ kind: 'echo', value })));
    expect(ran.map((r) => r.value)).toEqual(values);
    expect(new Set(ran.map((r) => r.threadId)).size).toBeLessThanOrEqual(2);
    expect(pool.threads()).toBeLessThanOrEqual(2);
    expect(pool.busy()).toBe(0);
  });

  it("lets the code awaiting a job run before its thread takes the next job (a training reads the thread's CPU time then)", async () => {
    pool = new ThreadPool(1);
    const started = new SharedArrayBuffer(4);
    const first = runJob({ kind: 'echo', value: 1 });
    const next = runJob({ kind: 'echo', value: 2, started });
    await first;
    expect(Atomics.load(new Int32Array(started), 0)).toBe(0);
    await next;
    expect(Atomics.load(new Int32Array(started), 0)).toBe(1);
  });

  it('ends a thread that stayed idle, and starts a new one for the next job', async () => {
    pool = new ThreadPool(1, 50);
    const first = await runJob({ kind: 'echo', value: 1 });
    await vi.waitFor(() => expect(pool.threads()).toBe(0));
    const second = await runJob({ kind: 'echo', value: 2 });
    expect(second.threadId).not.toBe(first.threadId);
  });

  it('moves a transferred buffer to the thread instead of copying it', async () => {
    pool = new ThreadPool(1);
    const buffer = new Float64Array(1000).buffer;
    const ran = await pool.run({ entry: ENTRY, data: { kind: 'echo', value: 0, buffer }, transfer: [buffer] }, { signal: never() });
    expect(buffer.byteLength).toBe(0);
    expect(ran).toMatchObject({ type: 'done', result: { bytes: 8000 } });
  });

  it('terminates the thread of an aborted job, which frees its CPU, and serves the next job on a new thread', async () => {
    pool = new ThreadPool(1);
    const warm = await runJob({ kind: 'echo', value: 0 });
    const abort = new AbortController();
    const { job, tid } = await spinning(abort);
    await vi.waitFor(() => expect(threadCpuMs(tid)).toBeGreaterThan(0));
    expect(pool.busy()).toBe(1);

    abort.abort(new Error('cancelled'));
    await expect(job).rejects.toThrow('cancelled');
    // The spinning thread is gone (no CPU time to read any more) well within a second.
    await vi.waitFor(() => expect(threadCpuMs(tid)).toBeUndefined(), { timeout: 1_000, interval: 10 });
    await vi.waitFor(() => expect(pool.busy()).toBe(0), { timeout: 1_000, interval: 10 });

    const next = await runJob({ kind: 'echo', value: 7 });
    expect(next.value).toBe(7);
    expect(next.tid).not.toBe(tid);
    expect(warm.tid).toBe(tid);
    expect(pool.threads()).toBe(1);
  });

  it('drops a job that is aborted while it waits, without touching the running one', async () => {
    pool = new ThreadPool(1);
    const spin = new AbortController();
    const { job, tid } = await spinning(spin);
    const waiting = new AbortController();
    const queued = runJob({ kind: 'echo', value: 1 }, waiting.signal);
    waiting.abort(new Error('no longer needed'));
    await expect(queued).rejects.toThrow('no longer needed');
    expect(threadCpuMs(tid)).toBeDefined();
    spin.abort();
    await expect(job).rejects.toThrow();
  });

  it('replaces a thread that crashed, failing only the job it ran', async () => {
    pool = new ThreadPool(1);
    const crashed = runJob({ kind: 'crash' });
    await expect(crashed).rejects.toThrow('crashed outside the job');
    const next = await runJob({ kind: 'echo', value: 3 });
    expect(next.value).toBe(3);
    expect(pool.threads()).toBe(1);
  });

  it("fails a job that throws with the error's type, and keeps its thread", async () => {
    pool = new ThreadPool(1);
    const before = await runJob({ kind: 'echo', value: 0 });
    await expect(runJob({ kind: 'fail' })).rejects.toThrow('asked to fail');
    expect((await runJob({ kind: 'echo', value: 0 })).threadId).toBe(before.threadId);
  });
});

describe('resultFromThread', () => {
  it('runs on the process pool, names the failure type the job threw and the job a crash stopped', async () => {
    const ran = await resultFromThread<Ran>(ENTRY, { kind: 'echo', value: 5 }, { signal: never(), what: 'echo' });
    expect(ran.value).toBe(5);
    await expect(resultFromThread(ENTRY, { kind: 'fail' }, { signal: never(), what: 'the test job' })).rejects.toMatchObject({
      name: 'InvalidInput',
      message: 'the test job failed: asked to fail',
    });
    await expect(resultFromThread(ENTRY, { kind: 'crash' }, { signal: never(), what: 'the test job' })).rejects.toThrow(
      'the test job failed: crashed outside the job',
    );
  });
});
