import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { ensureDatabase, migrateUp } from '../../lib/db/migrate';
import { registerVersion } from '../../lib/db/model-registry';
import { createPool } from '../../lib/db/pool';
import { planTraining, trainWith } from '../../lib/model/model-artifact';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { BUILT_IN_TRAINERS } from '../../lib/trainers/built-in';
import { loadPenguins, PENGUIN_COLUMNS } from '../../test/support/vega-data';
import type { BenchResult } from '../support/bench-contract';

/** The `driftline` executable: it builds the CLI bundle first when a source changed. */
const CLI = fileURLToPath(new URL('../driftline.mjs', import.meta.url));
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PIPELINE = 'bench-serve-penguins';
const MODEL = `${PIPELINE}-model`;
/** The load: single rows at 200 requests/s for 60 s; then as fast as 8 concurrent clients go. */
const RATE = 200;
const RATE_SECONDS = 60;
/** Unmeasured load first: the JIT, the pool's connections and the log writer settle before the clock starts. */
const WARM_UP_SECONDS = 5;
const SATURATION_SECONDS = 8;
const CLIENTS = 8;

const COLUMNS = PENGUIN_COLUMNS;

interface Run {
  logging: boolean;
  load: string;
  rowsPerRequest: number;
  requests: number;
  failed: number;
  requestsPerS: number;
  rowsPerS: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Online predictions of a penguin-species classifier (logistic, trained here as the pipeline
 * would) over loopback HTTP: single-row requests at 200/s, then single-row and 100-row requests
 * at saturation, with every prediction logged and with logging off.
 */
export async function benchServe(say: (line: string) => void): Promise<BenchResult> {
  const databaseUrl = ADMIN_URL.replace(/\/postgres$/, `/driftline_bench_serve_${Date.now()}`);
  await ensureDatabase(databaseUrl);
  await migrateUp(databaseUrl);
  const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-serve-'));
  const birds = loadPenguins();
  const rows: Row[] = birds.map((bird) => Object.fromEntries(Object.keys(COLUMNS).map((c) => [c, bird[c] === '.' || bird[c] === undefined ? null : (bird[c] as Row[string])])));
  await registerChampion(databaseUrl, pipelinesDir, rows);
  const questions = rows.filter((row) => Object.values(row).every((v) => v !== null)).map(({ Species: _, ...rest }) => rest);
  const runs: Run[] = [];
  const loadBefore = os.loadavg()[0] as number;
  let logged = { answered: 0, logged: 0, failedWrites: 0, dropped: 0 };
  for (const logging of [true, false]) {
    const server = await startServer({ DATABASE_URL: databaseUrl, DRIFTLINE_PIPELINES_DIR: pipelinesDir }, logging);
    let counters = { answered: 0, failedWrites: 0 };
    try {
      const url = `${server.url}/v1/models/${MODEL}/predict`;
      const body = (n: number, i: number) => JSON.stringify(Array.from({ length: n }, (_, k) => questions[(i * n + k) % questions.length]));
      await fixedRate(url, RATE, WARM_UP_SECONDS, (i) => body(1, i));
      const runsOf = [
        { load: `${RATE}/s`, rowsPerRequest: 1, measure: () => fixedRate(url, RATE, RATE_SECONDS, (i) => body(1, i)) },
        { load: `saturation, ${CLIENTS} clients`, rowsPerRequest: 1, measure: () => closedLoop(url, CLIENTS, SATURATION_SECONDS, (i) => body(1, i)) },
        { load: `saturation, ${CLIENTS} clients`, rowsPerRequest: 100, measure: () => closedLoop(url, CLIENTS, SATURATION_SECONDS, (i) => body(100, i)) },
      ];
      for (const { load, rowsPerRequest, measure } of runsOf) {
        const measured = await measure();
        const run = { logging, load, rowsPerRequest, ...summarize(measured, rowsPerRequest) };
        runs.push(run);
        say(`logging ${logging ? 'on ' : 'off'} ${load}, ${rowsPerRequest} row(s): p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, ${run.requestsPerS.toFixed(0)} req/s, ${run.rowsPerS.toFixed(0)} rows/s, ${run.failed} failed`);
      }
      counters = readCounters(await (await fetch(`${server.url}/metrics`)).text());
    } finally {
      await stopServer(server.child);
      if (logging) {
        // The table is the truth: every prediction answered should be a row once the server has stopped.
        const rows = await countLogged(databaseUrl);
        logged = { answered: counters.answered, logged: rows, failedWrites: counters.failedWrites, dropped: counters.answered - rows };
        say(`answered ${logged.answered} predictions; ${logged.logged} rows in the predictions table, ${logged.failedWrites} failed writes, ${logged.dropped} dropped`);
      }
    }
  }
  // Other work on the machine shows in the tail latencies: the load average says how much there was.
  const load = { before: loadBefore, after: os.loadavg()[0] as number };
  return { name: 'serve', markdown: markdown(runs, load, logged), data: { loadAverage: load, rate: RATE, rateSeconds: RATE_SECONDS, warmUpSeconds: WARM_UP_SECONDS, saturationSeconds: SATURATION_SECONDS, clients: CLIENTS, runs, logged } };
}

/** Trains the classifier on every bird and makes it champion, as a pipeline run would leave it. */
async function registerChampion(databaseUrl: string, pipelinesDir: string, rows: Row[]): Promise<void> {
  const spec = PipelineSpec.parse({
    name: PIPELINE,
    kind: 'cross-sectional',
    source: { kind: 'file', path: 'none.csv', format: 'csv' },
    columns: COLUMNS,
    target: 'Species',
    features: { columns: ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'], categorical: ['Island', 'Sex'] },
    model: { name: MODEL, trainer: 'logistic', params: { alpha: 1 } },
    evaluation: { holdout: { fraction: 0.25, seed: 3 }, primaryMetric: 'log_loss' },
  });
  writeFileSync(path.join(pipelinesDir, `${PIPELINE}.json`), JSON.stringify(spec));
  const planned = planTraining(frameOfRows(rows, spec.columns), spec);
  const result = await trainWith(BUILT_IN_TRAINERS.logistic, { kind: 'built-in', name: 'logistic' }, planned, { alpha: 1 }, () => undefined);
  const pool = createPool(databaseUrl, 1);
  try {
    const version = await registerVersion(pool, {
      modelName: MODEL,
      pipeline: PIPELINE,
      runKey: 'bench',
      trainer: 'logistic',
      params: { alpha: 1 },
      artifact: result.artifact,
      artifactDigest: 'bench',
      fits: { evaluated: { ...result.evaluated.fit, artifactDigest: 'bench' } },
      trainingSnapshotIds: [],
      trainingWindow: { asOfSnapshotId: 1, snapshotIds: [], rows: rows.length, by: 'row', from: null, to: null },
      driftMethods: {},
      codeVersion: 'bench',
      trainerDigest: 'bench',
      metrics: result.metrics,
    });
    await pool.query("INSERT INTO model_aliases (model_name, alias, version_id) VALUES ($1, 'champion', $2)", [MODEL, version.id]);
  } finally {
    await pool.end();
  }
}

interface ServerProcess {
  child: ChildProcess;
  url: string;
}

/** `driftline serve` in a process of its own, as deployed: the load generator does not share its event loop. */
async function startServer(env: Record<string, string>, logging: boolean): Promise<ServerProcess> {
  const args = [CLI, 'serve', '--port', '0', '--max-rows', '1000', ...(logging ? [] : ['--no-log'])];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const served = /Serving predictions at (http:\/\/\S+?)\/v1\//.exec(output);
      if (served?.[1]) resolve(served[1]);
    });
    child.once('exit', (code) => reject(new Error(`driftline serve exited (${code}) before listening:\n${output}`)));
  });
  return { child, url };
}

