import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { currentThreadId, startTrainingLoad, threadCpuMs } from '../../activities/training/worker-load';

describe('training load on a worker', () => {
  it('counts trainings per core: the peak only rises, the mean lies between quiet and the peak', async () => {
    const cores = availableParallelism();
    const first = startTrainingLoad();
    expect(first.peak()).toBe(1);
    const rises: number[] = [];
    first.onPeakRise((peak) => rises.push(peak));
    const others = Array.from({ length: 3 * cores - 1 }, () => startTrainingLoad());
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
    const alone = startTrainingLoad();
    expect(alone.peak()).toBe(1);
    alone.finish();
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
