import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';
import { workflowBundle } from '../support/temporal-env';
import { JSON_ARRAY_AS_LINES } from '../../lib/data/records/jsonl-records';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import type { PipelineStatus } from '../../workflows/messages';

const TASK_QUEUE = 'cli-runs-test';
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-cli-runs-'));
let stack: WorkerStack;

/** The built-in pipeline's rows as objects, as a JSON export of the same data would hold them. */
function employmentRows(): Record<string, string | number>[] {
  const csv = resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: 'data/us-employment.csv', format: 'csv', delimiter: ',' }, '.');
  const [header, ...lines] = readFileSync(csv, 'utf8').trim().split('\n');
  const names = (header as string).split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [names[i] as string, i === 0 ? cell : Number(cell)])));
}

/** A pipeline reading `rows` written as `text` to a file of its own. */
function dataPipeline(name: string, text: string, format: 'json' | 'jsonl', change: (spec: Record<string, unknown>) => void = () => undefined): void {
  const file = path.join(pipelinesDir, `${name}.data`);
  writeFileSync(file, text);
  pipelineFolderWith(name, (spec) => {
    spec.source = { kind: 'file', path: file, format };
    change(spec);
  }, pipelinesDir);
}

/** A trainer that says where it is, then takes a few seconds: long enough for its progress to reach the parent run. */
function slowTrainer(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'driftline-slow-trainer-')), 'slow-trainer.js');
  writeFileSync(file, [
    'export function train(data, params, progress) {',
    "  progress(0.5, 'halfway through the slow trainer');",
    '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500);',
    '  return { mean: data.y.reduce((a, b) => a + b, 0) / data.y.length };',
    '}',
    'export function predict(model, x) {',
    '  return x.map(() => model.mean);',
    '}',
  ].join('\n'));
  return file;
}

/** A module trainer in a folder of its own outside the project, with no package.json: an ES module using top-level await and import.meta. */
function outsideTrainer(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-outside-trainer-'));
  const file = path.join(dir, 'mean-trainer.ts');
  writeFileSync(file, [
    "const origin: string = await Promise.resolve(new URL('.', import.meta.url).href);",
    'export function train(data: { y: number[] }): { mean: number; origin: string } {',
    '  return { mean: data.y.reduce((a, b) => a + b, 0) / data.y.length, origin };',
    '}',
    'export function predict(model: { mean: number }, x: number[][]): number[] {',
    '  return x.map(() => model.mean);',
    '}',
  ].join('\n'));
  return file;
}

const rows = employmentRows();

type History = Awaited<ReturnType<ReturnType<WorkerStack['env']['client']['workflow']['getHandle']>['fetchHistory']>>;

/** The DriftlineStage values a history upserted, in order. */
function stageValues(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.DriftlineStage;
    return upsert?.data ? [JSON.parse(Buffer.from(upsert.data).toString('utf8')) as string] : [];
  });
}

/** A history as the code before this change wrote it: stage values with spaces, no user metadata on commands. */
function asWrittenBefore(history: History): History {
  const events = (history.events ?? []).map((event) => {
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.DriftlineStage;
    if (upsert?.data) {
      const spaced = (JSON.parse(Buffer.from(upsert.data).toString('utf8')) as string).replaceAll('_', ' ');
      upsert.data = Buffer.from(JSON.stringify(spaced));
    }
    return { ...event, userMetadata: null };
  });
  return { ...history, events } as History;
}

beforeAll(async () => {
  pipelineFolderWith('followed', (spec) => {
    spec.promotion = { gates: {}, requireApproval: false };
  }, pipelinesDir);
  pipelineFolderWith('waiting', (spec) => {
    spec.promotion = { gates: {}, requireApproval: true };
  }, pipelinesDir);
  dataPipeline('json-array', JSON.stringify(rows, null, 2), 'json');
  dataPipeline('array-as-lines', JSON.stringify(rows, null, 2), 'jsonl');
  dataPipeline('missing-column', rows.map(({ nonfarm: _dropped, ...rest }) => JSON.stringify(rest)).join('\n'), 'jsonl');
  const trainer = outsideTrainer();
  pipelineFolderWith('outside-trainer', (spec) => {
    spec.model = { name: 'outside-trainer-model', trainer: { module: trainer } };
    spec.promotion = { gates: {}, requireApproval: false };
  }, pipelinesDir);
  pipelineFolderWith('slow', (spec) => {
    spec.model = { name: 'slow-model', trainer: { module: slowTrainer() } };
    spec.promotion = { gates: {}, requireApproval: false };
  }, pipelinesDir);
  pipelineFolderWith('hourly', (spec) => {
    spec.schedule = { every: '1h' };
    // Time-bounded: a run reads the rows up to the time slot it stands for.
    spec.source = { ...(spec.source as object), where: [{ column: 'month', to: 'logicalDate' }] };
  }, pipelinesDir);
  stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir });
});

