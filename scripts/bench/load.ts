import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { modelPipeline, type PipelineResult } from '../../workflows/pipeline';
import type { BenchResult } from '../support/bench-contract';
import { memoryMb } from './ingest/through-worker';
import { createBenchDatabase, dropBenchDatabase } from './pipeline-runs/bench-database';
import { BUNDLED_PIPELINE, runNames, writeBundledSpecs } from './pipeline-runs/bundled-specs';
import { describeMachineLoad, loadAverage } from './pipeline-runs/machine-load';
import { startBenchWorker } from './pipeline-runs/worker-process';
import { startBenchTemporal } from './pipeline-runs/bench-temporal';

const WORKER_ENTRY = fileURLToPath(new URL('../../workers/main.ts', import.meta.url));
const RUNS = 50;
const SAMPLE_EVERY_MS = 200;
/** Issue 14: 50 concurrent runs on one worker at 60 runs a minute or more, its peak RSS under 1 GB. */
const TARGET = { runsPerMinute: 60, peakRssMb: 1024 };

interface LoadRun {
  runs: number;
  wallMs: number;
  runsPerMinute: number;
  /** How many runs ended each way: `succeeded, promoted`, `failed: <message>`… */
  outcomes: Record<string, number>;
  /** The worker's resident memory once it polls, before any run. */
  idleRssMb: number;
  /** The highest resident memory sampled while the runs went on. */
  peakRssMb: number;
  /** The process's high-water mark (VmHWM) at the end, start-up included. */
  highWaterMb: number;
  /** The worker process's CPU (every thread) over the runs. */
  cpuMs: number;
  /** Seconds from start to result, per run: median and slowest. */
  runSeconds: { median: number; max: number };
}

/**
 * Issue 14: 50 concurrent modelPipeline runs of the bundled pipeline (us-employment, 120 rows) on
 * one `driftline worker` process with Driftline's defaults, each under its own pipeline and model
 * name so they do not race one champion: runs per minute, outcomes and the worker's peak RSS.
 */
export async function benchLoad(say: (line: string) => void): Promise<BenchResult> {
  const loadAtStart = loadAverage();
  const databaseUrl = await createBenchDatabase('load');
  const env = await startBenchTemporal(say);
  try {
    const result = await runLoad(env, databaseUrl);
    say(`${RUNS} runs in ${(result.wallMs / 1000).toFixed(0)} s (${result.runsPerMinute.toFixed(0)} runs/min), peak RSS ${result.peakRssMb.toFixed(0)} MB (idle ${result.idleRssMb.toFixed(0)} MB), ${JSON.stringify(result.outcomes)}`);
    const machineLoad = { atStart: loadAtStart, atEnd: loadAverage() };
    return { name: 'load', markdown: report(result, describeMachineLoad(machineLoad.atStart, machineLoad.atEnd)), data: { runs: RUNS, target: TARGET, result, machineLoad } };
  } finally {
    await env.teardown();
    await dropBenchDatabase(databaseUrl);
  }
}

async function runLoad(env: TestWorkflowEnvironment, databaseUrl: string): Promise<LoadRun> {
  const names = runNames('load', RUNS);
  const taskQueue = 'bench-load';
  const worker = await startBenchWorker(env, WORKER_ENTRY, taskQueue, { DATABASE_URL: databaseUrl, DRIFTLINE_PIPELINES_DIR: writeBundledSpecs(names) });
  try {
    const idleRssMb = worker.rssMb();
    let peakRssMb = idleRssMb;
    const sampler = setInterval(() => {
      if (!worker.exited()) peakRssMb = Math.max(peakRssMb, worker.rssMb());
    }, SAMPLE_EVERY_MS);
    const cpuBefore = worker.cpuMs();
    const started = Date.now();
    const ended = await Promise.all(names.map((name) => runOnce(env, taskQueue, name, started)));
    const wallMs = Date.now() - started;
    clearInterval(sampler);
    if (worker.exited()) throw new Error(`the worker process exited under load:\n${worker.stderr()}`);
    const seconds = ended.map((run) => run.seconds).sort((a, b) => a - b);
    return {
      runs: RUNS,
      wallMs,
      runsPerMinute: RUNS / (wallMs / 60_000),
      outcomes: countOutcomes(ended.map((run) => run.outcome)),
      idleRssMb,
      peakRssMb,
      highWaterMb: memoryMb(worker.pid, 'VmHWM'),
      cpuMs: worker.cpuMs() - cpuBefore,
      runSeconds: { median: seconds[Math.floor(seconds.length / 2)] as number, max: seconds.at(-1) as number },
    };
  } finally {
    await worker.stop();
  }
}

async function runOnce(env: TestWorkflowEnvironment, taskQueue: string, pipeline: string, started: number): Promise<{ outcome: string; seconds: number }> {
  const handle = await env.client.workflow.start(modelPipeline, { taskQueue, workflowId: `${pipeline}-${started}`, args: [{ pipeline, requestedBy: 'bench' }] });
  const outcome = await handle.result().then(describeResult, (error: Error) => `failed: ${String((error.cause as Error | undefined)?.message ?? error.message).slice(0, 120)}`);
  return { outcome, seconds: (Date.now() - started) / 1000 };
}

function describeResult(result: PipelineResult): string {
  return `${result.trainingOutcome}${result.promoted ? ', promoted' : ', not promoted'}`;
}

function countOutcomes(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

function report(r: LoadRun, machineLoad: string): string {
  const outcomes = Object.entries(r.outcomes).map(([outcome, count]) => `${count} ${outcome}`).join('; ');
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  return [
    `${RUNS} concurrent \`modelPipeline\` runs of the bundled pipeline (${BUNDLED_PIPELINE}: 120 rows, ridge), each under its own pipeline and model name, started at once against one \`driftline worker\` process (workers/main.ts; workflows and activities on one queue) with Driftline's defaults (DRIFTLINE_MAX_* and DRIFTLINE_THREADS unset), on a Temporal dev server and the machine's PostgreSQL. Resident memory is sampled every ${SAMPLE_EVERY_MS} ms while the runs go on; CPU is the worker process's (all threads) over the runs.`,
    '',
    '| runs | wall time | runs/min | run time (median / slowest) | outcomes | worker CPU | idle RSS | peak RSS under load | high-water mark |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${r.runs} | ${(r.wallMs / 1000).toFixed(0)} s | **${r.runsPerMinute.toFixed(0)}** | ${r.runSeconds.median.toFixed(0)} s / ${r.runSeconds.max.toFixed(0)} s | ${outcomes} | ${(r.cpuMs / 1000).toFixed(1)} s | ${r.idleRssMb.toFixed(0)} MB | **${r.peakRssMb.toFixed(0)} MB** | ${r.highWaterMb.toFixed(0)} MB |`,
    '',
    `Goals (issue 14): ≥ ${TARGET.runsPerMinute} runs/min: **${met(r.runsPerMinute >= TARGET.runsPerMinute)}** (${r.runsPerMinute.toFixed(0)}); peak RSS under ${TARGET.peakRssMb} MB: **${met(r.peakRssMb < TARGET.peakRssMb)}** (${r.peakRssMb.toFixed(0)} MB).`,
    '',
    machineLoad,
  ].join('\n');
}
