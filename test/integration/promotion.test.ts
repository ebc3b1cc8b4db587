import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerVersion, setAlias } from '../../lib/db/model-registry';
import type { Pool } from '../../lib/db/pool';
import { approveUpdate, statusQuery } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';

const run = promisify(execFile);
const TASK_QUEUE = 'promotion-test';
const FRAGILE = fileURLToPath(new URL('../fixtures/trainers/fragile-trainer.ts', import.meta.url));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-promotion-'));

function pipeline(name: string, change: (spec: Record<string, unknown>) => void): string {
  pipelineFolderWith(name, change, pipelinesDir);
  return name;
}

beforeAll(async () => {
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

const start = (name: string, workflowId: string, params?: Record<string, number>) =>
  env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: name, params, requestedBy: 'test' }] });

async function untilAwaitingApproval(workflowId: string) {
  const handle = env.client.workflow.getHandle(workflowId);
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.stage === 'awaiting approval') return status;
    if (status.stage === 'done' || status.stage === 'failed') throw new Error(`run ended without waiting: ${status.decision ?? status.lastError}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const aliases = async (model: string) =>
  (await pool.query('SELECT a.alias, v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_name = $1 ORDER BY a.alias', [model])).rows;

/** The `driftline` CLI as a user runs it, against the test database and Temporal server. */
const cli = (...args: string[]) =>
  runDriftline({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE }, ...args);

describe('garbage-data model tests', () => {
  it('refuse a candidate whose predict path returns NaN on out-of-range input, even as the first version', async () => {
    const name = pipeline('fragile', (spec) => {
      spec.model = { name: 'fragile-model', trainer: { module: FRAGILE } };
      spec.promotion = { gates: {} };
    });
    const result = await (await start(name, 'fragile-run')).result();
    expect(result).toMatchObject({ version: 1, promoted: false });
    expect(result.decision).toMatch(/garbage-data tests failed: values far outside the training range \(non-finite\)/);
    const evaluation = await pool.query('SELECT passed, model_tests FROM evaluations WHERE version_id = $1', [result.versionId]);
    expect(evaluation.rows[0].passed).toBe(false);
    const tests = evaluation.rows[0].model_tests as { name: string; behaviour: string; passed: boolean }[];
    expect(tests.length).toBeGreaterThanOrEqual(10);
    expect(tests.find((t) => t.name === 'NaN in numeric columns')).toMatchObject({ behaviour: 'rejected', passed: true });
    expect(tests.find((t) => t.name === 'empty batch')).toMatchObject({ behaviour: 'rejected', passed: true });
    expect(tests.find((t) => t.name === 'duplicated rows')).toMatchObject({ behaviour: 'finite', passed: true });
    expect(await aliases('fragile-model')).toEqual([]);
  });

  it('pass for the built-in ridge, which refuses bad rows clearly and stays finite on the rest', async () => {
    const name = pipeline('sturdy', (spec) => void (spec.model = { name: 'sturdy-model', trainer: 'ridge', params: { alpha: 10 } }));
    const result = await (await start(name, 'sturdy-run')).result();
    expect(result.promoted).toBe(true);
    const evaluation = await pool.query('SELECT model_tests, backtest FROM evaluations WHERE version_id = $1', [result.versionId]);
    expect((evaluation.rows[0].model_tests as { passed: boolean }[]).every((t) => t.passed)).toBe(true);
    // Rolling-origin backtest stepping back one 35-month holdout at a time: the holdout and the window
    // before it (a third would leave 9 months to train on).
    expect(evaluation.rows[0].backtest).toHaveLength(2);
  });
});

describe('human approval', () => {
  const name = 'approved';
  // Version 1 shrinks hard (alpha 1000, holdout RMSE ≈ 185: worse than repeating last month, so this
  // test of approvals turns the baseline gate off); later runs pass alpha 10 (≈ 81.5), which beats it
  // beyond noise, so they wait.
  beforeAll(() => pipeline(name, (spec) => {
    spec.model = { name: 'approved-model', trainer: 'ridge', params: { alpha: 1000 } };
    spec.promotion = { gates: {}, beatBaselines: false, requireApproval: true, approvalTimeoutHours: 1 };
  }));

  it('waits, shows what it waits for, and promotes on an approve Update, audited with who and why', async () => {
    const handle = await start(name, 'approve-run');
    const status = await untilAwaitingApproval('approve-run');
    expect(status.awaitingApproval?.summary).toMatch(/approve or reject version 1 of approved-model/);
    expect(await aliases('approved-model')).toEqual([{ alias: 'challenger', version: 1 }]);

    const invalid = await handle.executeUpdate(approveUpdate, { args: [{ by: 'ana', reason: ' ' }] }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((invalid as WorkflowUpdateFailedError).cause?.message)).toMatch(/reason: says why/);

    const receipt = await handle.executeUpdate(approveUpdate, { args: [{ by: 'ana', reason: 'backtest holds up' }] });
    expect(receipt.decision).toBe('approve');
    const result = await handle.result();
    expect(result).toMatchObject({ promoted: true, decision: 'approved by ana: backtest holds up' });
    expect(await aliases('approved-model')).toEqual([{ alias: 'champion', version: 1 }]);
    const audit = await pool.query("SELECT actor, action, reason FROM audit_log WHERE model_name = 'approved-model' ORDER BY id");
    expect(audit.rows.map((r) => r.action)).toEqual(['challenger', 'promote']);
    expect(audit.rows[1]).toMatchObject({ actor: 'ana', reason: 'backtest holds up' });

    const late = await handle.executeUpdate(approveUpdate, { args: [{ by: 'ana', reason: 'again' }] }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(Error);
  });

  it('does not promote on a reject sent with the temporal CLI, and clears the challenger', async () => {
    await start(name, 'reject-run', { alpha: 10 });
    await untilAwaitingApproval('reject-run');
    await run(inject('temporalPath'), [
      'workflow', 'update', 'execute', '--address', env.address, '--workflow-id', 'reject-run', '--name', 'reject',
      '--input', JSON.stringify({ by: 'bob', reason: 'spike is a data error' }),
    ]);
    const result = await env.client.workflow.getHandle('reject-run').result();
    expect(result).toMatchObject({ promoted: false, decision: 'rejected by bob: spike is a data error' });
    expect(await aliases('approved-model')).toEqual([{ alias: 'champion', version: 1 }]);
  });

  it('approves from the driftline CLI', async () => {
    await start(name, 'cli-approve-run', { alpha: 10 });
    await untilAwaitingApproval('cli-approve-run');
    const approved = await cli('approve', 'cli-approve-run', '--by', 'cara', '--reason', 'looks right', '--json');
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ decision: 'approve' });
    const result = await env.client.workflow.getHandle('cli-approve-run').result();
    expect(result.promoted).toBe(true);
  });

  it('rejects the candidate when nobody decides in time', async () => {
    const quick = pipeline('unattended', (spec) => {
      spec.model = { name: 'unattended-model', trainer: 'ridge' };
      spec.promotion = { gates: {}, requireApproval: true, approvalTimeoutHours: 1 / 1800 };
    });
    const result = await (await start(quick, 'timeout-run')).result();
    expect(result).toMatchObject({ promoted: false });
    expect(result.decision).toMatch(/no approval within/);
    expect(await aliases('unattended-model')).toEqual([]);
    const rejectedBy = await pool.query("SELECT actor FROM audit_log WHERE model_name = 'unattended-model' AND action = 'reject'");
    expect(rejectedBy.rows).toEqual([{ actor: 'driftline' }]);
  });
});

describe('aliases, rollback and lineage', () => {
  it('ends 20 concurrent promotions of different versions with exactly one champion', async () => {
    const versions = [];
    for (let i = 0; i < 20; i += 1) {
      versions.push(
        await registerVersion(pool, {
          modelName: 'race-model',
          pipeline: 'race',
          runKey: `race-${i}`,
          trainer: 'ridge',
          params: {},
          artifact: { plan: { target: 'y', horizon: 1, features: { columns: [], categorical: [], targetLags: [1], targetRollingMeans: [], interactions: [] }, categories: {} }, trainer: { kind: 'built-in', name: 'ridge' }, model: {} },
          artifactDigest: `digest-${i}`,
          fits: { evaluated: { examples: 0, from: '', to: '', artifactDigest: `digest-${i}` } },
          trainingSnapshotIds: [],
          trainingWindow: { asOfSnapshotId: 1, snapshotIds: [], rows: 0, by: 'row', from: null, to: null },
          driftMethods: {},
          codeVersion: 'test',
          trainerDigest: 'test',
          metrics: { mae: i, rmse: i, r2: 0, smape: 0 },
        }),
      );
    }
    await Promise.all(
      versions.map((v) => setAlias(pool, 'champion', v.id, { actor: 'racer', action: 'promote', modelName: 'race-model', versionId: v.id, reason: 'race', details: {} })),
    );
    const champions = await pool.query("SELECT version_id FROM model_aliases WHERE model_name = 'race-model' AND alias = 'champion'");
    expect(champions.rows).toHaveLength(1);
    const lastPromotion = await pool.query("SELECT version_id FROM audit_log WHERE model_name = 'race-model' ORDER BY id DESC LIMIT 1");
    expect(champions.rows[0].version_id).toBe(lastPromotion.rows[0].version_id);
  });

  it('rolls back to the previous champion from the CLI, audited', async () => {
    // approved-model: v1 champion (ana), v3 champion (cara) — roll back to v1.
    expect(await aliases('approved-model')).toEqual([{ alias: 'champion', version: 3 }]);
    const rolled = await cli('rollback', '--model', 'approved-model', '--reason', 'v3 overshoots', '--by', 'dan');
    expect(rolled).toMatchObject({ code: 0 });
    expect(rolled.stdout).toMatch(/champion is now version 1/);
    expect(await aliases('approved-model')).toEqual([{ alias: 'champion', version: 1 }]);
    const audit = await pool.query("SELECT actor, reason FROM audit_log WHERE model_name = 'approved-model' AND action = 'rollback'");
    expect(audit.rows).toEqual([{ actor: 'dan', reason: 'v3 overshoots' }]);
  });

  it('traces a version end to end and diffs two versions', async () => {
    const lineage = await cli('lineage', '--model', 'approved-model', '--version', '1', '--json');
    expect(lineage.code).toBe(0);
    const parsed = JSON.parse(lineage.stdout);
    expect(parsed.trainingRuns[0].workflowId).toBe('approve-run/retrain');
    expect(parsed.snapshots[0].digest).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.version.codeVersion).toBe('test-commit');
    expect(parsed.evaluations[0].passed).toBe(true);
    expect(parsed.decisions.map((d: { action: string; actor: string }) => `${d.action}:${d.actor}`)).toEqual(['challenger:test', 'promote:ana', 'rollback:dan']);

    // v3 was trained with alpha 10 instead of 1000 on the same data and code.
    const diff = await cli('lineage', '--model', 'approved-model', '--version', '1', '--diff', '3', '--json');
    expect(JSON.parse(diff.stdout).map((d: { field: string }) => d.field)).toEqual(['parameters', 'metrics']);
  });

  it('exits 2 with one line on bad usage', async () => {
    const bad = await cli('lineage', '--model', 'approved-model', '--version', 'first');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--version: /);
  });
});
