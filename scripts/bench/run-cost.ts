import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { modelPipeline, type PipelineResult } from '../../workflows/pipeline';
import { DRIFTLINE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import type { BenchResult } from '../support/bench-contract';
import { findOrBuildTemporal } from '../support/temporal-binary';
import { createBenchDatabase, dropBenchDatabase } from './pipeline-runs/bench-database';
import { runNames, writeBundledSpecs } from './pipeline-runs/bundled-specs';
import { describeMachineLoad, loadAverage } from './pipeline-runs/machine-load';
import { startBenchWorker } from './pipeline-runs/worker-process';
import { noopPipeline } from './run-cost/noop-workflow';

const WORKER_ENTRY = fileURLToPath(new URL('../../workers/main.ts', import.meta.url));
const NOOP_WORKER_ENTRY = fileURLToPath(new URL('./run-cost/noop-worker.ts', import.meta.url));
/** Runs before measuring: modules loaded, pool threads started, JIT warm. */
const WARM_UP = 2;
const RUNS = 8;
/** Issue 14: one bundled pipeline run costs the worker at most twice the no-op workflow's CPU. */
const TARGET_RATIO = 2;
/** Set to a folder, each worker writes V8 CPU profiles (one per thread) into its own subfolder there, `pipeline` and `noop`: where its CPU goes. */
const PROFILE_DIR = process.env.DRIFTLINE_BENCH_CPU_PROF;

interface RunCost {
  workflow: string;
  runs: number;
  /** Worker process CPU (user + system, every thread) per run, over RUNS runs one after another. */
  cpuMsPerRun: number;
  /** Wall time per run, median. */
  wallMsMedian: number;
  outcomes: string[];
}

/**
 * Issue 14: what one run of the bundled pipeline (us-employment, 120 rows, ridge) costs a worker
 * process in CPU, against a workflow of the same shape whose seven steps do nothing (the floor:
 * Temporal's own work). Runs go one after another on an otherwise idle worker, each a first run
 * of its own pipeline, after a warm-up.
 * DRIFTLINE_BENCH_CPU_PROF=<folder> profiles both workers (results then include the profiler).
 */
export async function benchRunCost(say: (line: string) => void): Promise<BenchResult> {
  const loadAtStart = loadAverage();
  const databaseUrl = await createBenchDatabase('run_cost');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: findOrBuildTemporal(say) }, ui: false, searchAttributes: DRIFTLINE_SEARCH_ATTRIBUTES, log: { format: 'pretty', level: 'error' } },
  });
  try {
    const names = runNames('cost', WARM_UP + RUNS);
    const pipelinesDir = writeBundledSpecs(names);
    const pipeline = await measure(env, 'modelPipeline (bundled pipeline)', WORKER_ENTRY, { DATABASE_URL: databaseUrl, DRIFTLINE_PIPELINES_DIR: pipelinesDir }, names, async (taskQueue, name) => {
      const handle = await env.client.workflow.start(modelPipeline, { taskQueue, workflowId: `${name}-${Date.now()}`, args: [{ pipeline: name, requestedBy: 'bench' }] });
      return describeResult(await handle.result());
    });
    say(`modelPipeline: ${pipeline.cpuMsPerRun.toFixed(0)} ms CPU per run`);
    const runNoop = (fullShape: boolean) => async (taskQueue: string, name: string) => {
      const result = await env.client.workflow.execute(noopPipeline, { taskQueue, workflowId: `noop-${name}-${Date.now()}`, args: [{ pipeline: name, fullShape }] });
      return result.promoted ? 'succeeded, promoted' : 'not promoted';
    };
    const noop = await measure(env, 'no-op pipeline (same 7 steps)', NOOP_WORKER_ENTRY, {}, names, runNoop(false));
    say(`no-op pipeline: ${noop.cpuMsPerRun.toFixed(0)} ms CPU per run`);
    const fullShape = await measure(env, 'no-op pipeline (every round trip of a run before they were merged)', NOOP_WORKER_ENTRY, {}, names, runNoop(true));
    say(`no-op pipeline, every round trip: ${fullShape.cpuMsPerRun.toFixed(0)} ms CPU per run`);
    const ratio = pipeline.cpuMsPerRun / noop.cpuMsPerRun;
    const machineLoad = { atStart: loadAtStart, atEnd: loadAverage() };
    return {
      name: 'run-cost',
      markdown: report(pipeline, noop, fullShape, ratio, describeMachineLoad(machineLoad.atStart, machineLoad.atEnd)),
      data: { warmUp: WARM_UP, runs: RUNS, targetRatio: TARGET_RATIO, ratio, pipeline, noop, fullShape, machineLoad },
    };
  } finally {
    await env.teardown();
    await dropBenchDatabase(databaseUrl);
  }
}

