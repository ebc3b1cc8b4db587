import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { Pool } from '../../lib/db/pool';
import { modelPipeline } from '../../workflows/pipeline';
import { statusQuery } from '../../workflows/messages';
import { workflowBundle } from '../support/temporal-env';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';
import { pipelineFolderWith } from '../support/pipelines';

const TASK_QUEUE = 'model-pipeline-test';
const PIPELINE = 'employment-it';
const MODEL = `${PIPELINE}-model`;

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;
let pipelinesDir: string;

beforeAll(async () => {
  pipelinesDir = pipelineFolderWith(PIPELINE);
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
});

afterAll(async () => {
  await stack?.stop();
});

function runPipeline(input: Record<string, unknown>, workflowId: string) {
  return env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [input as never] });
}

describe('modelPipeline on a real Temporal server and PostgreSQL', () => {
  it('ingests the employment data, trains a first version and makes it champion', async () => {
    const result = await runPipeline({ pipeline: PIPELINE, requestedBy: 'test' }, 'first-run');

    expect(result).toMatchObject({ pipeline: PIPELINE, version: 1, promoted: true });
    const snapshot = await pool.query('SELECT digest, row_count, quarantined_count FROM snapshots WHERE id = $1', [result.snapshotId]);
    expect(snapshot.rows[0]).toMatchObject({ row_count: 120, quarantined_count: 0 });
    expect(snapshot.rows[0].digest).toMatch(/^[0-9a-f]{64}$/);

    const version = await pool.query('SELECT * FROM model_versions WHERE id = $1', [result.versionId]);
    expect(version.rows[0]).toMatchObject({ model_name: MODEL, version: 1, code_version: 'test-commit', trainer: 'ridge' });
    expect(version.rows[0].training_snapshot_ids.map(Number)).toEqual([result.snapshotId]);
    expect(version.rows[0].metrics.rmse).toBeGreaterThan(0);

    const champion = await pool.query("SELECT version_id FROM model_aliases WHERE model_name = $1 AND alias = 'champion'", [MODEL]);
    expect(Number(champion.rows[0].version_id)).toBe(result.versionId);
    const audit = await pool.query('SELECT actor, action FROM audit_log WHERE version_id = $1', [result.versionId]);
    expect(audit.rows).toEqual([{ actor: 'test', action: 'promote' }]);
  });

  it('keeps the champion when a worse candidate is trained, and reuses the identical snapshot', async () => {
    const before = await pool.query('SELECT count(*)::int AS n FROM snapshots');
    // A huge penalty shrinks every coefficient to zero: the candidate predicts the mean.
    const result = await runPipeline({ pipeline: PIPELINE, params: { alpha: 1e9 }, requestedBy: 'test' }, 'worse-run');

    expect(result).toMatchObject({ version: 2, promoted: false });
    // Worse than repeating last month's change, and no better than the champion beyond noise.
    expect(result.decision).toMatch(/vs champion v1; .*rmse [\d.]+ vs last-value [\d.]+: skill -\d+ % ✗/);
    expect(result.decision).toMatch(/rmse [\d.]+ vs champion v1 \(its fit before the refit\) [\d.]+ on the \d+ holdout examples newer than its training data.*90 % interval -[\d.]+ … -?[\d.]+ ✗/);
    const evaluation = await pool.query('SELECT passed, gates, champion_version_id FROM evaluations WHERE version_id = $1', [result.versionId]);
    expect(evaluation.rows[0].passed).toBe(false);
    expect(evaluation.rows[0].gates).toContainEqual(expect.objectContaining({ gate: 'beats_baselines', passed: false }));
    expect(evaluation.rows[0].gates).toContainEqual(expect.objectContaining({ gate: 'beats_champion', passed: false }));
    const after = await pool.query('SELECT count(*)::int AS n FROM snapshots');
    expect(after.rows[0].n).toBe(before.rows[0].n);
    const champion = await pool.query(
      "SELECT v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_name = $1 AND a.alias = 'champion'",
      [MODEL],
    );
    expect(champion.rows).toEqual([{ version: 1 }]);
    const audit = await pool.query('SELECT action FROM audit_log WHERE version_id = $1', [result.versionId]);
    expect(audit.rows).toEqual([{ action: 'reject' }]);
  });

  it.each([
    [{}, /pipeline: /],
    [{ pipeline: 'Not A Name' }, /pipeline: must name a pipeline spec/],
    [{ pipeline: PIPELINE, params: { alpha: 'high' } }, /params\.alpha: /],
  ])('fails fast, without retries, on invalid input %j', async (input, message) => {
    const started = Date.now();
    const error = await runPipeline(input, `invalid-${Date.now()}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as Error & { type?: string; nonRetryable?: boolean };
    expect(cause.message).toMatch(/Invalid modelPipeline input/);
    expect(cause.message).toMatch(message);
    expect(cause.type).toBe('InvalidInput');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('fails without retrying when the pipeline spec does not exist', async () => {
    const handle = await env.client.workflow.start(modelPipeline, {
      taskQueue: TASK_QUEUE,
      workflowId: 'missing-pipeline',
      args: [{ pipeline: 'no-such-pipeline' }],
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(String(((error as WorkflowFailedError).cause?.cause as Error | undefined)?.message)).toMatch(/No pipeline "no-such-pipeline"/);
    const history = await handle.fetchHistory();
    const attempts = history.events?.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt);
    expect(attempts).toEqual([1]);
    expect((await handle.query(statusQuery)).stage).toBe('failed');
  });
});

describe('the status query', () => {
  it('answers mid-run with the stage and the ids produced so far', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gatedQueue = `${TASK_QUEUE}-gated`;
    const activities = createActivities({ pool, pipelinesDir, codeVersion: 'test-commit' });
    // Holds training until the test has looked at the status: the real activity, paused.
    const gatedWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: gatedQueue,
      workflowBundle: await workflowBundle(),
      activities: {
        ...activities,
        trainCandidate: async (...args: Parameters<typeof activities.trainCandidate>) => {
          await gate;
          return activities.trainCandidate(...args);
        },
      },
    });
    await gatedWorker.runUntil(async () => {
      const handle = await env.client.workflow.start(modelPipeline, {
        taskQueue: gatedQueue,
        workflowId: 'status-mid-run',
        args: [{ pipeline: PIPELINE }],
      });
      let status = await handle.query(statusQuery);
      while (status.stage !== 'training') {
        await new Promise((r) => setTimeout(r, 100));
        status = await handle.query(statusQuery);
      }
      expect(status.completed).toEqual(['loading spec', 'ingesting', 'validating', 'checking drift']);
      expect(status.snapshot?.rows).toBe(120);
      // The run's drift check against the champion that earlier tests promoted is in the status too:
      // the same snapshot again holds no row newer than the champion's training data.
      expect(status.drift?.verdict).toBe('no_new_data');
      expect(status.snapshot?.reused).toBe(true);
      expect(status.candidate).toBeUndefined();
      release();
      await handle.result();
      const done = await handle.query(statusQuery);
      expect(done.stage).toBe('done');
      expect(done.candidate?.version).toBe(3);
      expect(typeof done.promoted).toBe('boolean');
    });
  });
});
