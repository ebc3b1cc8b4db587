import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config';
import { quantile } from '../../lib/data/profile/numeric-accumulator';
import { ensureDatabase, migrateUp } from '../../lib/db/migrate';
import { prebuiltWorkflowBundle } from '../../workers/workflow-bundle';
import type { BenchResult } from '../support/bench-contract';
import { memoryMb } from './ingest/through-worker';
import { startBenchTemporal } from './pipeline-runs/bench-temporal';

const CLI = fileURLToPath(new URL('../driftline.mjs', import.meta.url));
const BENCH_WORKER = fileURLToPath(new URL('./worker-start/worker.ts', import.meta.url));
const ROUNDS = 3;
const IDLE_MS = 10_000;
const TARGETS = { readyMs: 3_000, idleRssMb: 250 };
const CLOCK_TICKS_PER_S = 100;

/** One way to start a worker process. */
interface Variant {
  label: string;
  args: string[];
}

// The same worker (scripts/bench/worker-start/worker.ts) with its workflows prebuilt or bundled at
// start, and `driftline worker` itself, the command users run (its CLI loads more modules).
const VARIANTS: Variant[] = [
  { label: 'bundled with webpack at start (before)', args: ['--import', 'tsx', BENCH_WORKER, 'source'] },
  { label: 'prebuilt bundle', args: ['--import', 'tsx', BENCH_WORKER, 'prebuilt'] },
  { label: '`driftline worker`, prebuilt bundle', args: [CLI, 'worker'] },
];

interface Start {
  /** Process start to its "driftline worker started" line. */
  readyMs: number;
  /** CPU seconds the process spent until then (user + system): the wall time less other load. */
  readyCpuS: number;
  /** Resident memory IDLE_MS after the start line, nothing to do. */
  idleRssMb: number;
  /** The process's high-water mark by then: start-up included. */
  highWaterMb: number;
}

/**
 * How fast a worker process is ready and how small it idles: the same worker with its workflows
 * bundled with webpack at start and with the prebuilt bundle, interleaved over ROUNDS rounds on a
 * Temporal dev server and the machine's PostgreSQL, medians reported.
 */
export async function benchWorkerStart(say: (line: string) => void): Promise<BenchResult> {
  await prebuiltWorkflowBundle(say);
  const databaseUrl = loadConfig().DATABASE_URL;
  await ensureDatabase(databaseUrl);
  await migrateUp(databaseUrl);
  const env = await startBenchTemporal(say);
  const starts: Start[][] = VARIANTS.map(() => []);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [index, variant] of VARIANTS.entries()) {
        const start = await startWorker(variant, { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: `bench-worker-start-${round}-${index}` });
        say(`round ${round}, ${variant.label}: ready in ${start.readyMs} ms (${start.readyCpuS.toFixed(1)} CPU s), idle ${start.idleRssMb.toFixed(0)} MB, high-water ${start.highWaterMb.toFixed(0)} MB`);
        starts[index]?.push(start);
      }
    }
  } finally {
    await env.teardown();
  }
  const results = VARIANTS.map((variant, index) => ({ variant: variant.label, starts: starts[index] ?? [], median: medianStart(starts[index] ?? []) }));
  return { name: 'worker-start', markdown: report(results), data: { rounds: ROUNDS, idleMs: IDLE_MS, targets: TARGETS, results } };
}

/** Spawns one worker, times it to its start line, reads its memory after IDLE_MS, and stops it. */
async function startWorker(variant: Variant, environment: Record<string, string>): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, variant.args, {
    env: { ...process.env, DRIFTLINE_METRICS_ADDRESS: 'off', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('driftline worker started')) resolve(Math.round(performance.now() - started));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`${variant.label}: the worker exited with ${code ?? signal}:\n${output.slice(-2000)}`)));
    });
    const readyCpuS = cpuSeconds(child.pid as number);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { readyMs, readyCpuS, idleRssMb: memoryMb(child.pid as number, 'VmRSS'), highWaterMb: memoryMb(child.pid as number, 'VmHWM') };
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}

/** utime + stime of a process from /proc/<pid>/stat (fields 14 and 15, after the parenthesised name). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

function medianStart(starts: Start[]): Start {
  const middle = (pick: (s: Start) => number) => quantile(Float64Array.from(starts.map(pick)).sort(), 0.5);
  return { readyMs: middle((s) => s.readyMs), readyCpuS: middle((s) => s.readyCpuS), idleRssMb: middle((s) => s.idleRssMb), highWaterMb: middle((s) => s.highWaterMb) };
}

function report(results: { variant: string; median: Start }[]): string {
  const rows = results.map(({ variant, median: m }) => `| ${variant} | ${(m.readyMs / 1000).toFixed(2)} s | ${m.readyCpuS.toFixed(1)} s | **${m.idleRssMb.toFixed(0)} MB** | ${m.highWaterMb.toFixed(0)} MB |`);
  const production = results.at(-1)?.median as Start;
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  return [
    `A worker process (workflows and all activities on one queue) started on a Temporal dev server and the machine's PostgreSQL, ${ROUNDS} rounds with the variants interleaved, medians. Ready: from spawning the process to its \`driftline worker started\` log line (search attributes checked, workflows loaded, connected; it polls right after). Idle RSS: ${IDLE_MS / 1000} s after that line, with nothing to do. The prebuilt bundle is \`.driftline/build/workflow-bundle.js\`, built by \`npm run build:workflows\` or by the first worker, demo or test run that finds it missing or stale.`,
    '',
    '| workflows | ready | CPU until ready | idle RSS | high-water mark |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Goals for \`driftline worker\`: ready in under ${TARGETS.readyMs / 1000} s: **${met(production.readyMs < TARGETS.readyMs)}** (${(production.readyMs / 1000).toFixed(2)} s); idle below ${TARGETS.idleRssMb} MB RSS: **${met(production.idleRssMb < TARGETS.idleRssMb)}** (${production.idleRssMb.toFixed(0)} MB).`,
  ].join('\n');
}
