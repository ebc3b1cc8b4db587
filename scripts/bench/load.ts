import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../lib/config';
import { ensureDatabase, migrateUp } from '../../lib/db/migrate';
import { BUILT_IN_PIPELINES_DIR } from '../../lib/spec/load-spec';
import { modelPipeline, type PipelineResult } from '../../workflows/pipeline';
import { DRIFTLINE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import type { BenchResult } from '../support/bench-contract';
import { findOrBuildTemporal } from '../support/temporal-binary';
import { memoryMb, untilPolled } from './ingest/through-worker';

const WORKER_ENTRY = fileURLToPath(new URL('../../workers/main.ts', import.meta.url));
const RUNS = 80;
const TARGET_PEAK_MB = 1024;
const SAMPLE_EVERY_MS = 200;

/** A worker configuration under load: the environment it starts with, on top of the benchmark's. */
interface Setting {
  label: string;
  env: Record<string, string>;
}

// The SDK's own limits (100 activities, 40 workflow tasks, a cache sized from the heap: about 2,000
// workflows for Node's 4 GB default here) are what issue 13 measured at 2.5 GB; Driftline's defaults
// (WORKER_LIMITS in lib/config.ts) are what a worker runs with unless its environment says otherwise.
const SETTINGS: Setting[] = [
  { label: "Temporal SDK's defaults", env: { DRIFTLINE_MAX_CONCURRENT_ACTIVITIES: '100', DRIFTLINE_MAX_CONCURRENT_WORKFLOW_TASKS: '40', DRIFTLINE_MAX_CACHED_WORKFLOWS: '2000' } },
  { label: "Driftline's defaults", env: {} },
];

interface LoadRun {
  setting: string;
  workerEnv: Record<string, string>;
  runs: number;
  wallMs: number;
  /** How many runs ended each way: `succeeded, promoted`, `failed: <message>`… */
  outcomes: Record<string, number>;
  /** The worker's resident memory once it polls, before any run. */
  idleRssMb: number;
  /** The highest resident memory sampled while the runs went on. */
  peakRssMb: number;
  /** The process's high-water mark (VmHWM) at the end, start-up's workflow bundling included. */
  highWaterMb: number;
  /** Seconds from start to result, per run: median and slowest. */
  runSeconds: { median: number; max: number };
}

/**
 * Issue 13, item 10: 80 concurrent modelPipeline runs of the bundled pipeline (us-employment,
 * 120 rows) on one worker process, each under its own pipeline and model name so they do not race
 * one champion: wall time, outcomes and the worker's peak RSS (goal under 1 GB), with the SDK's
 * default concurrency and with Driftline's.
 */
export async function benchLoad(say: (line: string) => void): Promise<BenchResult> {
  const databaseUrl = await createLoadDatabase();
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: findOrBuildTemporal(say) }, ui: false, searchAttributes: DRIFTLINE_SEARCH_ATTRIBUTES, log: { format: 'pretty', level: 'error' } },
  });
  const results: LoadRun[] = [];
  try {
    for (const [index, setting] of SETTINGS.entries()) {
      const result = await runLoad(env, databaseUrl, setting, `load${index}`);
      say(`${setting.label}: ${RUNS} runs in ${(result.wallMs / 1000).toFixed(0)} s, peak RSS ${result.peakRssMb.toFixed(0)} MB (idle ${result.idleRssMb.toFixed(0)} MB), ${JSON.stringify(result.outcomes)}`);
      results.push(result);
    }
  } finally {
    await env.teardown();
    await dropDatabase(databaseUrl);
  }
  return { name: 'load', markdown: report(results), data: { runs: RUNS, targetPeakMb: TARGET_PEAK_MB, results } };
}

async function runLoad(env: TestWorkflowEnvironment, databaseUrl: string, setting: Setting, prefix: string): Promise<LoadRun> {
  const names = Array.from({ length: RUNS }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);
  const pipelinesDir = writeSpecs(names);
  const taskQueue = `bench-${prefix}`;
  const worker = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DRIFTLINE_PIPELINES_DIR: pipelinesDir,
      DRIFTLINE_METRICS_ADDRESS: 'off',
      DRIFTLINE_LOG_LEVEL: 'warn',
      ...setting.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  worker.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const pid = worker.pid as number;
  try {
    await untilPolled(env, taskQueue);
    const idleRssMb = memoryMb(pid, 'VmRSS');
    let peakRssMb = idleRssMb;
    const sampler = setInterval(() => {
      if (worker.exitCode === null) peakRssMb = Math.max(peakRssMb, memoryMb(pid, 'VmRSS'));
    }, SAMPLE_EVERY_MS);
    const started = Date.now();
    const ended = await Promise.all(names.map((name) => runOnce(env, taskQueue, name, started)));
    const wallMs = Date.now() - started;
    clearInterval(sampler);
    if (worker.exitCode !== null) throw new Error(`the worker process exited under load:\n${stderr}`);
    const seconds = ended.map((run) => run.seconds).sort((a, b) => a - b);
    return {
      setting: setting.label,
      workerEnv: setting.env,
      runs: RUNS,
      wallMs,
      outcomes: countOutcomes(ended.map((run) => run.outcome)),
      idleRssMb,
      peakRssMb,
      highWaterMb: memoryMb(pid, 'VmHWM'),
      runSeconds: { median: seconds[Math.floor(seconds.length / 2)] as number, max: seconds.at(-1) as number },
    };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
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

/** The bundled spec under each name, with a model of the same name: no two runs share a champion. */
function writeSpecs(names: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-load-'));
  const bundled = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as { model: object };
  for (const name of names) {
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ ...bundled, name, model: { ...bundled.model, name: `${name}-model` } }));
  }
  return dir;
}

async function createLoadDatabase(): Promise<string> {
  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = `/driftline_bench_load_${Date.now()}`;
  await ensureDatabase(url.toString());
  await migrateUp(url.toString());
  return url.toString();
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(new URL(databaseUrl).pathname.slice(1))} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function report(results: LoadRun[]): string {
  const rows = results.map((r) => {
    const settings = Object.entries(r.workerEnv).map(([key, value]) => `${key}=${value}`).join(' ') || '(none set)';
    const outcomes = Object.entries(r.outcomes).map(([outcome, count]) => `${count} ${outcome}`).join('; ');
    return `| ${r.setting} | ${settings} | ${(r.wallMs / 1000).toFixed(0)} s | ${r.runSeconds.median.toFixed(0)} s / ${r.runSeconds.max.toFixed(0)} s | ${outcomes} | ${r.idleRssMb.toFixed(0)} MB | **${r.peakRssMb.toFixed(0)} MB** | ${r.highWaterMb.toFixed(0)} MB |`;
  });
  const ours = results.at(-1) as LoadRun;
  return [
    `${RUNS} concurrent \`modelPipeline\` runs of the bundled pipeline (us-employment: 120 rows, ridge), each under its own pipeline and model name, started at once against one \`driftline worker\` process (workflows and activities on one queue) on a Temporal dev server and the machine's PostgreSQL. Resident memory is sampled every ${SAMPLE_EVERY_MS} ms while the runs go on.`,
    '',
    '| worker concurrency | environment | wall time | run time (median / slowest) | outcomes | idle RSS | peak RSS under load | high-water mark (incl. start-up bundling) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Goal: peak RSS under ${TARGET_PEAK_MB} MB with Driftline's defaults: **${ours.peakRssMb < TARGET_PEAK_MB ? 'met' : 'not met'}** (${ours.peakRssMb.toFixed(0)} MB).`,
  ].join('\n');
}
