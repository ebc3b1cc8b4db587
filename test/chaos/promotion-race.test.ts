import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from '../../lib/db/pool';
import { rollbackChampion } from '../../lib/promotion/rollback';
import { approveUpdate, statusQuery } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

/**
 * Issue 13, item 2: promotion is a compare-and-set. 20 runs of one new model race to promote on one
 * worker; an approval arrives after a newer promotion (a better one, then a weaker one); a rollback
 * finds another champion than it expected. Every audit entry must be true when written, and no
 * champion is replaced by a version that was not compared with it.
 */
const TASK_QUEUE = 'promotion-race-test';
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-race-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

beforeAll(async () => {
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

function pipeline(name: string, change: (spec: Record<string, unknown>) => void): string {
  pipelineFolderWith(name, change, pipelinesDir);
  return name;
}

const start = (name: string, workflowId: string, params: Record<string, number>) =>
  env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: name, params, requestedBy: 'test' }] });

interface AuditRow {
  id: number;
  action: string;
  version_id: number;
  reason: string;
  details: { evaluationId?: number; evaluatedAgainst?: { versionId: number; version: number } | null; replaced?: { versionId: number } | null };
}

const auditOf = async (model: string): Promise<AuditRow[]> =>
  (await pool.query('SELECT id::int, action, version_id::int, reason, details FROM audit_log WHERE model_name = $1 ORDER BY id', [model])).rows;

const championOf = async (model: string): Promise<number[]> =>
  (await pool.query("SELECT version_id::int FROM model_aliases WHERE model_name = $1 AND alias = 'champion'", [model])).rows.map((r) => r.version_id);

