import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { memoryMb, untilPolled } from '../ingest/through-worker';

/** A worker process the benchmark started, polling its task queue. */
export interface BenchWorker {
  pid: number;
  /** User + system CPU of the whole process (every thread, live or ended) so far. */
  cpuMs(): number;
  /** Resident memory now. */
  rssMb(): number;
  /** The last lines it wrote to stderr, for an error message. */
  stderr(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/** Linux reports process CPU in clock ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

/** Starts `entry` (TypeScript, through tsx) as a worker process with `env` added, and waits until it polls `taskQueue`. */
export async function startBenchWorker(
  temporal: TestWorkflowEnvironment,
  entry: string,
  taskQueue: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<BenchWorker> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    env: { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: taskQueue, DRIFTLINE_METRICS_ADDRESS: 'off', DRIFTLINE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const pid = child.pid as number;
  const worker: BenchWorker = {
    pid,
    cpuMs: () => processCpuMs(pid),
    rssMb: () => memoryMb(pid, 'VmRSS'),
    stderr: () => stderr,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: () => stopProcess(child),
  };
  try {
    await untilPolled(temporal, taskQueue);
  } catch (error) {
    await worker.stop();
    throw new Error(`${(error as Error).message}:\n${stderr}`);
  }
  return worker;
}

function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
