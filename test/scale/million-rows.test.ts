import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import type { Pool } from '../../lib/db/pool';
import { mulberry32 } from '../../lib/stats/mulberry32';
import { evaluateVersion } from '../../workflows/evaluate-version';
import { statusQuery } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

/**
 * The scale on the real thing: 1,000,000-row snapshots ingested from CSV, validated,
 * compared for drift, trained on, evaluated and promoted by one worker on a real Temporal server
 * and PostgreSQL. It prints how long each activity took, the process's peak RSS and its longest
 * event-loop stall (measurements, not assertions: they belong to benchmarks); what it asserts is
 * that every step finished on its first attempt — no heartbeat or other timeout on the way.
 */

const ROWS = 1_000_000;
const TASK_QUEUE = 'million-rows-test';
const STORES = ['north', 'south', 'east', 'west', 'central'];
const CHANNELS = ['web', 'shop', 'phone'];
const MINUTE = 60_000;
const START = Date.UTC(2020, 0, 1);

const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-million-'));
let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

beforeAll(async () => {
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
  // Five CSVs of about 75 MB each.
  rmSync(pipelinesDir, { recursive: true, force: true });
});

/** How one snapshot's data is generated: its minutes, and whether demand answers price the old way or the shifted way. */
interface Batch {
  seed: number;
  /** Minutes after 2020-01-01 of the first row; rows are one minute apart. */
  fromMinute: number;
  shifted: boolean;
}

/**
 * Minute-by-minute demand at five stores: ten columns (time, two categories, integers, numbers),
 * demand driven by price, temperature, traffic, promotions and the store. A shifted batch has
 * higher prices, warmer weather and customers twice as sensitive to price: drift in the inputs
 * and in the relation, so a model trained on it beats one trained before.
 */
async function writeDemandCsv(file: string, { seed, fromMinute, shifted }: Batch): Promise<void> {
  const random = mulberry32(seed);
  const out = createWriteStream(file);
  const priceSensitivity = shifted ? -6 : -3;
  let lines: string[] = ['ts,store,channel,promo,price,temp,traffic,visits,discount,demand'];
  for (let i = 0; i < ROWS; i += 1) {
    const store = Math.floor(random() * STORES.length);
    const channel = CHANNELS[Math.floor(random() * CHANNELS.length)] as string;
    const promo = random() < 0.1 ? 1 : 0;
    const price = (shifted ? 12 : 10) + 2 * (random() - 0.5);
    const temp = (shifted ? 22 : 15) + 10 * Math.sin(((fromMinute + i) / 1440) * 2 * Math.PI / 365) + 4 * (random() - 0.5);
    const traffic = Math.floor(200 + 100 * random());
    const visits = Math.floor(traffic * (0.3 + 0.2 * random()));
    const discount = promo ? 0.1 + 0.2 * random() : 0;
    const demand = 80 + priceSensitivity * price + 0.5 * temp + 0.1 * traffic + 8 * promo + 3 * store + 4 * (random() - 0.5);
    lines.push(
      `${new Date(START + (fromMinute + i) * MINUTE).toISOString()},${STORES[store]},${channel},${promo},${price.toFixed(4)},${temp.toFixed(3)},${traffic},${visits},${discount.toFixed(3)},${demand.toFixed(4)}`,
    );
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
      lines = [];
    }
  }
  out.end(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  await once(out, 'finish');
}