/** SIGTERM lets requests in flight finish and the predictions still waiting be written before the process exits. */
async function stopServer(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Predictions answered (warm-up included) and failed log writes, from the server's Prometheus text. */
function readCounters(metrics: string): { answered: number; failedWrites: number } {
  const sum = (name: string) =>
    metrics
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return { answered: sum('driftline_serve_predictions_total'), failedWrites: sum('driftline_serve_log_failures_total') };
}

async function countLogged(databaseUrl: string): Promise<number> {
  const pool = createPool(databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM predictions WHERE model = $1', [MODEL]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await pool.end();
  }
}

interface Measured {
  latencies: number[];
  failed: number;
  seconds: number;
}

async function post(url: string, body: string): Promise<boolean> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  return response.ok;
}

/** Requests started on a fixed schedule (open loop), so a slow answer does not hide the ones queued behind it. */
async function fixedRate(url: string, rate: number, seconds: number, body: (i: number) => string): Promise<Measured> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const text = body(i);
    pending.push(
      post(url, text).then(
        (ok) => {
          // Measured from when the request was due: time waiting to be sent counts.
          latencies.push(performance.now() - due);
          if (!ok) failed += 1;
        },
        () => void (failed += 1),
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, failed, seconds: (performance.now() - started) / 1000 };
}

/** `clients` callers each sending the next request as soon as the last is answered. */
async function closedLoop(url: string, clients: number, seconds: number, body: (i: number) => string): Promise<Measured> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const text = body(next++);
        const t = performance.now();
        const ok = await post(url, text).catch(() => false);
        latencies.push(performance.now() - t);
        if (!ok) failed += 1;
      }
    }),
  );
  return { latencies, failed, seconds: (performance.now() - started) / 1000 };
}

function summarize({ latencies, failed, seconds }: Measured, rowsPerRequest: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { requests: latencies.length, failed, requestsPerS: latencies.length / seconds, rowsPerS: (latencies.length * rowsPerRequest) / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

function markdown(runs: Run[], load: { before: number; after: number }, logged: { answered: number; logged: number; failedWrites: number; dropped: number }): string {
  const lines = [
    `Online predictions of a penguin-species classifier (logistic regression, 6 input columns, 3 classes) over loopback HTTP: \`driftline serve\` in its own process, the load generator (Node fetch) in the bench's. Each server first takes ${WARM_UP_SECONDS} s of unmeasured load at ${RATE}/s. Single-row requests at ${RATE}/s for ${RATE_SECONDS} s (open loop: latency measured from when each request was due), then single-row and 100-row requests from ${CLIENTS} clients as fast as answered for ${SATURATION_SECONDS} s each; with every prediction logged to PostgreSQL (batched) and with logging off. Load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after (other work on the machine lengthens the tail).`,
    '',
    '| logging | load | rows/request | requests | failed | req/s | rows/s | p50 ms | p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map((r) => `| ${r.logging ? 'on' : 'off'} | ${r.load} | ${r.rowsPerRequest} | ${r.requests} | ${r.failed} | ${r.requestsPerS.toFixed(0)} | ${r.rowsPerS.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} |`),
    '',
    `With logging on, the server answered ${logged.answered} predictions (warm-up included); once it had stopped, the predictions table held ${logged.logged} of them (${logged.dropped} missing), and ${logged.failedWrites} writes had failed and been retried.`,
  ];
  return lines.join('\n');
}
