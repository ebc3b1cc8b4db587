import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import { ensureModel } from '../../lib/db/model-registry';
import type { Pool } from '../../lib/db/pool';
import { modelPipeline } from '../../workflows/pipeline';
import type { PipelineInput } from '../../workflows/pipeline-input';
import { createDashboard } from '../../workers/dashboard/server';
import { pipelineFolderWith } from '../support/pipelines';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'dashboard-test';
const TOKEN = 'dashboard-test-token-0123456789';
const PIPELINE = 'dash';
const MODEL = `${PIPELINE}-model`;
const INJECTED = '<script>alert(1)</script>';
const SLOW_TRAINER = fileURLToPath(new URL('../fixtures/trainers/slow-trainer.ts', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-dashboard-'));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;
let dashboard: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

/** us-employment cut to some years, where the pipeline's file source reads it. */
function writeYears(years: string[]): void {
  const source = resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: 'data/us-employment.csv', format: 'csv', delimiter: ',' }, '.');
  const [header, ...lines] = readFileSync(source, 'utf8').trim().split('\n');
  writeFileSync(path.join(pipelinesDir, `${PIPELINE}.csv`), [header, ...lines.filter((line) => years.includes(line.slice(0, 4)))].join('\n'));
}

function writeSpec(model: Record<string, unknown> = {}, norm: Record<string, unknown> = {}): void {
  pipelineFolderWith(PIPELINE, (spec) => {
    spec.source = { kind: 'file', path: `${PIPELINE}.csv`, format: 'csv' };
    spec.checks = { ...(spec.checks as object), rowCount: { min: 12 } };
    // Two years hold 18 examples: a 4-example holdout, and the dashboard, not the gates, is under test.
    spec.evaluation = { holdout: { fraction: 0.2 }, minHoldout: 4 };
    spec.promotion = { gates: {}, beatBaselines: false };
    spec.model = { ...(spec.model as object), ...model };
    spec.training = { norm };
  }, pipelinesDir);
}

const runPipeline = (workflowId: string, trigger: PipelineInput['trigger']) =>
  env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId, args: [{ pipeline: PIPELINE, trigger, requestedBy: 'test' }] });

const champion = async () =>
  (await pool.query("SELECT v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_name = $1 AND a.alias = 'champion'", [MODEL])).rows[0]?.version;

