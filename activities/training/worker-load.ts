import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { threadPool } from '../threads/thread-pool';

const CORES = availableParallelism();
/** Trainings computing outside the thread pool (a command trainer's own process). */
let outsidePool = 0;
const listeners = new Set<() => void>();
threadPool.onBusyChange(() => listeners.forEach((listener) => listener()));

/**
 * Compute jobs per core on this worker right now, at least 1: how much slower than quiet a training
 * runs. Every busy pooled thread counts, not only trainings: another run's evaluation or drift
 * comparison takes a core from a training just as much as another training does.
 */
function contentionNow(): number {
  return Math.max(1, (threadPool.busy() + outsidePool) / CORES);
}

export interface TrainingLoad {
  /** The most compute jobs per core seen since this training started: what its deadline allows for. */
  peak(): number;
  /** Compute jobs per core over this training so far, time-weighted: what its duration is learned as. */
  mean(): number;
  /** Called whenever the peak rises. */
  onPeakRise(listener: (peak: number) => void): void;
  /** This training is over: it no longer counts, and it stops listening. */
  finish(): void;
}

/** Where a training computes: a pooled thread (the pool counts it) or a process of its own. */
export type ComputeSite = 'pooled thread' | 'own process';

/**
 * Follows the load a training shares on this worker for as long as it computes. A training in a
 * pooled thread is counted by the pool; one in its own process is counted here until it finishes.
 */
export function startTrainingLoad(where: ComputeSite): TrainingLoad {
  const counted = where === 'own process' ? 1 : 0;
  outsidePool += counted;
  let last = performance.now();
  let weighted = 0;
  let elapsed = 0;
  let current = contentionNow();
  let peak = current;
  let rise: ((peak: number) => void) | undefined;
  const sample = () => {
    const now = performance.now();
    weighted += (now - last) * current;
    elapsed += now - last;
    last = now;
    current = contentionNow();
    if (current > peak) {
      peak = current;
      rise?.(peak);
    }
  };
  listeners.forEach((listener) => listener());
  listeners.add(sample);
  return {
    peak: () => peak,
    mean: () => {
      sample();
      return elapsed > 0 ? weighted / elapsed : current;
    },
    onPeakRise: (listener) => (rise = listener),
    finish: () => {
      sample();
      listeners.delete(sample);
      outsidePool -= counted;
      listeners.forEach((listener) => listener());
    },
  };
}

/** Linux reports thread CPU in clock ticks of 1/100 s (USER_HZ), whatever the kernel's own rate. */
const TICK_MS = 10;

/**
 * CPU time (user + system) of one thread of this process, from /proc; undefined where there is no
 * /proc (not Linux) or the thread is gone. Worker threads share the process, so process.cpuUsage()
 * would count every training at once.
 */
export function threadCpuMs(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** This thread's id as the kernel knows it (for threadCpuMs); undefined where there is no /proc. */
export function currentThreadId(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    return Number(stat.slice(0, stat.indexOf(' ')));
  } catch {
    return undefined;
  }
}
