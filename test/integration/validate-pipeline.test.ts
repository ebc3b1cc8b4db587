import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { statusQuery } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';
import { pipelineFolderWith } from '../support/pipelines';

const TASK_QUEUE = 'validate-pipeline-test';
const STRICT = 'validate-strict-it';
const LENIENT = 'validate-lenient-it';

let world: WorkerStack;

beforeAll(async () => {
  // Two specs over the same employment data: one whose checks it cannot pass, one it passes with a warning.
  const pipelinesDir = pipelineFolderWith(STRICT, (spec) => {
    spec.keyColumns = ['month'];
    spec.checks = { rowCount: { min: 1000 }, duplicateKeys: {}, quarantinedShare: { max: 0 }, freshness: { maxAgeDays: 30, severity: 'warn' } };
  });
  pipelineFolderWith(LENIENT, (spec) => {
    spec.checks = { rowCount: { min: 100, max: 1000 }, nullFraction: { nonfarm: { max: 0 } }, freshness: { maxAgeDays: 30, severity: 'warn' } };
  }, pipelinesDir);
  world = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir });
});

afterAll(() => world?.stop());

describe('the validate step', () => {
  it('stops the run before training when a fail check fails, with a readable report in status and in the database', async () => {
    const handle = await world.env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'validate-strict', args: [{ pipeline: STRICT }] });
    const error = await handle.result().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as Error & { type?: string; nonRetryable?: boolean };
    expect(cause.type).toBe('DataValidationFailed');
    expect(cause.message).toMatch(/^Data validation of snapshot #\d+: 1 of 4 checks failed, 1 warning/);
    expect(cause.message).toContain('FAIL rowCount: expected at least 1,000 accepted rows, observed 120 accepted (120 read)');

    const status = await handle.query(statusQuery);
    expect(status.stage).toBe('failed');
    expect(status.completed).toEqual(['loading spec', 'ingesting', 'validating']);
    expect(status.lastError).toBe(cause.message);
    expect(status.validation?.passed).toBe(false);
    expect(status.validation?.checks).toEqual([
      { check: 'rowCount', severity: 'fail', outcome: 'fail', expected: 'at least 1,000 accepted rows', observed: '120 accepted (120 read)' },
      { check: 'quarantinedShare', severity: 'fail', outcome: 'pass', expected: 'at most 0% of rows quarantined', observed: '0% (0 of 120 rows)' },
      { check: 'duplicateKeys', column: 'month', severity: 'fail', outcome: 'pass', expected: 'each key on one row only', observed: 'every key is unique' },
      expect.objectContaining({ check: 'freshness', column: 'month', outcome: 'warn', observed: expect.stringMatching(/^newest 2015-12-01T00:00:00.000Z, \d+\.\d day\(s\) old$/) }),
    ]);

    const stored = await world.pool.query('SELECT passed, checks FROM validation_reports WHERE pipeline = $1', [STRICT]);
    expect(stored.rows).toEqual([{ passed: false, checks: status.validation?.checks }]);
    const models = await world.pool.query('SELECT count(*)::int AS n FROM model_versions WHERE model_name = $1', [`${STRICT}-model`]);
    expect(models.rows[0].n).toBe(0);
    const history = await handle.fetchHistory();
    const scheduled = history.events?.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).toEqual(['loadPipeline', 'ingestSnapshot', 'validateSnapshot']);
  });

  it('goes on to train when only warn checks fail, and reports them', async () => {
    const handle = await world.env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'validate-lenient', args: [{ pipeline: LENIENT }] });
    await handle.result();
    const status = await handle.query(statusQuery);
    expect(status.stage).toBe('done');
    expect(status.validation?.passed).toBe(true);
    expect(status.validation?.checks.map((c) => `${c.check}:${c.outcome}`)).toEqual(['rowCount:pass', 'nullFraction:pass', 'freshness:warn']);
    expect(status.candidate?.version).toBe(1);
  });
});