const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The chart inside `selector` has been drawn by uPlot onto a canvas. */
async function chartDrawn(selector: string): Promise<void> {
  await page.waitForSelector(`${selector}[data-rendered="true"] canvas`);
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));

  // A champion trained on calm years; a trainer that spins past its 2 s norm (cancelled over the
  // norm); then the 2008 recession: a failing drift report and a retrained champion.
  writeYears(['2006', '2007']);
  writeSpec();
  await runPipeline('dash-calm', 'manual');
  writeSpec({ trainer: { module: SLOW_TRAINER }, params: { spinMs: 60_000 } }, { maxSeconds: 2 });
  await runPipeline('dash-slow', 'manual');
  writeSpec();
  writeYears(['2008', '2009']);
  await runPipeline('dash-recession', 'schedule');
  // A name no spec allows, straight into the registry: the pages must show it as text.
  await ensureModel(pool, `${INJECTED}-model`, INJECTED);

  const config = loadConfig({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, DRIFTLINE_DASHBOARD_TOKEN: TOKEN });
  dashboard = await createDashboard({ pool, config, temporal: async () => env.client });
  await dashboard.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(dashboard.server.address() as AddressInfo).port}`;

  browser = await chromium.launch({
    executablePath: inject('chromiumPath'),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await stack?.stop();
});

describe('the dashboard in Chromium, on a database filled by real pipeline runs', () => {
  it('lists the pipeline on the overview, its abnormal state standing out', async () => {
    await page.goto(base);
    const row = page.locator('tr[data-pipeline="dash"]');
    await expect(row.count()).resolves.toBe(1);
    expect(await row.getAttribute('class')).toContain('abnormal');
    const alerts = await row.locator('li.alert').allTextContents();
    // 18 labelled months are too few to call accuracy decay: the data drift alone raises the alert.
    expect(alerts).toEqual(['drift: fail']);
    expect(await row.locator('td').nth(2).textContent()).toContain('v2');
    await screenshot('overview');
  });

  it('opens the drift report from the overview: the drifted column first, with its chart', async () => {
    await page.goto(base);
    await page.locator('tr[data-pipeline="dash"] a.verdict').click();
    await page.waitForURL(/\/pipelines\/dash\/drift\/\d+$/);
    const first = page.locator('li.column').first();
    expect(await first.getAttribute('class')).toContain('drift');
    await chartDrawn('li.column >> nth=0 >> figure');
    expect(await first.locator('.u-legend').textContent()).toMatch(/reference.*current/);
    expect(await first.textContent()).toMatch(/threshold/);
    await screenshot('drift-report');
  });

  it('marks the run cancelled over its norm on the runs chart, and links each run to the Temporal UI', async () => {
    await page.goto(`${base}/models/${MODEL}/runs`);
    await chartDrawn('#runs-chart');
    expect(await page.locator('#runs-chart .u-legend').textContent()).toContain('cancelled over norm');
    expect(await page.locator('#runs-chart figcaption').textContent()).toMatch(/1 run cancelled over the norm/);
    const spec = JSON.parse((await page.locator('#runs-chart-data').textContent()) as string) as { series: { label: string; values: (number | null)[] }[] };
    const marked = spec.series.find((s) => s.label === 'cancelled over norm')?.values.filter((v) => v !== null);
    expect(marked).toHaveLength(1);
    expect(marked?.[0]).toBeGreaterThanOrEqual(2);
    const link = await page.locator('tr.over-norm a[href*="/workflows/"]').getAttribute('href');
    expect(link).toMatch(/^http:\/\/localhost:8233\/namespaces\/default\/workflows\/dash-slow%2Fretrain\//);
    await screenshot('runs');
  });

  it('refuses an action without the token or with a wrong one, and changes nothing', async () => {
    await page.goto(`${base}/models/${MODEL}`);
    await chartDrawn('#versions-chart');
    const form = page.locator('form[action="/actions/rollback"]');
    await form.locator('input[name="toVersion"]').fill('1');
    await form.locator('input[name="by"]').fill('mallory');
    await form.locator('input[name="reason"]').fill('no token');
    const [response] = await Promise.all([page.waitForResponse(`${base}/actions/rollback`), form.locator('button').click()]);
    expect(response.status()).toBe(401);
    expect(await page.locator('.message').textContent()).toMatch(/needs the dashboard token/);
    const wrong = await fetch(`${base}/actions/rollback`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, toVersion: 1, by: 'mallory', reason: 'guess' }),
    });
    expect(wrong.status).toBe(403);
    const approve = await fetch(`${base}/actions/approve`, { method: 'POST', body: new URLSearchParams({ workflowId: 'dash-slow', by: 'mallory', reason: 'x' }) });
    expect(approve.status).toBe(401);
    expect(await champion()).toBe(2);
    const audited = await pool.query("SELECT count(*)::int AS n FROM audit_log WHERE actor = 'mallory'");
    expect(audited.rows[0].n).toBe(0);
  });

  it('rolls back with the token, through the same audited path as the CLI', async () => {
    await page.goto(`${base}/models/${MODEL}`);
    const form = page.locator('form[action="/actions/rollback"]');
    await form.locator('input[name="by"]').fill('ana');
    await form.locator('input[name="reason"]').fill('v2 overshoots');
    await form.locator('input[name="token"]').fill(TOKEN);
    await form.locator('button').click();
    expect(await page.locator('.message').textContent()).toBe(`Champion of ${MODEL} is now version 1.`);
    expect(await champion()).toBe(1);
    // A form from a page that still showed v2 as champion: refused, nothing changes.
    const stale = await fetch(`${base}/actions/rollback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, expectedChampion: 2, toVersion: 2, by: 'ana', reason: 'from an old tab' }),
    });
    expect(stale.status).toBe(400);
    expect(await stale.text()).toContain('moved: expected v2, now v1; nothing rolled back');
    expect(await champion()).toBe(1);
    await page.goto(`${base}/models/${MODEL}`);
    await chartDrawn('#versions-chart');
    expect(await page.locator('table.audit tr.action-rollback').first().textContent()).toMatch(/rollback.*v1.*ana.*v2 overshoots/);
    await screenshot('model');
  });

  it('shows injected names as text: a pipeline on the overview and an annotation label on the drift report', async () => {
    await page.goto(base);
    const row = page.locator('tr[data-pipeline="<script>alert(1)</script>"]');
    expect(await row.locator('td').first().textContent()).toContain(INJECTED);

    const report = (await pool.query("SELECT id FROM drift_reports WHERE pipeline = $1 AND verdict = 'fail'", [PIPELINE])).rows[0].id;
    await page.goto(`${base}/pipelines/${PIPELINE}/drift`);
    const form = page.locator('form[action="/actions/annotate"]');
    await form.locator('input[name="label"]').fill(INJECTED);
    await form.locator('input[name="from"]').fill('2008-06-01');
    await form.locator('input[name="to"]').fill('2008-09-30');
    await form.locator('input[name="by"]').fill('ana');
    await form.locator('input[name="token"]').fill(TOKEN);
    await form.locator('button').click();
    expect(await page.locator('.message').textContent()).toContain(INJECTED);
    await page.goto(`${base}/pipelines/${PIPELINE}/drift/${report}`);
    expect(await page.locator('ul.annotations li strong').textContent()).toBe(INJECTED);

    // Only the page's own scripts exist: two from /assets and the inert JSON data blocks.
    const scripts = await page.locator('script').evaluateAll((nodes) => nodes.map((s) => (s as unknown as { src: string; type: string }).src || (s as unknown as { type: string }).type));
    expect(scripts.filter((s) => s !== 'application/json')).toEqual([`${base}/assets/uPlot.iife.min.js`, `${base}/assets/charts.js`]);
    expect(dialogs).toEqual([]);
  });

  it('shows the data: snapshots and a snapshot profile', async () => {
    await page.goto(`${base}/pipelines/${PIPELINE}/data`);
    await page.locator('table a[href^="/snapshots/"]').first().click();
    expect(await page.locator('table.profile tr').count()).toBeGreaterThan(3);
    await screenshot('snapshot');
  });
});