/** A pipeline reading `<name>.csv`: ridge on the day's inputs and the last two minutes' demand. */
function demandPipeline(name: string): string {
  pipelineFolderWith(name, (spec) => {
    spec.description = 'Demand per minute, 1,000,000-row snapshots';
    spec.source = { kind: 'file', path: `${name}.csv`, format: 'csv' };
    spec.columns = {
      ts: { type: 'timestamp' },
      store: { type: 'categorical' },
      channel: { type: 'categorical' },
      promo: { type: 'integer', min: 0, max: 1 },
      price: { type: 'numeric', min: 0 },
      temp: { type: 'numeric' },
      traffic: { type: 'integer', min: 0 },
      visits: { type: 'integer', min: 0 },
      discount: { type: 'numeric', min: 0, max: 1 },
      demand: { type: 'numeric' },
    };
    spec.timeColumn = 'ts';
    spec.keyColumns = ['ts'];
    spec.target = 'demand';
    spec.features = { columns: ['price', 'temp', 'traffic', 'promo'], categorical: ['store'], targetLags: [1, 2] };
    spec.model = { name: `${name}-model`, trainer: 'ridge', params: { alpha: 1 } };
    spec.evaluation = { holdout: { fraction: 0.2 }, primaryMetric: 'rmse' };
    spec.promotion = { gates: {}, requireApproval: false };
    spec.checks = { rowCount: { min: 1000 }, quarantinedShare: { max: 0.01 }, duplicateKeys: { severity: 'fail' } };
  }, pipelinesDir);
  return name;
}

/** Peak RSS and the longest event-loop stall while `work` runs. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; peakRssMb: number; maxStallMs: number; wallS: number }> {
  const stall = monitorEventLoopDelay({ resolution: 20 });
  stall.enable();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
  const started = Date.now();
  try {
    const value = await work();
    return { value, peakRssMb: Math.round(peak / 2 ** 20), maxStallMs: Math.round(stall.max / 1e6), wallS: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(sampler);
    stall.disable();
  }
}

interface ActivityRun {
  workflowId: string;
  activity: string;
  seconds: number;
  attempt: number;
  timedOut: boolean;
}

/** Every activity of a run and of its child workflows, from their histories: how long it ran and on which attempt it finished. */
async function activitiesOf(workflowId: string): Promise<ActivityRun[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const at = (event: temporal.api.history.v1.IHistoryEvent) => Number(event.eventTime?.seconds ?? 0) + (event.eventTime?.nanos ?? 0) / 1e9;
  const scheduled = new Map<number, { activity: string; at: number }>();
  const started = new Map<number, number>();
  const runs: ActivityRun[] = [];
  const children: string[] = [];
  for (const event of events) {
    const id = Number(event.eventId);
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(id, { activity: s.activityType?.name ?? '?', at: at(event) });
    const st = event.activityTaskStartedEventAttributes;
    if (st) started.set(Number(st.scheduledEventId), st.attempt ?? 1);
    const end = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (end) {
      const from = scheduled.get(Number(end.scheduledEventId));
      runs.push({
        workflowId,
        activity: from?.activity ?? '?',
        seconds: at(event) - (from?.at ?? at(event)),
        attempt: started.get(Number(end.scheduledEventId)) ?? 1,
        timedOut: event.activityTaskTimedOutEventAttributes !== null && event.activityTaskTimedOutEventAttributes !== undefined,
      });
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (child) children.push(child);
  }
  for (const child of children) runs.push(...(await activitiesOf(child)));
  return runs;
}

function report(title: string, runs: ActivityRun[], figures: { peakRssMb: number; maxStallMs: number; wallS: number }): void {
  const lines = runs.map((r) => `  ${r.workflowId.padEnd(28)} ${r.activity.padEnd(22)} ${r.seconds.toFixed(1).padStart(7)} s  attempt ${r.attempt}${r.timedOut ? ' TIMED OUT' : ''}`);
  console.log(`${title}: ${figures.wallS.toFixed(0)} s wall, peak RSS ${figures.peakRssMb} MB, longest event-loop stall ${figures.maxStallMs} ms\n${lines.join('\n')}`);
}

const run = (pipeline: string, workflowId: string) =>
  env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline, requestedBy: 'test', trigger: 'manual' }] });

