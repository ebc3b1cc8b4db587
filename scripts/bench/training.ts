import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { Matrix, solve } from 'ml-matrix';
import pg from 'pg';
import { liveTrainingThreads } from '../../activities/training/run-in-thread';
import { ensureDatabase, migrateUp } from '../../lib/db/migrate';
import { createPool } from '../../lib/db/pool';
import { fitRidge } from '../../lib/model/ridge';
import { modelPipeline } from '../../workflows/pipeline';
import { DRIFTLINE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { createDriftlineWorker, WORKFLOWS_PATH } from '../../workers/create-worker';
import { pipelineFolderWith } from '../../test/support/pipelines';
import type { BenchResult } from '../support/bench-contract';
import { findOrBuildTemporal } from '../support/temporal-binary';

const ROWS = 1_000_000;
const FEATURES = 20;

/** Ridge on 1,000,000 × 20 and the runtime-norm cancellation latency, each against a named baseline. */
export async function benchTraining(say: (line: string) => void): Promise<BenchResult> {
  say('training: ridge on 1,000,000 × 20');
  const ridge = benchRidge();
  say('training: cancellation latency (deadline → thread gone)');
  const cancellation = await benchCancellation(say);
  const markdown = [
    '## Training',
    '',
    `Ridge regression on ${ROWS.toLocaleString('en-US')} rows × ${FEATURES} features (synthetic, seeded):`,
    '',
    '| implementation | fit time |',
    '|---|---|',
    `| Driftline's \`fitRidge\` (two streaming passes, Gram matrix in a Float64Array) | ${ridge.streamingMs.toFixed(0)} ms |`,
    `| baseline: textbook ml-matrix (standardized 1M×20 Matrix, ZᵀZ by mmul) | ${ridge.textbookMs.toFixed(0)} ms |`,
    '',
    `Speed-up ${(ridge.textbookMs / ridge.streamingMs).toFixed(1)}×; largest coefficient difference ${ridge.maxCoefficientDiff.toExponential(1)}.`,
    '',
    'Runtime-norm cancellation: a CPU-spinning module trainer under a 1 s explicit norm, on a local',
    'Temporal dev server. Latency from the norm timer firing to the training thread being gone:',
    '',
    '| worker heartbeat throttle | runs | median | max |',
    '|---|---|---|---|',
    ...cancellation.map((c) => `| ${c.label} | ${c.latenciesMs.length} | ${median(c.latenciesMs).toFixed(0)} ms | ${Math.max(...c.latenciesMs).toFixed(0)} ms |`),
    '',
    "Driftline's worker sets a 1 s heartbeat throttle, so a cancellation reaches the trainer within about a second;",
    'the SDK default (80 % of the 10 s heartbeat timeout) is the comparison.',
  ].join('\n');
  return { name: 'training', markdown, data: { ridge, cancellation } };
}

function benchRidge() {
  const { x, y } = syntheticRegression(ROWS, FEATURES);
  const names = Array.from({ length: FEATURES }, (_, j) => `f${j}`);
  const t0 = performance.now();
  const streaming = fitRidge(x, y, 1, names);
  const streamingMs = performance.now() - t0;
  const t1 = performance.now();
  const textbook = textbookRidge(x, y, 1);
  const textbookMs = performance.now() - t1;
  const maxCoefficientDiff = Math.max(...streaming.coefficients.map((c, j) => Math.abs(c - (textbook[j] as number))));
  return { rows: ROWS, features: FEATURES, streamingMs, textbookMs, maxCoefficientDiff };
}

/** The straightforward ml-matrix formulation, kept here only as the benchmark's baseline. */
function textbookRidge(x: number[][], y: number[], alpha: number): number[] {
  const X = new Matrix(x);
  const means = X.mean('column');
  const sds = X.standardDeviation('column', { unbiased: false, mean: means });
  const Z = X.clone().subRowVector(means).divRowVector(sds.map((s) => (s > 0 ? s : 1)));
  const yMean = y.reduce((s, v) => s + v, 0) / y.length;
  const gram = Z.transpose().mmul(Z).add(Matrix.eye(x[0]?.length ?? 0).mul(alpha));
  return solve(gram, Z.transpose().mmul(Matrix.columnVector(y.map((v) => v - yMean)))).getColumn(0);
}

function syntheticRegression(rows: number, features: number): { x: number[][]; y: number[] } {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const weights = Array.from({ length: features }, (_, j) => (j % 3) - 1 + j / features);
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < rows; r += 1) {
    const row = Array.from({ length: features }, () => random() * 10);
    x.push(row);
    y.push(row.reduce((s, v, j) => s + v * (weights[j] as number), 0) + random());
  }
  return { x, y };
}

