import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { threadPool } from '../../activities/threads/thread-pool';
import { currentThreadId, startTrainingLoad, threadCpuMs } from '../../activities/training/worker-load';
import type { PoolTestJob } from '../fixtures/threads/pool-jobs';

describe('training load on a worker', () => {
  it('counts trainings in their own process per core: the peak only rises, the mean lies between quiet and the peak', async () => {
    const cores = availableParallelism();
    const first = startTrainingLoad('own process');
    expect(first.peak()).toBe(1);
    const rises: number[] = [];
    first.onPeakRise((peak) => rises.push(peak));
    const others = Array.from({ length: 3 * cores - 1 }, () => startTrainingLoad('own process'));
    expect(first.peak()).toBe(3);
    expect(rises.at(-1)).toBe(3);
    await new Promise((r) => setTimeout(r, 20));
    for (const other of others) other.finish();
    await new Promise((r) => setTimeout(r, 20));
    expect(first.peak()).toBe(3);
    const mean = first.mean();
    expect(mean).toBeGreaterThan(1);
    expect(mean).toBeLessThan(3);
    first.finish();
    // Everything finished: a new training is alone again.
    const alone = startTrainingLoad('own process');
    expect(alone.peak()).toBe(1);
    alone.finish();
  });

  it("counts every busy pooled thread as load, not only trainings: another run's evaluation takes a core too", async () => {
    const cores = availableParallelism();
    const defaultSize = threadPool.size;
    threadPool.size = 2 * cores;
    const training = startTrainingLoad('pooled thread');
    expect(training.peak()).toBe(1);
    const rises: number[] = [];
    training.onPeakRise((peak) => rises.push(peak));
    const abort = new AbortController();
    const spin: PoolTestJob = { kind: 'spin' };
    const jobs = Array.from({ length: 2 * cores }, () =>
      threadPool.run({ entry: new URL('../fixtures/threads/pool-jobs.ts', import.meta.url), data: spin }, { signal: abort.signal }).catch(() => 'stopped'),
    );
    expect(rises.at(-1)).toBe(2);
    abort.abort();
    expect(await Promise.all(jobs)).toEqual(jobs.map(() => 'stopped'));
    await expect.poll(() => threadPool.busy()).toBe(0);
    expect(training.peak()).toBe(2);
    training.finish();
    const alone = startTrainingLoad('pooled thread');
    expect(alone.peak()).toBe(1);
    alone.finish();
    threadPool.size = defaultSize;
  });

  it('reads a thread’s own CPU time, which grows as it computes', () => {
    const tid = currentThreadId();
    if (tid === undefined) return; // no /proc: not Linux
    const before = threadCpuMs(tid) as number;
    let x = 0;
    const until = Date.now() + 200;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect(threadCpuMs(tid) as number).toBeGreaterThan(before);
    expect(threadCpuMs(-1)).toBeUndefined();
  });
});