async function untilAwaitingApproval(workflowId: string): Promise<void> {
  const handle = env.client.workflow.getHandle(workflowId);
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.stage === 'awaiting approval') return;
    if (status.stage === 'done' || status.stage === 'failed') throw new Error(`run ended without waiting: ${status.decision ?? status.lastError}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const approve = (workflowId: string, by: string, reason: string) =>
  env.client.workflow.getHandle(workflowId).executeUpdate(approveUpdate, { args: [{ by, reason }] });

/** Until some query waits for the model row's lock (up to 10 s). */
async function untilWaitingForLock(): Promise<void> {
  for (let tries = 0; tries < 500; tries += 1) {
    const waiting = await pool.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT 1 FROM models%'");
    if (waiting.rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the rollback never waited for the model lock');
}

/**
 * Replays the audit log: every entry written against a champion (its evaluation's `evaluatedAgainst`)
 * names the champion in place at that moment. Entries that hold whatever the champion (a refusal
 * after too many moves) carry no such claim.
 */
function expectEveryClaimTrue(audit: AuditRow[]): void {
  let champion: number | null = null;
  for (const entry of audit) {
    const against = entry.details.evaluatedAgainst;
    if (against !== undefined && !entry.reason.startsWith('refused: ')) {
      expect({ id: entry.id, against: against?.versionId ?? null }).toEqual({ id: entry.id, against: champion });
    }
    if (entry.action === 'promote' || entry.action === 'rollback') champion = entry.version_id;
  }
}

describe('20 racing promotions of one new model', () => {
  const name = pipeline('race', (spec) => {
    spec.model = { name: 'race-model', trainer: 'ridge', params: { alpha: 10 } };
  });
  // Penalties from almost none to one that shrinks the ridge to the mean (which fails the baselines).
  const alphas = Array.from({ length: 20 }, (_, i) => Number((0.01 * 10 ** (i / 3)).toPrecision(3)));

  it('end with one champion, each promotion better than the champion it replaced, every reason true', async () => {
    const handles = await Promise.all(alphas.map((alpha, i) => start(name, `race-${i}`, { alpha })));
    const results = await Promise.all(handles.map((h) => h.result()));
    const audit = await auditOf('race-model');
    const promotions = audit.filter((e) => e.action === 'promote');
    expect(promotions.length).toBeGreaterThan(0);

    const champion = await championOf('race-model');
    expect(champion).toEqual([promotions.at(-1)?.version_id]);
    expect(results.filter((r) => r.promoted).map((r) => r.versionId).sort()).toEqual(promotions.map((p) => p.version_id).sort());

    // Each promotion replaced exactly the champion it was judged against, and beat it on the same examples.
    promotions.forEach((p, i) => expect(p.details.evaluatedAgainst?.versionId ?? null).toBe(i === 0 ? null : promotions[i - 1]?.version_id));
    for (const p of promotions.slice(1)) {
      const stored = await pool.query('SELECT champion_comparison FROM evaluations WHERE id = $1', [p.details.evaluationId]);
      const comparison = stored.rows[0].champion_comparison;
      expect(comparison.kind).toBe('scored');
      expect(comparison.candidate.rmse).toBeLessThan(comparison.champion.rmse);
    }
    // So the champion is the best of the promoted versions on their shared holdout.
    const holdoutRmse = async (versionId: number) => (await pool.query('SELECT metrics FROM model_versions WHERE id = $1', [versionId])).rows[0].metrics.rmse as number;
    const promotedRmse = await Promise.all(promotions.map((p) => holdoutRmse(p.version_id)));
    expect(promotedRmse.at(-1)).toBe(Math.min(...promotedRmse));
    expectEveryClaimTrue(audit);
    const firstPromotion = promotions[0]?.id ?? 0;
    expect(audit.filter((e) => e.id > firstPromotion && e.reason.includes('no champion yet'))).toEqual([]);

    // The runs did race: some were judged again after the champion moved.
    expect(audit.some((e) => /champion moved from (none|v\d+) to v\d+ during evaluation: re-evaluated against v\d+: /.test(e.reason))).toBe(true);
    // Every run ended with a decision that says why.
    for (const r of results) if (!r.promoted) expect(r.decision).toMatch(/✗|^refused: /);
  }, 600_000);
});

describe('an approval that arrives after a newer promotion', () => {
  const name = pipeline('late-approval', (spec) => {
    // Version 1 (alpha 1000) is weak; alpha 10 beats it beyond noise (see test/integration/promotion.test.ts).
    spec.model = { name: 'late-approval-model', trainer: 'ridge', params: { alpha: 1000 } };
    spec.promotion = { gates: {}, beatBaselines: false, requireApproval: true, approvalTimeoutHours: 1 };
  });

  it('is re-evaluated against the newer champion and refused when it does not beat it', async () => {
    await start(name, 'late-1', { alpha: 1000 });
    await untilAwaitingApproval('late-1');
    await approve('late-1', 'ana', 'first version');
    expect(await env.client.workflow.getHandle('late-1').result()).toMatchObject({ version: 1, promoted: true });

    // A (v2) and B (v3) both judged against v1; B is approved first.
    const a = await start(name, 'late-a', { alpha: 10 });
    await untilAwaitingApproval('late-a');
    const b = await start(name, 'late-b', { alpha: 10 });
    await untilAwaitingApproval('late-b');
    await approve('late-b', 'bob', 'newer');
    expect(await b.result()).toMatchObject({ version: 3, promoted: true });

    await approve('late-a', 'cara', 'looked fine yesterday');
    const late = await a.result();
    expect(late).toMatchObject({ version: 2, promoted: false });
    expect(late.decision).toMatch(
      /^refused after approval by cara: champion moved from v1 to v3 while awaiting approval: re-evaluated against v3: vs champion v3; .*same configuration and data as champion v3: nothing to gain ✗/,
    );
    expect(await championOf('late-approval-model')).toEqual([(await b.result()).versionId]);
    const audit = await auditOf('late-approval-model');
    expect(audit.map((e) => `${e.action} v${e.version_id === late.versionId ? 'A' : e.version_id}`).at(-1)).toBe('reject vA');
    expect(audit.at(-1)?.reason).toBe(late.decision);
    expectEveryClaimTrue(audit);
  });
});

describe('an approval that arrives after a newer, weaker promotion', () => {
  const name = pipeline('late-win', (spec) => {
    spec.model = { name: 'late-win-model', trainer: 'ridge', params: { alpha: 1000 } };
    spec.promotion = { gates: {}, beatBaselines: false, requireApproval: true, approvalTimeoutHours: 1 };
  });

  it('is re-evaluated against it and promoted when it beats it beyond noise', async () => {
    await start(name, 'win-1', { alpha: 1000 });
    await untilAwaitingApproval('win-1');
    await approve('win-1', 'ana', 'first version');
    // A (v2, alpha 10: holdout RMSE ≈ 81.5) and B (v3, alpha 100: ≈ 117) both beat v1 (≈ 185); B is approved first.
    const a = await start(name, 'win-a', { alpha: 10 });
    await untilAwaitingApproval('win-a');
    const b = await start(name, 'win-b', { alpha: 100 });
    await untilAwaitingApproval('win-b');
    await approve('win-b', 'bob', 'newer');
    expect(await b.result()).toMatchObject({ version: 3, promoted: true });

    await approve('win-a', 'cara', 'looked fine yesterday');
    const late = await a.result();
    expect(late).toMatchObject({ version: 2, promoted: true });
    expect(late.decision).toMatch(
      /^approved by cara: looked fine yesterday; champion moved from v1 to v3 while awaiting approval: re-evaluated against v3: vs champion v3; .*rmse [\d.]+ vs champion v3 \(its fit before the refit\) [\d.]+ on the 35 holdout examples newer than its training data: improvement [\d.]+, 90 % interval [\d.]+ … [\d.]+ ✓/,
    );
    expect(await championOf('late-win-model')).toEqual([late.versionId]);
    const audit = await auditOf('late-win-model');
    expect(audit.filter((e) => e.action === 'promote').map((e) => e.details.evaluatedAgainst?.version ?? null)).toEqual([null, 1, 3]);
    expectEveryClaimTrue(audit);
  });
});

describe('a rollback whose expected champion moved', () => {
  const model = 'late-approval-model';

  it('is refused when the champion is not the one the person saw', async () => {
    const before = await championOf(model);
    await expect(rollbackChampion(pool, { model, expectedChampion: 1, by: 'dan', reason: 'v1 was better' })).rejects.toThrow(
      'the champion of "late-approval-model" moved: expected v1, now v3; nothing rolled back',
    );
    const cli = await runDriftline(
      { DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE },
      'rollback', '--model', model, '--expect-champion', '1', '--reason', 'v1 was better', '--by', 'dan',
    );
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/moved: expected v1, now v3/);
    expect(await championOf(model)).toEqual(before);
  });

  it('is refused when a promotion lands between reading the champion and switching', async () => {
    // Hold the model's lock so the rollback reads v3 and then waits; switch the champion meanwhile.
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM models WHERE name = $1 FOR UPDATE', [model]);
      const rolling = rollbackChampion(pool, { model, toVersion: 2, by: 'dan', reason: 'v2 after all' }).catch((e: unknown) => e);
      await untilWaitingForLock();
      const v1 = (await pool.query('SELECT id FROM model_versions WHERE model_name = $1 AND version = 1', [model])).rows[0].id;
      await holder.query("UPDATE model_aliases SET version_id = $2 WHERE model_name = $1 AND alias = 'champion'", [model, v1]);
      await holder.query('COMMIT');
      expect(String(await rolling)).toMatch(/moved: expected v3, now v1; nothing rolled back/);
    } finally {
      holder.release();
    }
    const audit = await auditOf(model);
    expect(audit.filter((e) => e.action === 'rollback')).toEqual([]);
  });
});
