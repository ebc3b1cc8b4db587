import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from '../../lib/db/pool';
import { monitorPipeline } from '../../workflows/monitor';
import { modelPipeline } from '../../workflows/pipeline';
import { retrainModel } from '../../workflows/retrain';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

// Bad workflow input fails the run at once, without retries, naming what was wrong.

const TASK_QUEUE = 'input-limits-test';

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;
/** A snapshot that pipeline `limits-a` ingested, and `limits-b` never did. */
let snapshotOfA: number;

beforeAll(async () => {
  const pipelinesDir = pipelineFolderWith('limits-a');
  pipelineFolderWith('limits-b', undefined, pipelinesDir);
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
  const first = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'limits-a-run', args: [{ pipeline: 'limits-a' }] });
  snapshotOfA = first.snapshotId;
});

afterAll(async () => {
  await stack?.stop();
});

/** The failure at the bottom of a failed run: the activity's or the input parser's own. */
async function rootFailure(handle: WorkflowHandle): Promise<{ message: string; type?: string }> {
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  let cause = error as { message: string; type?: string; cause?: unknown };
  while (cause.cause) cause = cause.cause as typeof cause;
  return cause;
}

/** Attempts of each activity the run started, in order. */
async function activityAttempts(handle: WorkflowHandle): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [Number(e.activityTaskStartedEventAttributes.attempt)] : []));
}

function retrain(workflowId: string, snapshotId: number) {
  return env.client.workflow.start(retrainModel, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: 'limits-b', snapshotId }] });
}

describe('retrainModel given a snapshotId', () => {
  it("refuses another pipeline's snapshot at once, naming it and its owner, and trains nothing", async () => {
    const handle = await retrain('limits-foreign-snapshot', snapshotOfA);
    const failure = await rootFailure(handle);
    expect(failure.type).toBe('InvalidInput');
    // Snapshots are shared by content: other test files' pipelines may have ingested the same rows.
    expect(failure.message).toMatch(new RegExp(`^snapshotId: snapshot ${snapshotOfA} belongs to pipeline (".+", )?"limits-a"(, ".+")?, not "limits-b"$`));
    // prepareTraining (spec, then the snapshot check) once: no retry, no training.
    expect(await activityAttempts(handle)).toEqual([1]);
    const trained = await pool.query("SELECT count(*)::int AS n FROM model_versions WHERE model_name = 'limits-b-model'");
    expect(trained.rows[0].n).toBe(0);
  });

  it('refuses a snapshot that does not exist at once, naming it', async () => {
    const missing = snapshotOfA + 1_000_000;
    const handle = await retrain('limits-missing-snapshot', missing);
    const failure = await rootFailure(handle);
    expect(failure).toMatchObject({ type: 'InvalidInput', message: `snapshotId: snapshot ${missing} does not exist` });
    expect(await activityAttempts(handle)).toEqual([1]);
  });

  it.each([
    ["the pipeline's own snapshot", true],
    ['no snapshotId: the newest', false],
  ])('trains on %s', async (what, given) => {
    const handle = await env.client.workflow.start(retrainModel, {
      taskQueue: TASK_QUEUE,
      workflowId: `limits-own-snapshot-${String(given)}`,
      args: [{ pipeline: 'limits-a', ...(given ? { snapshotId: snapshotOfA } : {}) }],
    });
    expect(await handle.result(), what).toMatchObject({ outcome: 'succeeded', snapshotId: snapshotOfA });
  });
});

describe('workflow input refused before anything runs', () => {
  it.each([
    ['a misspelt key', modelPipeline, { pipeline: 'limits-a', requestedby: 'ana' }, 'Invalid modelPipeline input: (root): Unrecognized key: "requestedby"'],
    ['a 20,000-character pipeline name', modelPipeline, { pipeline: 'a'.repeat(20_000) }, 'Invalid modelPipeline input: pipeline: at most 200 characters'],
    ['an unknown key', retrainModel, { pipeline: 'limits-a', snapshot: 3 }, 'Invalid retrainModel input: (root): Unrecognized key: "snapshot"'],
    ['a check every 0 s', monitorPipeline, { pipeline: 'limits-a', every: '0s' }, 'Invalid monitorPipeline input: every: must be at least 1m'],
  ] as const)('%s', async (what, workflow, input, message) => {
    const handle = await env.client.workflow.start(workflow as typeof modelPipeline, {
      taskQueue: TASK_QUEUE,
      workflowId: `limits-input-${what.replace(/\W+/g, '-')}`,
      args: [input as never],
    });
    const failure = await rootFailure(handle);
    expect(failure).toMatchObject({ type: 'InvalidInput', message });
    // Failed, not terminated by the server over an oversized search attribute; and nothing ran.
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect(await activityAttempts(handle)).toEqual([]);
  });
});