async function benchCancellation(say: (line: string) => void) {
  const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `driftline_bench_${Date.now()}`;
  const databaseUrl = adminUrl.replace(/\/postgres$/, `/${dbName}`);
  await ensureDatabase(databaseUrl);
  await migrateUp(databaseUrl);
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: findOrBuildTemporal(say) }, ui: false, searchAttributes: DRIFTLINE_SEARCH_ATTRIBUTES },
  });
  const pool = createPool(databaseUrl);
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  const slowTrainer = fileURLToPath(new URL('../../test/fixtures/trainers/slow-trainer.ts', import.meta.url));
  const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-'));
  const results: { label: string; latenciesMs: number[] }[] = [];
  try {
    const settings: [string, Partial<WorkerOptions>][] = [
      ["Driftline's (1 s)", {}],
      ['SDK default (8 s)', { maxHeartbeatThrottleInterval: '60 seconds', defaultHeartbeatThrottleInterval: '30 seconds' }],
    ];
    for (const [label, throttle] of settings) {
      const latenciesMs: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const name = `bench-cancel-${results.length}-${run}`;
        pipelineFolderWith(name, (spec) => {
          spec.model = { name: `${name}-model`, trainer: { module: slowTrainer }, params: { spinMs: 60_000 } };
          spec.training = { norm: { maxSeconds: 1 } };
        }, pipelinesDir);
        latenciesMs.push(await measureOneCancellation(env, pool, bundle, pipelinesDir, name, throttle));
        say(`  ${label}: run ${run + 1}: ${latenciesMs.at(-1)?.toFixed(0)} ms`);
      }
      results.push({ label, latenciesMs });
    }
  } finally {
    await pool.end();
    await env.teardown();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  return results;
}

async function measureOneCancellation(
  env: TestWorkflowEnvironment,
  pool: ReturnType<typeof createPool>,
  bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>,
  pipelinesDir: string,
  name: string,
  throttle: Partial<WorkerOptions>,
): Promise<number> {
  const taskQueue = `bench-${name}`;
  const worker = await createDriftlineWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue },
    deps: { pool, pipelinesDir, codeVersion: 'bench' },
    workflowBundle: bundle,
    overrides: throttle,
  });
  let threadGoneAt = 0;
  await worker.runUntil(async () => {
    const run = env.client.workflow.execute(modelPipeline, { taskQueue, workflowId: name, args: [{ pipeline: name }] });
    let sawThread = false;
    while (!threadGoneAt) {
      const live = liveTrainingThreads();
      if (live > 0) sawThread = true;
      else if (sawThread) threadGoneAt = Date.now();
      await new Promise((r) => setTimeout(r, 2));
    }
    await run;
  });
  const history = await env.client.workflow.getHandle(`${name}/retrain`).fetchHistory();
  const fired = history.events?.find((e) => e.timerFiredEventAttributes);
  const firedAt = Number(fired?.eventTime?.seconds) * 1000 + Math.floor(Number(fired?.eventTime?.nanos) / 1e6);
  return threadGoneAt - firedAt;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error };
