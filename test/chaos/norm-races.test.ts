import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { contentDigest } from '../../lib/data/digest';
import { getVersion, registerVersion } from '../../lib/db/model-registry';
import type { Pool } from '../../lib/db/pool';
import { claimTrainingAttempt, closeTrainingRun, fenceRegistration, FencedAttempt } from '../../lib/db/training-runs';
import { modelPipeline } from '../../workflows/pipeline';
import { retrainModel } from '../../workflows/retrain';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

/**
 * Issue 13, item 4: a norm cancellation racing a finished training. Whatever the interleaving, the
 * workflow's outcome and PostgreSQL's agree, and no version is left dangling: a run reported
 * `succeeded` owns its (live) version; a run reported `cancelled_over_norm` owns none, or an orphaned one.
 */
const TASK_QUEUE = 'norm-races-test';
const trainer = fileURLToPath(new URL('../fixtures/trainers/timed-trainer.ts', import.meta.url));
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-races-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;

beforeAll(async () => {
  pipelineFolderWith('racing', (spec) => {
    spec.model = { name: 'racing-model', trainer: { module: trainer }, params: { sleepMs: 0 } };
    spec.training = { norm: { maxSeconds: 1 } };
    spec.promotion = { gates: {}, beatBaselines: false };
  }, pipelinesDir);
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

describe('finish against cancel', () => {
  it('trainings that end right at the norm leave the workflow and the database agreeing, with no dangling version', async () => {
    const first = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'racing-first', args: [{ pipeline: 'racing', requestedBy: 'test' }] });
    expect(first.trainingOutcome).toBe('succeeded');

    // Sleeps spread across the 1 s norm (the clock also counts the thread's start-up), a few ms apart.
    const sleeps = Array.from({ length: 12 }, (_, i) => i * 100);
    const results = [];
    for (const [i, sleepMs] of sleeps.entries()) {
      const workflowId = `racing-${i}`;
      const result = await env.client.workflow.execute(retrainModel, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: 'racing', params: { sleepMs } }] });
      results.push({ workflowId, result });
    }
    const outcomes = results.map((r) => r.result.outcome);
    console.log(`sleeps ${sleeps.join(', ')} ms: ${results.map((r) => `${r.result.outcome} at ${r.result.elapsedMs} ms`).join('; ')}`);
    // The spread covers both sides of the norm.
    expect(outcomes).toContain('succeeded');
    expect(outcomes).toContain('cancelled_over_norm');

    for (const { workflowId, result } of results) {
      const run = await pool.query("SELECT outcome, version_id FROM training_runs WHERE workflow_id = $1", [`${workflowId}`]);
      const versions = await pool.query("SELECT id, orphaned_at FROM model_versions WHERE model_name = 'racing-model' AND run_key LIKE $1", [`${workflowId}/%`]);
      expect(run.rows).toHaveLength(1);
      expect(run.rows[0].outcome).toBe(result.outcome);
      if (result.outcome === 'succeeded') {
        expect(Number(run.rows[0].version_id)).toBe(result.candidate?.versionId);
        expect(versions.rows).toEqual([{ id: String(result.candidate?.versionId), orphaned_at: null }]);
      } else {
        for (const version of versions.rows) expect(version.orphaned_at).not.toBeNull();
      }
    }
  });

  it('fences registration: a superseded attempt and a closed run register nothing; a version registered before closing is orphaned', async () => {
    const snapshot = await pool.query<{ id: string }>("SELECT snapshot_id AS id FROM pipeline_snapshots WHERE pipeline = 'racing' LIMIT 1");
    const snapshotId = Number(snapshot.rows[0]?.id);
    const champion = await pool.query<{ id: string }>("SELECT version_id AS id FROM model_aliases WHERE model_name = 'racing-model' AND alias = 'champion'");
    const template = await getVersion(pool, Number(champion.rows[0]?.id));
    const register = (runKey: string, attempt: number) =>
      registerVersion(
        pool,
        {
          modelName: 'racing-model',
          pipeline: 'racing',
          runKey,
          trainer: 'module',
          params: template.params,
          artifact: template.artifact,
          artifactDigest: contentDigest(template.artifact),
          trainingSnapshotIds: template.trainingSnapshotIds,
          trainingWindow: template.trainingWindow as NonNullable<typeof template.trainingWindow>,
          driftMethods: template.driftMethods ?? {},
          codeVersion: 'test',
          trainerDigest: '',
          metrics: template.metrics,
          fits: template.fits as NonNullable<typeof template.fits>,
        },
        fenceRegistration(runKey, attempt),
      );
    const close = (runKey: string) =>
      closeTrainingRun(pool, { modelName: 'racing-model', pipeline: 'racing', runKey, workflowId: runKey, runId: 'r', snapshotId, outcome: 'failed', durationMs: 0 });

    // Attempt 1 lost its heartbeat and attempt 2 started: attempt 1, still computing, registers nothing.
    await claimTrainingAttempt(pool, 'zombie/r', 1);
    await claimTrainingAttempt(pool, 'zombie/r', 2);
    await claimTrainingAttempt(pool, 'zombie/r', 1);
    await expect(register('zombie/r', 1)).rejects.toBeInstanceOf(FencedAttempt);
    // The run then failed: not even its newest attempt may register for it now.
    await close('zombie/r');
    await expect(register('zombie/r', 2)).rejects.toThrow(/already ended failed/);
    const none = await pool.query("SELECT count(*)::int AS n FROM model_versions WHERE run_key = 'zombie/r'");
    expect(none.rows[0].n).toBe(0);

    // A version that got in before its run was closed is marked orphaned, and the run row points at it.
    await claimTrainingAttempt(pool, 'late/r', 1);
    const late = await register('late/r', 1);
    expect((await close('late/r')).orphanedVersionId).toBe(late.id);
    const row = await pool.query("SELECT outcome, version_id FROM training_runs WHERE run_key = 'late/r'");
    expect(row.rows[0]).toEqual({ outcome: 'failed', version_id: String(late.id) });
    const orphan = await pool.query('SELECT orphaned_at, orphaned_reason FROM model_versions WHERE id = $1', [late.id]);
    expect(orphan.rows[0].orphaned_at).not.toBeNull();
    expect(orphan.rows[0].orphaned_reason).toBe('run ended failed');
  });
});
