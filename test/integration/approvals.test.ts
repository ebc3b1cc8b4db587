import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listWaitingApprovals } from '../../lib/db/approvals';
import type { Pool } from '../../lib/db/pool';
import { formatTime } from '../../lib/dashboard/format';
import { formatMetric } from '../../lib/evaluation/format';
import type { GateResult } from '../../lib/evaluation/gates';
import type { ModelTestResult } from '../../lib/model-tests/classify';
import type { BaselineSummary } from '../../lib/evaluation/baselines';
import { supersedeUpdate } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import type { PipelineInput } from '../../workflows/pipeline-input';
import { untilAwaitingApproval } from '../support/awaiting-approval';
import { launchChromium, startDashboard, writeUsEmploymentYears } from '../support/dashboard-browser';
import { runDriftline } from '../support/driftline-cli';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'approvals-test';
const TOKEN = 'approvals-test-token-0123456789';
const PIPELINE = 'approvals';
const MODEL = `${PIPELINE}-model`;
const OLDER = 'approvals-older';
const NEWER = 'approvals-newer';
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-approvals-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;
let dashboard: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;
/** Each waiting run's deadline, as its own `status` query states it. */
const deadlines = new Map<string, string>();

function writeSpec(requireApproval: boolean): void {
  pipelineFolderWith(PIPELINE, (spec) => {
    spec.source = { kind: 'file', path: `${PIPELINE}.csv`, format: 'csv' };
    spec.checks = { ...(spec.checks as object), rowCount: { min: 12 } };
    spec.evaluation = { holdout: { fraction: 0.2 }, minHoldout: 4 };
    // The approval is under test, not the gates: no baseline gate, and 5 % better than the champion
    // instead of a bootstrap on a holdout of a few months; one hour to decide.
    spec.promotion = { gates: { rmse: { minRelativeChange: 0.05 } }, beatBaselines: false, requireApproval, approvalTimeoutHours: 1 };
  }, pipelinesDir);
}

const start = (workflowId: string, trigger: PipelineInput['trigger'], params?: Record<string, number>) =>
  env.client.workflow.start(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: PIPELINE, trigger, params, requestedBy: 'test' }] });

const champion = async () =>
  (await pool.query("SELECT v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_name = $1 AND a.alias = 'champion'", [MODEL])).rows[0]?.version;

const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The `driftline` CLI as a user runs it, against the test database and Temporal server. */
const cli = (...args: string[]) => runDriftline({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE }, ...args);

const box = (workflowId: string) => page.locator(`article.approval[data-workflow-id="${workflowId}"]`);

async function submit(form: ReturnType<Page['locator']>, fields: Record<string, string>): Promise<string> {
  for (const [name, value] of Object.entries(fields)) await form.locator(`input[name="${name}"]`).fill(value);
  await form.locator('input[name="token"]').fill(TOKEN);
  await form.locator('button').click();
  return (await page.locator('.message').textContent()) ?? '';
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));

  // A champion of calm years that shrinks hard (alpha 1000); then two runs on the recession with
  // alpha 10, so the champion is scored beside them, each waiting for a person: the older one
  // started by drift on 2008–2009, the newer one by hand on the same data.
  writeUsEmploymentYears(pipelinesDir, PIPELINE, ['2006', '2007']);
  writeSpec(false);
  await (await start('approvals-calm', 'manual', { alpha: 1000 })).result();
  writeSpec(true);
  writeUsEmploymentYears(pipelinesDir, PIPELINE, ['2006', '2007', '2008', '2009']);
  await start(OLDER, 'schedule', { alpha: 10 });
  deadlines.set(OLDER, (await untilAwaitingApproval(env.client, OLDER)).awaitingApproval.deadline);
  await start(NEWER, 'manual', { alpha: 10 });
  deadlines.set(NEWER, (await untilAwaitingApproval(env.client, NEWER)).awaitingApproval.deadline);

  ({ dashboard, base } = await startDashboard(pool, env, TOKEN));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await stack?.stop();
});