async function measure(
  env: TestWorkflowEnvironment,
  workflow: string,
  entry: string,
  workerEnv: Record<string, string>,
  names: string[],
  runOnce: (taskQueue: string, name: string) => Promise<string>,
): Promise<RunCost> {
  const kind = entry === WORKER_ENTRY ? 'pipeline' : workflow.includes('every round trip') ? 'noop-full' : 'noop';
  const taskQueue = `bench-cost-${kind}`;
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.join(PROFILE_DIR, kind)}`] : [];
  const worker = await startBenchWorker(env, entry, taskQueue, workerEnv, profile);
  try {
    for (const name of names.slice(0, WARM_UP)) await runOnce(taskQueue, name);
    const cpuBefore = worker.cpuMs();
    const walls: number[] = [];
    const outcomes: string[] = [];
    for (const name of names.slice(WARM_UP)) {
      const started = performance.now();
      outcomes.push(await runOnce(taskQueue, name));
      walls.push(performance.now() - started);
    }
    if (worker.exited()) throw new Error(`the ${workflow} worker exited:\n${worker.stderr()}`);
    walls.sort((a, b) => a - b);
    return { workflow, runs: RUNS, cpuMsPerRun: (worker.cpuMs() - cpuBefore) / RUNS, wallMsMedian: walls[Math.floor(walls.length / 2)] as number, outcomes };
  } finally {
    await worker.stop();
  }
}

function describeResult(result: PipelineResult): string {
  return `${result.trainingOutcome}${result.promoted ? ', promoted' : ', not promoted'}`;
}

function report(pipeline: RunCost, noop: RunCost, fullShape: RunCost, ratio: number, machineLoad: string): string {
  const row = (r: RunCost) => `| ${r.workflow} | ${r.runs} | **${r.cpuMsPerRun.toFixed(0)} ms** | ${r.wallMsMedian.toFixed(0)} ms | ${[...new Set(r.outcomes)].join('; ')} |`;
  return [
    `Worker CPU per run: a \`driftline worker\` process (workers/main.ts, Driftline's defaults) running the bundled pipeline (us-employment: 120 rows, ridge; ingest, validate, drift check, training in a child workflow, evaluation with garbage tests, promotion), against a worker of the same settings running a workflow of the same shape whose seven activities return at once (scripts/bench/run-cost/). CPU is the worker process's user + system time (all threads) from /proc, over ${RUNS} runs one after another after ${WARM_UP} warm-up runs; each run is the first of its own pipeline (no champion). The Temporal dev server and PostgreSQL are not counted.`,
    '',
    '| workflow | runs | worker CPU per run | wall per run (median) | outcomes |',
    '| --- | --- | --- | --- | --- |',
    row(pipeline),
    row(noop),
    row(fullShape),
    '',
    `Ratio: **${ratio.toFixed(2)}×** the no-op workflow of seven steps. Goal (issue 14): ≤ ${TARGET_RATIO}×: **${ratio <= TARGET_RATIO ? 'met' : 'not met'}**.`,
    '',
    `A real run makes one round trip more than those seven steps: retrainModel prepares its training (spec, snapshot, runtime norm) in one activity before it trains; with a norm in force (not on a first run), its training also signals the run as its compute starts. Before they were merged, a run made three such activities and always that signal: the no-op workflow making all of those costs ${fullShape.cpuMsPerRun.toFixed(0)} ms, ${(fullShape.cpuMsPerRun - noop.cpuMsPerRun).toFixed(0)} ms more than the seven steps.`,
    '',
    machineLoad,
  ].join('\n');
}
