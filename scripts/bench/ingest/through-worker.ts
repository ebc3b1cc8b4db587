import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { modelPipeline } from '../../../workflows/pipeline';
import { BENCH_COLUMNS } from './bench-data';
import { startBenchTemporal } from '../pipeline-runs/bench-temporal';

const WORKER_ENTRY = fileURLToPath(new URL('../../../workers/main.ts', import.meta.url));
const PIPELINE = 'bench-ingest-worker';
const TASK_QUEUE = 'bench-ingest';

export interface WorkerIngest {
  /** The worker process's resident memory once it polls, before the run. */
  idleRssMb: number;
  /** Its high-water mark after ingesting and validating the file (VmHWM). */
  peakRssMb: number;
  /** The ingest activity, scheduled to completed, from the workflow's history. */
  ingestMs: number;
}

/**
 * Ingests the file the way production does: a real worker process (`workers/main.ts`) on a
 * Temporal dev server runs modelPipeline. Its spec's row-count check cannot pass, so the run
 * stops after validation: the worker's memory is measured without training's.
 */
export async function ingestThroughWorker(databaseUrl: string, file: string, say: (line: string) => void): Promise<WorkerIngest> {
  const env = await startBenchTemporal(say);
  const pipelinesDir = writeSpec(file);
  const worker = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
    env: { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: pipelinesDir, DRIFTLINE_METRICS_ADDRESS: 'off' },
    stdio: 'ignore',
  });
  try {
    await untilPolled(env, TASK_QUEUE);
    const idleRssMb = memoryMb(worker.pid as number, 'VmRSS');
    const handle = await env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: `${PIPELINE}-${Date.now()}`, args: [{ pipeline: PIPELINE }] });
    const outcome = await handle.result().then(() => 'completed', (error: Error) => String((error.cause as Error | undefined)?.message ?? error.message));
    if (!outcome.includes('FAIL rowCount')) throw new Error(`the benchmark run should stop at its row-count check, but: ${outcome.slice(0, 300)}`);
    const peakRssMb = memoryMb(worker.pid as number, 'VmHWM');
    return { idleRssMb, peakRssMb, ingestMs: await ingestDuration(handle) };
  } finally {
    worker.kill('SIGTERM');
    await env.teardown();
  }
}

/** A spec over the benchmark file whose checks stop the run before training. */
function writeSpec(file: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-'));
  const spec = {
    name: PIPELINE,
    source: { kind: 'file', path: file },
    columns: BENCH_COLUMNS,
    timeColumn: 'ts',
    keyColumns: ['id'],
    target: 'target',
    features: { columns: ['x0', 'x1'] },
    model: { name: `${PIPELINE}-model`, trainer: 'ridge' },
    checks: { rowCount: { max: 1 }, duplicateKeys: {} },
  };
  writeFileSync(path.join(dir, `${PIPELINE}.json`), JSON.stringify(spec));
  return dir;
}

/** Resolves once a worker polls `taskQueue` (it has bundled its workflows and connected). */
export async function untilPolled(env: TestWorkflowEnvironment, taskQueue: string): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 250) {
    const described = await env.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
    if ((described.pollers?.length ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the benchmark worker did not start polling within 60 s');
}

/** A process's resident memory now (VmRSS) or its high-water mark (VmHWM), in MB. */
export function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line?.match(/(\d+)\s*kB/)?.[1] ?? NaN) / 1024;
}

async function ingestDuration(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'ingestSnapshot');
  const completed = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled?.eventId));
  if (!scheduled || !completed) throw new Error('the benchmark run has no completed ingest');
  return at(completed) - at(scheduled);
}