describe('two runs awaiting approval on one model', () => {
  it('are both listed, each with the deadline its run states: overview, model page and `driftline approvals`', async () => {
    const waiting = await listWaitingApprovals(pool, MODEL);
    expect(waiting.map((w) => [w.workflowId, w.version, w.deadline?.toISOString()])).toEqual([
      [OLDER, 2, deadlines.get(OLDER)],
      [NEWER, 3, deadlines.get(NEWER)],
    ]);
    const listed = await cli('approvals', '--model', MODEL, '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { workflowId: string; deadline: string }[]).map((w) => [w.workflowId, w.deadline])).toEqual([
      [OLDER, deadlines.get(OLDER)],
      [NEWER, deadlines.get(NEWER)],
    ]);

    await page.goto(base);
    const alert = page.locator(`tr[data-pipeline="${PIPELINE}"] li.alert.pending-approval`);
    const first = [...deadlines.values()].sort()[0] as string;
    expect(await alert.textContent()).toBe(`awaiting approval (2), first deadline ${formatTime(first)}`);
    await alert.locator('a').click();
    await page.waitForURL(`${base}/models/${MODEL}`);
    expect(await page.locator('#approvals h2').textContent()).toBe('Awaiting approval (2)');
    for (const workflowId of [OLDER, NEWER]) {
      expect(await box(workflowId).locator('p.deadline time').getAttribute('datetime')).toBe(deadlines.get(workflowId));
      expect(await box(workflowId).locator('form[action="/actions/approve"]').count()).toBe(1);
    }
    // Only the older one can be superseded, and only by the newest.
    expect(await box(OLDER).locator('form[action="/actions/supersede"] input[name="supersededBy"]').getAttribute('value')).toBe(NEWER);
    expect(await box(NEWER).locator('form[action="/actions/supersede"]').count()).toBe(0);
    await screenshot('approvals-two-waiting');
  });

  it('fits a 390 px wide screen: the evidence scrolls in its box, the page does not overflow', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(`${base}/models/${MODEL}`);
      await phone.locator('#approvals table.evidence').first().waitFor();
      // A string: the test is compiled without the DOM's types.
      const width = (await phone.evaluate('document.scrollingElement.scrollWidth')) as number;
      expect(width).toBeLessThanOrEqual(390);
    } finally {
      await phone.close();
    }
  });

  it('shows the evidence in the approve box: candidate, champion and naive baselines, the gates, the garbage-data tests and the drift that started the run', async () => {
    const stored = await pool.query(
      `SELECT e.metrics, e.baselines, e.champion_comparison, e.gates, e.model_tests, e.holdout_examples
       FROM evaluations e JOIN model_versions v ON v.id = e.version_id WHERE v.model_name = $1 AND e.workflow_id = $2`,
      [MODEL, OLDER],
    );
    const e = stored.rows[0] as { metrics: Record<string, number>; baselines: BaselineSummary; champion_comparison: { kind: string; version: number; champion: Record<string, number> }; gates: GateResult[]; model_tests: ModelTestResult[]; holdout_examples: number };
    await page.goto(`${base}/models/${MODEL}`);
    const older = box(OLDER);
    const cells = async (row: string) => (await older.locator(`table.evidence tr.${row}`).first().locator('td').allTextContents()).slice(0, 4);
    const metrics = (m: Record<string, number>) => ['rmse', 'mae', 'r2', 'smape'].map((k) => formatMetric(m[k] as number));

    expect(await older.locator('table.evidence caption').textContent()).toContain(`On ${e.holdout_examples} held-out examples`);
    expect(await cells('candidate')).toEqual(metrics(e.metrics));
    expect(e.champion_comparison.kind).toBe('scored');
    expect(await older.locator('table.evidence tr.champion th').textContent()).toContain('champion v1');
    expect(await cells('champion')).toEqual(metrics(e.champion_comparison.champion));
    expect(await older.locator('table.evidence tr.baseline').count()).toBe(e.baselines.scores.length);
    expect(await cells('baseline.best')).toEqual(metrics(e.baselines.scores.find((s) => s.name === e.baselines.best)?.metrics as Record<string, number>));
    expect(await older.locator('table.evidence tr.candidate td').last().textContent()).toMatch(/^skill /);

    expect(await older.locator('ul.gates li').evaluateAll((items) => items.map((li) => li.getAttribute('data-gate')))).toEqual(e.gates.map((g) => g.gate));
    const passedTests = e.model_tests.filter((t) => t.passed).length;
    expect(await older.locator('details.model-tests summary').textContent()).toBe(`${passedTests} of ${e.model_tests.length} passed`);
    expect(await older.locator('details.model-tests li').count()).toBe(e.model_tests.length);

    const report = (await pool.query('SELECT id, verdict FROM drift_reports WHERE workflow_id = $1', [OLDER])).rows[0] as { id: string; verdict: string };
    const drift = older.locator('p.drift a.verdict');
    expect(await drift.textContent()).toBe(report.verdict);
    await screenshot('approval-evidence');
    await drift.click();
    await page.waitForURL(`${base}/pipelines/${PIPELINE}/drift/${report.id}`);
  });

  it('refuses to let a run be superseded by an older version', async () => {
    const refused = await env.client.workflow
      .getHandle(NEWER)
      .executeUpdate(supersedeUpdate, { args: [{ by: 'ana', supersededBy: { workflowId: OLDER, version: 2 } }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(/version 2 is not newer than this run's version 3/);
  });

  it('supersedes the older run from the dashboard: recorded with who, and the older run ends rejected', async () => {
    await page.goto(`${base}/models/${MODEL}`);
    const message = await submit(box(OLDER).locator('form[action="/actions/supersede"]'), { by: 'ana', reason: 'the newer one is fresher' });
    expect(message).toContain('superseded by version 3');

    const result = await env.client.workflow.getHandle(OLDER).result();
    expect(result).toMatchObject({ promoted: false, decision: `rejected by ana: superseded by version 3 (run ${NEWER}): the newer one is fresher` });
    const audit = await pool.query(
      "SELECT a.actor, a.reason, a.details->'supersededBy' AS superseded_by FROM audit_log a JOIN model_versions v ON v.id = a.version_id WHERE a.model_name = $1 AND v.version = 2 AND a.action = 'reject'",
      [MODEL],
    );
    expect(audit.rows).toEqual([{ actor: 'ana', reason: `superseded by version 3 (run ${NEWER}): the newer one is fresher`, superseded_by: { workflowId: NEWER, version: 3 } }]);
    expect((await listWaitingApprovals(pool, MODEL)).map((w) => w.workflowId)).toEqual([NEWER]);

    await page.goto(`${base}/models/${MODEL}`);
    expect(await page.locator('#approvals h2').textContent()).toBe('Awaiting approval (1)');
    expect(await page.locator('article.approval form[action="/actions/supersede"]').count()).toBe(0);
  });

  it('says so when the run to supersede no longer waits, from the CLI (exit 2: bad input)', async () => {
    const refused = await cli('supersede', OLDER, '--with', NEWER, '--by', 'ana');
    expect(refused, refused.stderr).toMatchObject({ code: 2 });
    expect(refused.stderr).toContain(`run ${OLDER} is not waiting for an approval`);
  });

  it('approves the newer run from the dashboard: it becomes champion and nothing waits any more', async () => {
    await page.goto(`${base}/models/${MODEL}`);
    const message = await submit(box(NEWER).locator('form[action="/actions/approve"]'), { by: 'bob', reason: 'holds up' });
    expect(message).toContain('approved by bob');
    const result = await env.client.workflow.getHandle(NEWER).result();
    expect(result).toMatchObject({ promoted: true, version: 3 });
    expect(await champion()).toBe(3);
    expect(await listWaitingApprovals(pool, MODEL)).toEqual([]);
    await page.goto(base);
    expect(await page.locator(`tr[data-pipeline="${PIPELINE}"] li.alert.pending-approval`).count()).toBe(0);
  });
});