afterAll(async () => {
  await stack?.stop();
});

function driftline(...args: string[]) {
  return runDriftline(
    { DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: pipelinesDir },
    ...args,
  );
}

async function statusOf(workflowId: string): Promise<{ workflowStatus: string; status: PipelineStatus }> {
  const shown = await driftline('status', workflowId, '--json');
  expect(shown.code, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout);
}

describe('following a run', () => {
  it('keeps every stage with its time; watch prints them all, and status shows no progress once training ended', async () => {
    const started = await driftline('run', '--pipeline', 'followed', '--no-wait', '--json', '--by', 'tester');
    expect(started.code, started.stderr).toBe(0);
    const { workflowId } = JSON.parse(started.stdout);
    const watched = await driftline('watch', workflowId);
    expect(watched.code, watched.stderr).toBe(0);

    const { status } = await statusOf(workflowId);
    const stages = (status.history ?? []).map((entry) => entry.stage);
    expect(stages).toEqual([...status.completed, 'done']);
    expect(stages).toEqual(['loading spec', 'ingesting', 'validating', 'checking drift', 'training', 'evaluating', 'promoting', 'done']);
    const times = (status.history ?? []).map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(status.training?.progress).toBeUndefined();

    // Every stage, however short, in order, once each: read from the history, not from what a poll happened to see.
    const printed = watched.stdout.trim().split('\n').filter((line) => /^\d\d:\d\d:\d\d {2}\S/.test(line)).map((line) => line.slice(10));
    expect(printed).toEqual(stages);
    const human = await driftline('status', workflowId);
    expect(human.stdout).toMatch(/stage "done"\n/);
    expect(human.stdout).toMatch(/stages\s+\d\d:\d\d:\d\d loading spec → .* → \d\d:\d\d:\d\d done/);

    // The Temporal UI's list line and the run's details say what it was and what happened.
    const handle = stack.env.client.workflow.getHandle(workflowId);
    expect(await (await handle.describe()).staticSummary()).toBe('followed: manual run by tester');
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toMatch(/^followed → v\d+ \*\*promoted\*\*/);
    const child = stack.env.client.workflow.getHandle(`${workflowId}/retrain`);
    expect(await (await child.describe()).staticSummary()).toBe(`followed: train a candidate on snapshot ${status.snapshot?.id}`);
    expect((await child.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails).toMatch(/^followed → trained v\d+ in /);
  });

  it("shows its child's training progress in its own status while it trains, and none after", async () => {
    // The slow trainer reports one message, then waits: the child passes it on to this run.
    const started = JSON.parse((await driftline('run', '--pipeline', 'slow', '--no-wait', '--json')).stdout);
    for (let seen = await statusOf(started.workflowId); !seen.status.training?.progress; seen = await statusOf(started.workflowId)) {
      expect(seen.workflowStatus).toBe('RUNNING');
      await new Promise((r) => setTimeout(r, 200));
    }
    const during = await driftline('status', started.workflowId);
    await stack.env.client.workflow.getHandle(started.workflowId).result();
    const after = await statusOf(started.workflowId);
    expect(after.status.training?.progress).toBeUndefined();
    expect(during.stdout).toMatch(/stage "training \d+% /);
    // Both runs replay from their histories: the signals passed on, and the patch marking them, are deterministic.
    for (const workflowId of [started.workflowId, `${started.workflowId}/retrain`]) {
      const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
    }
  });

  it('runs drift-gated from the CLI: --if-drifted keeps the champion on unchanged data', async () => {
    const gated = await driftline('run', '--pipeline', 'followed', '--if-drifted', '--json');
    expect(gated.code, gated.stderr).toBe(0);
    const outcome = JSON.parse(gated.stdout);
    expect(outcome.result).toMatchObject({ trainingOutcome: 'skipped', promoted: false });
    expect(outcome.status.history.map((entry: { stage: string }) => entry.stage)).not.toContain('training');
  });

  it.each([
    [['run', '--pipeline', 'followed', '--trigger', 'sometimes'], /--trigger: must be manual or schedule/],
    [['run', '--pipeline', 'followed', '--if-drifted', '--trigger', 'manual'], /--if-drifted runs as --trigger schedule, not --trigger manual/],
    [['retrain', '--pipeline', 'followed', '--if-drifted'], /unknown option '--if-drifted'/],
  ])('%j is refused on one line (exit 2)', async (args, message) => {
    const result = await driftline(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('tags a waiting run with a stage value the Temporal UI can filter on (awaiting_approval); the approval receipt says "version N"', async () => {
    const started = JSON.parse((await driftline('run', '--pipeline', 'waiting', '--no-wait', '--json')).stdout);
    for (let status = await statusOf(started.workflowId); status.status.stage !== 'awaiting approval'; status = await statusOf(started.workflowId)) {
      expect(status.workflowStatus).toBe('RUNNING');
      await new Promise((r) => setTimeout(r, 200));
    }
    const found: string[] = [];
    for (let attempt = 0; attempt < 50 && !found.includes(started.workflowId); attempt += 1) {
      for await (const run of stack.env.client.workflow.list({ query: 'DriftlinePipeline = "waiting" AND DriftlineStage = "awaiting_approval"' })) found.push(run.workflowId);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toContain(started.workflowId);
    // The receipt names the version as people know it.
    const { awaitingApproval } = (await statusOf(started.workflowId)).status;
    const approved = await driftline('approve', started.workflowId, '--by', 'tester', '--reason', 'looks right');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout.trim()).toBe(`approved: version ${awaitingApproval?.version} (${started.workflowId})`);

    // A run started before stage values lost their spaces, and before runs carried a summary, still replays.
    const handle = stack.env.client.workflow.getHandle(started.workflowId);
    await handle.result();
    const written = await handle.fetchHistory();
    expect(stageValues(written)).toContain('awaiting_approval');
    const history = asWrittenBefore(written);
    expect(stageValues(history)).toContain('awaiting approval');
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, started.workflowId);
  });
});

describe('scheduled runs', () => {
  it('record the scheduled time a backfilled run stands for as its logical date, and read the rows up to it', async () => {
    expect((await driftline('schedule', 'apply', '--pipeline', 'hourly')).code).toBe(0);
    await driftline('schedule', 'pause', '--pipeline', 'hourly', '--note', 'only the backfill');
    // A slot late enough for the spec's rowCount check (at least 100 months), early enough to leave rows out.
    const from = '2014-06-01T00:30:00Z';
    const to = '2014-06-01T01:30:00Z';
    expect((await driftline('schedule', 'backfill', '--pipeline', 'hourly', '--from', from, '--to', to)).code).toBe(0);
    const ids: string[] = [];
    for (let attempt = 0; attempt < 50 && ids.length === 0; attempt += 1) {
      for await (const run of stack.env.client.workflow.list({ query: 'TemporalScheduledById = "driftline-hourly"' })) ids.push(run.workflowId);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids).toHaveLength(1);
    const handle = stack.env.client.workflow.getHandle(ids[0] as string);
    const result = await handle.result();
    const scheduledAt = (await handle.describe()).searchAttributes.TemporalScheduledStartTime?.[0] as Date;
    expect(result.logicalDate).toBe(scheduledAt.toISOString());
    expect(Date.parse(result.logicalDate as string)).toBeGreaterThanOrEqual(Date.parse(from));
    expect(Date.parse(result.logicalDate as string)).toBeLessThanOrEqual(Date.parse(to));
    expect((await statusOf(ids[0] as string)).status.logicalDate).toBe(result.logicalDate);
    const months = employmentRows().map((row) => Date.parse(row.month as string));
    const upToSlot = months.filter((month) => month <= Date.parse(result.logicalDate as string)).length;
    expect(upToSlot).toBeLessThan(months.length);
    const data = JSON.parse((await driftline('data', '--snapshot', String(result.snapshotId), '--json')).stdout);
    expect(data.rowCount).toBe(upToSlot);
    expect(data.filteredCount).toBe(months.length - upToSlot);
    expect(await (await handle.describe()).staticSummary()).toBe('hourly: scheduled run (trains when the data drifted)');
  });
});

describe('ingest that quarantines every row', () => {
  it('names the reason with its count: a JSON array declared as JSON Lines', async () => {
    const run = await driftline('run', '--pipeline', 'array-as-lines');
    expect(run.code).toBe(1);
    const lines = JSON.stringify(rows, null, 2).split('\n').length;
    const reason = `${lines.toLocaleString('en-US')} rows: ${JSON_ARRAY_AS_LINES}`;
    expect(run.stdout).toContain(reason);
    const workflowId = /started (\S+)/.exec(run.stdout)?.[1] as string;
    const { status } = await statusOf(workflowId);
    expect(status.lastError).toContain(reason);
    const snapshot = Number(/snapshot (\d+)\)/.exec(status.lastError ?? '')?.[1]);
    const data = await driftline('data', '--snapshot', String(snapshot), '--quarantine', '--limit', '2');
    expect(data.code, data.stderr).toBe(0);
    expect(data.stdout).toContain(`${lines} read: 0 accepted, ${lines} quarantined`);
    expect(data.stdout).toContain(reason);
    expect(data.stdout).toContain(`line 1: ${JSON_ARRAY_AS_LINES}`);
    expect(data.stdout).toContain(`the first 2 of ${lines}`);
    // Kept for reading, but not the pipeline's newest data: a retrain started on its own will not train on nothing.
    const recorded = await stack.pool.query("SELECT count(*)::int AS n FROM pipeline_snapshots WHERE pipeline = 'array-as-lines'");
    expect(recorded.rows[0]).toEqual({ n: 0 });
    const json = JSON.parse((await driftline('data', '--snapshot', String(snapshot), '--json')).stdout);
    expect(json).toMatchObject({ id: snapshot, rowCount: 0, quarantinedCount: lines, quarantineReasons: [{ reason: JSON_ARRAY_AS_LINES, rows: lines }] });
  });

  it('names a column missing from every record', async () => {
    const run = await driftline('run', '--pipeline', 'missing-column', '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error).toContain(`${rows.length} rows: column "nonfarm" is missing`);
  });

  it('explains itself with an example', async () => {
    const help = await driftline('data', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Example:\n {2}driftline data --snapshot \d+ --quarantine/);
  });

  it.each([
    [['data', '--snapshot', '999999'], /snapshot 999999 does not exist/],
    [['data', '--snapshot', 'latest'], /--snapshot: must be a snapshot id/],
    [['data'], /required option '-s, --snapshot <id>'/],
  ])('%j is refused on one line (exit 2)', async (args, message) => {
    const result = await driftline(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('sources and trainers as teams have them', () => {
  it('reads a JSON array file ("format": "json") as the same rows as the CSV', async () => {
    const run = await driftline('run', '--pipeline', 'json-array', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).status.snapshot).toMatchObject({ rows: rows.length, quarantined: 0 });
  });

  it('trains with a module trainer outside the project that has no package.json', async () => {
    const run = await driftline('run', '--pipeline', 'outside-trainer', '--json');
    expect(run.code, run.stderr).toBe(0);
    const { result } = JSON.parse(run.stdout);
    expect(result).toMatchObject({ trainingOutcome: 'succeeded' });
    // The stored model holds what the module computed at its top level from import.meta: it ran as an ES module, in its own folder.
    const stored = await stack.pool.query("SELECT artifact FROM model_versions WHERE model_name = 'outside-trainer-model' AND version = $1", [result.version]);
    expect(JSON.stringify(stored.rows[0]?.artifact)).toContain('driftline-outside-trainer-');
  });
});
