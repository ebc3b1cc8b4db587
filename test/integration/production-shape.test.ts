import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPool, type Pool } from '../../lib/db/pool';
import { modelPipeline } from '../../workflows/pipeline';
import { checkNowSignal, monitorPipeline, monitorStatusQuery, stopMonitorSignal } from '../../workflows/monitor';
import { freePort } from '../support/free-port';
import { pipelineFolderWith } from '../support/pipelines';
import { startTemporal } from '../support/temporal-env';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const CLI = fileURLToPath(new URL('../../scripts/driftline.mjs', import.meta.url));
const MAIN_QUEUE = 'prod-main';
const TRAINING_QUEUE = 'prod-training';
const DB_PASSWORD = 'Sekr3t-db-passw0rd';

let env: TestWorkflowEnvironment;
let pool: Pool;
let webhook: WebhookReceiver;
let pipelinesDir: string;
/** `stdout` is the log stream (JSON lines); `output` is everything, stderr included. */
const workers: { process: ChildProcess; stdout: string[]; output: string[]; metricsPort: number }[] = [];


/** `driftline worker --queues …` as a real process, with a password in DATABASE_URL and a secret webhook. */
async function startWorker(queues: string) {
  const metricsPort = await freePort();
  const url = new URL(inject('databaseUrl'));
  url.password = DB_PASSWORD;
  const child = spawn(process.execPath, [CLI, 'worker', '--queues', queues], {
    env: {
      ...process.env,
      DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: MAIN_QUEUE,
      DRIFTLINE_TRAINING_TASK_QUEUE: TRAINING_QUEUE,
      DRIFTLINE_PIPELINES_DIR: pipelinesDir,
      DRIFTLINE_WEBHOOK_URL: webhook.url,
      DRIFTLINE_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker = { process: child, stdout: [] as string[], output: [] as string[], metricsPort };
  workers.push(worker);
  await new Promise<void>((resolve, reject) => {
    const collect = (into: string[][]) => {
      let buffer = '';
      return (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const target of into) target.push(...lines);
        if (lines.some((l) => l.includes('driftline worker started'))) resolve();
      };
    };
    child.stdout?.on('data', collect([worker.stdout, worker.output]));
    child.stderr?.on('data', collect([worker.output]));
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}:\n${worker.output.join('\n')}`)));
  });
  return worker;
}

beforeAll(async () => {
  env = await startTemporal();
  pool = createPool(inject('databaseUrl'));
  webhook = await startWebhookReceiver();
  pipelinesDir = pipelineFolderWith('prod');
});

afterAll(async () => {
  for (const w of workers) if (w.process.exitCode === null) w.process.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.process.exitCode === null ? w.process.once('exit', r) : r(null)))));
  await pool?.end();
  await webhook?.close();
  await env?.teardown();
});

describe('production shape', () => {
  it('splits one run over two workers: ingest on the main queue, training on the training queue', async () => {
    const main = await startWorker('main');
    const training = await startWorker('training');
    const result = await env.client.workflow.execute(modelPipeline, { taskQueue: MAIN_QUEUE, workflowId: 'split-run', args: [{ pipeline: 'prod' }] });
    expect(result.promoted).toBe(true);

    const identityOf = async (workflowId: string, activityType: string) => {
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType);
      const started = history.events?.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled?.eventId));
      return started?.activityTaskStartedEventAttributes?.identity ?? '';
    };
    expect(await identityOf('split-run', 'ingestSnapshot')).toMatch(new RegExp(`^${main.process.pid}@`));
    expect(await identityOf('split-run/retrain', 'trainCandidate')).toMatch(new RegExp(`^${training.process.pid}@`));
  });

  it("serves Temporal's and Driftline's metrics on each worker's Prometheus endpoint", async () => {
    const [main, training] = workers as [(typeof workers)[0], (typeof workers)[0]];
    const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const mainMetrics = await scrape(main.metricsPort);
    expect(mainMetrics).toMatch(/driftline_pipeline_outcomes\S*\{[^}]*outcome="promoted"[^}]*pipeline="prod"/);
    expect(mainMetrics).toMatch(/driftline_notification_backlog\S* \d+/);
    expect(mainMetrics).toMatch(/temporal_workflow_completed/);
    const trainingMetrics = await scrape(training.metricsPort);
    expect(trainingMetrics).toMatch(/driftline_training_duration_seconds\S*_count\{[^}]*outcome="succeeded"/);
  });

  it('logs JSON lines carrying the workflow id, and never a secret', async () => {
    const [main] = workers as [(typeof workers)[0]];
    const lines = main.stdout.filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(3);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const ingest = records.find((r) => r.workflowId === 'split-run' && r.activityType === 'ingestSnapshot');
    expect(ingest).toMatchObject({ pipeline: 'prod', workflowRunId: expect.any(String) });
    expect(records.some((r) => 'taskToken' in r)).toBe(false);
    for (const w of workers) {
      const all = w.output.join('\n');
      expect(all).not.toContain(DB_PASSWORD);
      expect(all).not.toContain(webhook.token);
    }
  });

  it('runs a monitoring workflow that continues as new and keeps each history bounded', async () => {
    const handle = await env.client.workflow.start(monitorPipeline, {
      taskQueue: MAIN_QUEUE,
      workflowId: 'monitor-prod',
      args: [{ pipeline: 'prod', every: '1m', checksPerRun: 2 }],
    });
    // An interval is at least a minute: the test asks for each next check instead of waiting it out.
    let nudgedAfter = -1;
    const nudge = async () => {
      const status = await handle.query(monitorStatusQuery).catch(() => undefined);
      if (status?.nextCheckAt === undefined || status.checks === nudgedAfter) return;
      nudgedAfter = status.checks;
      await handle.signal(checkNowSignal);
    };
    const runs = async () => {
      const found: { runId: string; status: string; historyLength: number }[] = [];
      for await (const run of env.client.workflow.list({ query: 'WorkflowId = "monitor-prod"' })) {
        found.push({ runId: run.runId, status: run.status.name, historyLength: run.historyLength });
      }
      return found;
    };
    let seen = await runs();
    while (seen.filter((r) => r.status === 'CONTINUED_AS_NEW').length < 2) {
      await nudge();
      await new Promise((r) => setTimeout(r, 500));
      seen = await runs();
    }
    await handle.signal(stopMonitorSignal);
    const continued = seen.filter((r) => r.status === 'CONTINUED_AS_NEW');
    // Two checks per run: each history holds a bounded number of events, however long it monitors.
    for (const run of continued) expect(run.historyLength).toBeLessThan(60);
    const latest = await env.client.workflow.getHandle('monitor-prod').result();
    expect(latest.checks).toBeGreaterThanOrEqual(5);
  });
});