/** Runs the pipeline to its end; its result, last status, and every activity it ran. */
async function runToEnd(pipeline: string, workflowId: string) {
  const handle = await run(pipeline, workflowId);
  const result = await handle.result();
  return { result, status: await handle.query(statusQuery), activities: await activitiesOf(workflowId) };
}

function expectFirstAttempts(activities: ActivityRun[]): void {
  expect(activities.filter((a) => a.timedOut || a.attempt > 1)).toEqual([]);
}

/** The run's snapshot holds every generated row, and its version learned from all of them. */
async function expectMillionRows(result: { snapshotId: number; versionId?: number }): Promise<void> {
  const snapshot = await pool.query('SELECT row_count, quarantined_count FROM snapshots WHERE id = $1', [result.snapshotId]);
  expect(snapshot.rows[0]).toMatchObject({ row_count: ROWS, quarantined_count: 0 });
  const version = await pool.query("SELECT (training_window->>'rows')::int AS rows FROM model_versions WHERE id = $1", [result.versionId]);
  expect(version.rows[0]).toEqual({ rows: ROWS });
}

describe('a 1,000,000-row pipeline on a real Temporal server and PostgreSQL', () => {
  it('ingests, validates, trains, evaluates and promotes; then sees the shifted second snapshot drift and promotes its retrained model', async () => {
    const name = demandPipeline('million');
    await writeDemandCsv(path.join(pipelinesDir, `${name}.csv`), { seed: 1, fromMinute: 0, shifted: false });
    const first = await measured(() => runToEnd(name, 'million-1'));
    report('first snapshot', first.value.activities, first);
    expect(first.value.result).toMatchObject({ version: 1, promoted: true });
    await expectMillionRows(first.value.result);
    expectFirstAttempts(first.value.activities);

    await writeDemandCsv(path.join(pipelinesDir, `${name}.csv`), { seed: 2, fromMinute: ROWS, shifted: true });
    const second = await measured(() => runToEnd(name, 'million-2'));
    report('shifted second snapshot', second.value.activities, second);
    expect(second.value.status.drift?.verdict).toBe('fail');
    expect(second.value.status.drift?.drifted.map((c) => c.column)).toEqual(expect.arrayContaining(['price', 'temp']));
    expect(second.value.result).toMatchObject({ version: 2, promoted: true });
    await expectMillionRows(second.value.result);
    expectFirstAttempts(second.value.activities);

    // The old champion, scored on the shifted snapshot, is worse there than the version trained on it.
    const score = (version: number) =>
      env.client.workflow.execute(evaluateVersion, {
        taskQueue: TASK_QUEUE,
        workflowId: `million-score-v${version}`,
        args: [{ model: `${name}-model`, version, snapshotId: second.value.result.snapshotId }],
      });
    const scored = await measured(() => Promise.all([score(1), score(2)]));
    const [old, retrained] = scored.value;
    report('both versions scored on the shifted snapshot', [...(await activitiesOf('million-score-v1')), ...(await activitiesOf('million-score-v2'))], scored);
    expect(old.examples).toBe(retrained.examples);
    expect(old.examples).toBeGreaterThan(ROWS * 0.99);
    expect(old.metrics.rmse).toBeGreaterThan(retrained.metrics.rmse as number);
  }, 900_000);

  it('runs three such pipelines at once on one worker, none losing its heartbeat', async () => {
    const names = ['million-a', 'million-b', 'million-c'].map(demandPipeline);
    await Promise.all(names.map((name, i) => writeDemandCsv(path.join(pipelinesDir, `${name}.csv`), { seed: 10 + i, fromMinute: 0, shifted: false })));
    const all = await measured(() => Promise.all(names.map((name) => runToEnd(name, `${name}-1`))));
    report('three at once', all.value.flatMap((r) => r.activities), all);
    for (const { result, activities } of all.value) {
      expect(result).toMatchObject({ version: 1, promoted: true });
      await expectMillionRows(result);
      expectFirstAttempts(activities);
    }
  }, 900_000);
});
