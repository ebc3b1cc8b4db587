import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';

const execute = promisify(execFile);
const TASK_QUEUE = 'operations-test';

let env: TestWorkflowEnvironment;
let stack: WorkerStack;
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-ops-'));

beforeAll(async () => {
  pipelineFolderWith('scheduled', (spec) => {
    spec.model = { name: 'scheduled-model', trainer: 'ridge', params: { alpha: 10 } };
    spec.schedule = { every: '1h', timezone: 'Europe/Paris' };
  }, pipelinesDir);
  pipelineFolderWith('gated', (spec) => {
    spec.model = { name: 'gated-model', trainer: 'ridge', params: { alpha: 10 } };
    spec.promotion = { gates: {}, requireApproval: true };
  }, pipelinesDir);
  ({ env } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

/** The `driftline` executable as a user runs it, against the test server, database and pipelines. */
function driftline(...args: string[]) {
  return runDriftline(
    { DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: pipelinesDir },
    ...args,
  );
}

/** The real `temporal` CLI binary against the test server. */
const temporal = async (...args: string[]) => (await execute(inject('temporalPath'), [...args, '--address', env.address])).stdout;

/** Visibility is eventually consistent: retry a list query until it finds what it should. */
async function listUntil(query: string, atLeast: number): Promise<string[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const ids: string[] = [];
    for await (const execution of env.client.workflow.list({ query })) ids.push(execution.workflowId);
    if (ids.length >= atLeast) return ids;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`fewer than ${atLeast} runs match ${query}`);
}

describe('schedules', () => {
  it('are applied idempotently, triggered, paused and backfilled from the CLI', async () => {
    expect(await driftline('schedule', 'apply', '--pipeline', 'scheduled')).toMatchObject({ code: 0, stdout: 'driftline-scheduled: created\n' });
    expect(await driftline('schedule', 'apply', '--pipeline', 'scheduled')).toMatchObject({ code: 0, stdout: 'driftline-scheduled: updated\n' });

    const described = await env.client.schedule.getHandle('driftline-scheduled').describe();
    expect(described.spec.timezone).toBe('Europe/Paris');
    expect(described.policies.overlap).toBe('SKIP');

    expect((await driftline('schedule', 'trigger', '--pipeline', 'scheduled')).code).toBe(0);
    const [triggered] = await listUntil('TemporalScheduledById = "driftline-scheduled"', 1);
    const result = await env.client.workflow.getHandle(triggered as string).result();
    expect(result).toMatchObject({ pipeline: 'scheduled', promoted: true });

    expect((await driftline('schedule', 'pause', '--pipeline', 'scheduled', '--note', 'source migration')).code).toBe(0);
    const shown = JSON.parse((await driftline('schedule', 'show', '--pipeline', 'scheduled', '--json')).stdout);
    expect(shown).toMatchObject({ paused: true, note: 'source migration' });
    expect(shown.recentRuns).toHaveLength(1);
    expect((await driftline('schedule', 'unpause', '--pipeline', 'scheduled')).code).toBe(0);

    // Three hourly slots in the past: three more runs.
    const backfill = await driftline('schedule', 'backfill', '--pipeline', 'scheduled', '--from', '2026-01-01T00:30:00Z', '--to', '2026-01-01T03:30:00Z');
    expect(backfill.code).toBe(0);
    await listUntil('TemporalScheduledById = "driftline-scheduled"', 4);
  });

  it('refuses a pipeline without a schedule and bad dates, each on one line', async () => {
    const missing = await driftline('schedule', 'apply', '--pipeline', 'gated');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('error: pipeline "gated" declares no schedule in its spec');
    for (const command of ['show', 'pause', 'trigger']) {
      const unscheduled = await driftline('schedule', command, '--pipeline', 'gated');
      expect(unscheduled.code, command).toBe(2);
      expect(unscheduled.stderr.trim(), command).toBe('error: pipeline "gated" is not scheduled: its spec declares no schedule');
    }
    const badDates = await driftline('schedule', 'backfill', '--pipeline', 'scheduled', '--from', 'yesterday', '--to', '2026-01-02');
    expect(badDates.code).toBe(2);
    expect(badDates.stderr.trim().split('\n')).toHaveLength(1);
    expect(badDates.stderr).toMatch(/--from: /);
  });
});

describe('the temporal CLI as a client', () => {
  it('starts a pipeline, queries its status, annotates it and approves it with Updates', async () => {
    await temporal('workflow', 'start', '--type', 'modelPipeline', '--task-queue', TASK_QUEUE, '--workflow-id', 'cli-started', '--input', '{"pipeline": "gated"}');
    let status: { stage: string; awaitingApproval?: { version: number } } = { stage: '' };
    while (status.stage !== 'awaiting approval') {
      await new Promise((r) => setTimeout(r, 200));
      const out = await temporal('workflow', 'query', '--workflow-id', 'cli-started', '--type', 'status', '--output', 'json');
      status = JSON.parse(out).queryResult[0];
    }
    expect(status.awaitingApproval?.version).toBe(1);
    const annotated = await temporal(
      'workflow', 'update', 'execute', '--workflow-id', 'cli-started', '--name', 'annotate', '--output', 'json',
      '--input', JSON.stringify({ label: 'holiday campaign', from: '2015-11-20', to: '2015-12-31', effect: 'suppress_alerts', by: 'ops' }),
    );
    expect(JSON.parse(annotated).result).toMatchObject({ pipeline: 'gated', label: 'holiday campaign', effect: 'suppress_alerts' });
    await temporal('workflow', 'update', 'execute', '--workflow-id', 'cli-started', '--name', 'approve', '--input', '{"by": "ops", "reason": "first model"}');
    const result = await env.client.workflow.getHandle('cli-started').result();
    expect(result).toMatchObject({ promoted: true, decision: 'approved by ops: first model' });
  });

  it('finds runs by pipeline and outcome through the search attributes', async () => {
    const ids = await listUntil('DriftlinePipeline = "gated" AND DriftlineOutcome = "promoted"', 1);
    expect(ids).toContain('cli-started');
    const listed = await temporal('workflow', 'list', '--query', 'DriftlineModel = "gated-model" AND DriftlineStage = "done"', '--output', 'json');
    expect(listed).toContain('cli-started');
  });
});

describe('the driftline CLI', () => {
  it('runs, follows and reports a pipeline with JSON for scripts', async () => {
    const started = await driftline('run', '--pipeline', 'scheduled', '--no-wait', '--json');
    expect(started.code).toBe(0);
    const { workflowId, link } = JSON.parse(started.stdout);
    expect(link).toContain(encodeURIComponent(workflowId));
    const watched = await driftline('watch', workflowId);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/done/);
    expect(watched.stdout.trim().split('\n').at(-1)).toBe('run completed');
    const status = JSON.parse((await driftline('status', workflowId, '--json')).stdout);
    expect(status).toMatchObject({ workflowStatus: 'COMPLETED', status: { stage: 'done', pipeline: 'scheduled' } });
    const models = JSON.parse((await driftline('models', '--model', 'scheduled-model', '--json')).stdout);
    expect(models[0]).toMatchObject({ model: 'scheduled-model' });
  });

  it('trains a candidate alone with retrain --train-only', async () => {
    const trained = await driftline('retrain', '--pipeline', 'scheduled', '--train-only', '--json');
    expect(trained.code).toBe(0);
    expect(JSON.parse(trained.stdout)).toMatchObject({ outcome: 'succeeded' });
  });

  it("prints a failed workflow's cause, not the SDK's wrapper", async () => {
    const result = await driftline('evaluate', '--model', 'scheduled-model', '--version', '1', '--snapshot', '999999');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/snapshot 999999/);
    expect(result.stderr).not.toMatch(/Workflow execution failed/);
  });

  it('prints help with an example for every command', async () => {
    for (const command of ['run', 'retrain', 'status', 'watch', 'approve', 'reject', 'rollback', 'models', 'lineage', 'evaluate', 'schedule apply', 'spec check', 'annotate', 'worker', 'migrate']) {
      const help = await driftline(...command.split(' '), '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/Example/);
    }
  });

  it.each([
    [['run', '--pipeline', 'Not A Pipeline'], 2, /--pipeline: must name a pipeline spec/],
    [['run', '--pipeline', 'scheduled', '--param', 'alpha'], 2, /--param: takes name=number/],
    [['frobnicate'], 2, /unknown command/],
    [['status', 'no-such-run'], 1, /no-such-run/],
  ])('%j exits %i with one clear line', async (args, code, message) => {
    const result = await driftline(...args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
