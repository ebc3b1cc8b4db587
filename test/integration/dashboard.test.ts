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

interface SpecChanges {
  model?: Record<string, unknown>;
  norm?: Record<string, unknown>;
  gates?: Record<string, unknown>;
  minRows?: number;
}

function writeSpec({ model = {}, norm = {}, gates = {}, minRows = 12 }: SpecChanges = {}): void {
  pipelineFolderWith(PIPELINE, (spec) => {
    spec.source = { kind: 'file', path: `${PIPELINE}.csv`, format: 'csv' };
    spec.checks = { ...(spec.checks as object), rowCount: { min: minRows } };
    // Two years hold 18 examples: a 4-example holdout, and the dashboard, not the gates, is under test.
    spec.evaluation = { holdout: { fraction: 0.2 }, minHoldout: 4 };
    spec.promotion = { gates, beatBaselines: false };
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
  writeSpec({ model: { trainer: { module: SLOW_TRAINER }, params: { spinMs: 60_000 } }, norm: { maxSeconds: 2 } });
  await runPipeline('dash-slow', 'manual');
  writeSpec();
  writeYears(['2008', '2009']);
  await runPipeline('dash-recession', 'schedule');
  // A year more and a candidate no model can pass (RMSE below 0.001 thousand jobs): a third check,
  // and the champion is kept.
  writeSpec({ gates: { rmse: { threshold: 0.001 } } });
  writeYears(['2008', '2009', '2010']);
  await runPipeline('dash-kept', 'manual');
  // A year of 12 months against a check that wants 13 rows: validation refuses the snapshot.
  writeSpec({ minRows: 13 });
  writeYears(['2010']);
  await expect(runPipeline('dash-invalid', 'manual')).rejects.toThrow();
  writeSpec();
  // A name no spec allows, straight into the registry: the pages must show it as text.
  await ensureModel(pool, `${INJECTED}-model`, INJECTED);

  const config = loadConfig({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, DRIFTLINE_DASHBOARD_TOKEN: TOKEN, DRIFTLINE_PIPELINES_DIR: pipelinesDir });
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
  it('lists the pipeline on the overview, its abnormal state standing out, each flag linking to the page that explains it', async () => {
    await page.goto(base);
    const row = page.locator('tr[data-pipeline="dash"]');
    await expect(row.count()).resolves.toBe(1);
    expect(await row.getAttribute('class')).toContain('abnormal');
    const worst = await worstReport();
    // The latest check that found v2's training snapshot drifted, before v2 was trained on it.
    const trainedOnDrift = (await pool.query(
      `SELECT d.id FROM drift_reports d JOIN model_versions v ON d.current_snapshot_id = ANY (v.training_snapshot_ids) AND d.created_at <= v.created_at
       WHERE v.model_name = $1 AND v.version = 2 AND d.verdict = 'fail' ORDER BY d.id DESC LIMIT 1`,
      [MODEL],
    )).rows[0].id;
    const invalid = (await pool.query('SELECT snapshot_id FROM validation_reports WHERE pipeline = $1 AND NOT passed', [PIPELINE])).rows[0].snapshot_id;
    const alerts = await row.locator('li.alert a').evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href')]));
    // 18 labelled months are too few to call accuracy decay. The kept champion is no alert.
    expect(alerts).toEqual([
      ['drift: fail', `/pipelines/${PIPELINE}/drift/${worst.id}`],
      ['v2 retrained on drifted data', `/pipelines/${PIPELINE}/drift/${trainedOnDrift}`],
      [`validation failed on snapshot #${invalid}`, `/snapshots/${invalid}#validation`],
    ]);
    expect(await row.textContent()).not.toMatch(/failed a gate/);
    expect(await row.locator('td').nth(2).textContent()).toContain('v2');
    // The spec's description stands under the pipeline's name.
    expect(await row.locator('td').first().textContent()).toContain('nonfarm payrolls');
    // The worst verdict of every check since the last look, not merely the latest.
    expect(await row.locator('td.drift a.verdict').getAttribute('href')).toBe(`/pipelines/${PIPELINE}/drift/${worst.id}`);
    expect(await row.locator('td.drift').textContent()).toContain(`worst of ${worst.checks} checks (none acknowledged)`);
    await screenshot('overview');
  });

  it('opens the failed validation from the overview in one click: every check with what was expected and seen', async () => {
    await page.goto(base);
    await page.locator('tr[data-pipeline="dash"] li.alert.validation-failed a').click();
    await page.waitForURL(/\/snapshots\/\d+#validation$/);
    const failed = page.locator('#validation + div.validation.failed');
    expect(await failed.locator('tr.fail').first().textContent()).toMatch(/rowCount.*fail.*13.*12/s);
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
    // In the data's units: the heading, the shift table and the chart's axis name them.
    const column = (await first.getAttribute('data-column')) as string;
    expect(await first.locator('h3').textContent()).toContain(`${column} (thousand jobs)`);
    expect(await first.locator('table.shift caption').textContent()).toBe('in thousand jobs');
    expect(await first.locator('table.shift thead').textContent()).toMatch(/mean.*median.*p5.*p25.*p75.*p95.*missing/);
    const histogram = JSON.parse((await first.locator('script[type="application/json"]').textContent()) as string) as { xLabel: string };
    expect(histogram.xLabel).toBe(`${column} (thousand jobs)`);
    // Shares drawn as bars start at zero.
    const [yMin] = JSON.parse((await first.locator('figure').getAttribute('data-y-range')) as string) as number[];
    expect(yMin).toBe(0);
    expect(await page.locator('#validation').textContent()).toMatch(/Validation of snapshot #\d+/);
    expect(await page.locator('#validation + div.validation').getAttribute('class')).toContain('passed');
    await screenshot('drift-report');
  });

  it('draws each column\'s score across the checks beside its threshold, as stored in every report', async () => {
    await page.goto(`${base}/pipelines/${PIPELINE}/drift`);
    await chartDrawn('#trend-0');
    const stored = (await pool.query("SELECT report->'data'->'columns' AS columns FROM drift_reports WHERE pipeline = $1 ORDER BY created_at, id", [PIPELINE])).rows as { columns: { column: string; pValue: number | null; statistic: number | null; threshold: number }[] }[];
    const figures = await page.locator('figure[id^="trend-"]').count();
    expect(figures).toBe(stored[0]?.columns.length);
    for (let i = 0; i < figures; i += 1) {
      const spec = JSON.parse((await page.locator(`#trend-${i}-data`).textContent()) as string) as { x: number[]; yLog?: boolean; series: { label: string; values: (number | null)[] }[] };
      const column = (spec.series[0]?.label as string).replace(/ score$/, '');
      const drifts = stored.map((r) => r.columns.find((c) => c.column === column));
      expect(spec.x).toHaveLength(stored.length);
      // p-values on a log scale (their logarithms), the smallest on the stated floor; distances as they are.
      const floor = Number(/p-values under (\S+) drawn/.exec((await page.locator(`#trend-${i} figcaption`).textContent()) as string)?.[1]);
      const drawn = (value: number | null | undefined) => {
        if (value === null || value === undefined) return null;
        return spec.yLog ? Math.log10(Math.max(value, floor)) : value;
      };
      expect(spec.series[0]?.values).toEqual(drifts.map((c) => drawn(c?.pValue ?? c?.statistic)));
      expect(spec.series[1]?.values).toEqual(drifts.map((c) => drawn(c?.threshold)));
    }
    expect(await page.locator('#trend-0 figcaption').textContent()).toMatch(/\(thousand jobs\)/);
    expect(await page.locator('main').textContent()).toContain('No segment breakdown');
    await screenshot('drift-trend');
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
    // The overview flags it, and one click lands on the decision.
    await page.goto(base);
    await page.locator('tr[data-pipeline="dash"] li.alert.rolled-back a').click();
    await page.waitForURL(`${base}/models/${MODEL}#decisions`);
    expect(await page.locator('#decisions + table.audit tr.action-rollback').count()).toBeGreaterThan(0);
  });

  it('shows a kept champion as an ordinary outcome, not a rejection by driftline', async () => {
    await page.goto(`${base}/models/${MODEL}`);
    const kept = page.locator('table.audit tr.action-kept');
    await expect(kept.count()).resolves.toBe(1);
    expect(await kept.textContent()).toMatch(/kept the champion.*v3 not promoted.*automatic/s);
    expect(await page.locator('table.audit').textContent()).not.toMatch(/reject/);
    // Styled as an ordinary row: neither the alarm's colour nor an abnormal row's.
    expect(await kept.getAttribute('class')).not.toContain('abnormal');
    // Page scripts are not TypeScript here (no DOM types): the browser evaluates them as written.
    const [color, alarm] = (await page.evaluate(`(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--alarm)';
      document.body.append(probe);
      return [getComputedStyle(document.querySelector('table.audit tr.action-kept')).color, getComputedStyle(probe).color];
    })()`)) as string[];
    expect(color).not.toBe(alarm);
    // The version's own page says the same: no red row, no rejection by "driftline".
    await page.goto(`${base}/models/${MODEL}/versions/3`);
    expect(await page.locator('tr.abnormal').count()).toBe(0);
    expect(await page.locator('tr.action-kept').textContent()).toMatch(/kept the champion.*automatic/s);
    expect(await page.locator('main').innerText()).not.toMatch(/reject/);
  });

  it('never joins versions scored on different holdouts into one line', async () => {
    await page.goto(`${base}/models/${MODEL}`);
    await chartDrawn('#versions-chart');
    const spec = JSON.parse((await page.locator('#versions-chart-data').textContent()) as string) as { yLabel: string; series: { label: string; values: (number | null)[] }[] };
    // Errors are in the target's unit, as the spec declares it.
    expect(spec.yLabel).toContain('thousand jobs');
    const holdouts = (await pool.query(
      `SELECT v.version, e.holdout_start, e.holdout_examples FROM model_versions v
       JOIN LATERAL (SELECT holdout_start, holdout_examples FROM evaluations WHERE version_id = v.id ORDER BY id DESC LIMIT 1) e ON true
       WHERE v.model_name = $1 ORDER BY v.version`,
      [MODEL],
    )).rows as { version: number; holdout_start: string; holdout_examples: number }[];
    const distinct = new Set(holdouts.map((h) => `${h.holdout_start}/${h.holdout_examples}`));
    expect(distinct.size).toBeGreaterThan(1);
    const lines = spec.series.filter((s) => s.label.startsWith('RMSE, holdout '));
    expect(lines).toHaveLength(distinct.size);
    // Each version on exactly one line, the line of its own holdout.
    for (const [i, h] of holdouts.entries()) {
      const on = lines.filter((line) => line.values[i] !== null);
      expect(on).toHaveLength(1);
      expect(on[0]?.label).toContain(`${h.holdout_examples} examples`);
    }
    expect(await page.locator('#versions-chart figcaption').textContent()).toContain(`on ${distinct.size} different holdouts`);
  });

  it('acknowledges the checks: the overview then counts only later ones, recorded with who looked', async () => {
    const newest = (await pool.query('SELECT max(id) AS id FROM drift_reports WHERE pipeline = $1', [PIPELINE])).rows[0].id;
    // Without the token: refused, nothing recorded.
    const refused = await fetch(`${base}/actions/acknowledge`, { method: 'POST', body: new URLSearchParams({ pipeline: PIPELINE, driftReportId: String(newest), by: 'mallory' }) });
    expect(refused.status).toBe(401);
    await page.goto(`${base}/pipelines/${PIPELINE}/drift/${newest}`);
    const form = page.locator('form[action="/actions/acknowledge"]');
    await form.locator('input[name="by"]').fill('ana');
    await form.locator('input[name="token"]').fill(TOKEN);
    await form.locator('button').click();
    expect(await page.locator('.message').textContent()).toContain(`up to report #${newest} acknowledged by ana`);
    const recorded = (await pool.query('SELECT acknowledged_by, drift_report_id FROM acknowledgements WHERE pipeline = $1', [PIPELINE])).rows;
    expect(recorded).toEqual([{ acknowledged_by: 'ana', drift_report_id: newest }]);
    await page.goto(base);
    const row = page.locator('tr[data-pipeline="dash"]');
    expect(await row.locator('td.drift').textContent()).toMatch(/no check since.*seen by ana/s);
    const kinds = await row.locator('li.alert').evaluateAll((items) => items.map((li) => li.className));
    expect(kinds.some((k) => k.includes('drift') && !k.includes('retrained'))).toBe(false);
  });

  it('shows injected names as text: a pipeline on the overview and an annotation label on the drift report', async () => {
    await page.goto(base);
    const row = page.locator('tr[data-pipeline="<script>alert(1)</script>"]');
    expect(await row.locator('td').first().textContent()).toContain(INJECTED);

    const report = (await pool.query("SELECT id FROM drift_reports WHERE pipeline = $1 AND verdict = 'fail' ORDER BY id", [PIPELINE])).rows[0].id;
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

  it('writes numbers as people read them on every page: dates, not epoch numbers; a few significant digits; never NaN', async () => {
    const snapshot = (await pool.query('SELECT snapshot_id FROM pipeline_snapshots WHERE pipeline = $1 ORDER BY snapshot_id LIMIT 1', [PIPELINE])).rows[0].snapshot_id;
    await page.goto(`${base}/snapshots/${snapshot}`);
    const month = await page.locator('table.profile tr[data-column="month"]').textContent();
    expect(month).toMatch(/from 20\d\d-\d\d-\d\d to 20\d\d-\d\d-\d\d/);
    expect(await page.locator('table.profile tr[data-column="nonfarm"] td').first().textContent()).toContain('nonfarm (thousand jobs)');
    for (const path of await everyPage()) {
      await page.goto(`${base}${path}`);
      // What a person reads: the rendered text, not the charts' JSON data blocks.
      const text = await page.locator('main').innerText();
      const bad = /\d\.\d{6,}|\de\+1\d|NaN|Na-n/.exec(text);
      expect(bad && text.slice(Math.max(0, bad.index - 60), bad.index + 60), path).toBeNull();
    }
  });

  it('fits a 390 px wide phone: no page scrolls sideways', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      for (const path of await everyPage()) {
        await phone.goto(`${base}${path}`);
        await phone.waitForFunction("[...document.querySelectorAll('figure[data-chart]')].every((f) => f.dataset.rendered === 'true')");
        const width = (await phone.evaluate('document.scrollingElement.scrollWidth')) as number;
        expect(width, path).toBeLessThanOrEqual(390);
      }
      const report = (await pool.query("SELECT id FROM drift_reports WHERE pipeline = $1 AND verdict = 'fail' ORDER BY id", [PIPELINE])).rows[0].id;
      await phone.goto(`${base}/pipelines/${PIPELINE}/drift/${report}`);
      await phone.screenshot({ path: path.join(SCREENSHOTS, 'phone-drift-report.png'), fullPage: false });
    } finally {
      await phone.close();
    }
  });
});

const SEVERITY: Record<string, number> = { ok: 0, warn: 1, fail: 2 };

/** The worst of the pipeline's checks (the newest among equals), and how many there are: what the overview must show before any acknowledgement. */
async function worstReport(): Promise<{ id: string; checks: number }> {
  const reports = (await pool.query('SELECT id, verdict FROM drift_reports WHERE pipeline = $1 ORDER BY created_at, id', [PIPELINE])).rows as { id: string; verdict: string }[];
  const worst = reports.reduce((a, b) => ((SEVERITY[b.verdict] ?? 0) >= (SEVERITY[a.verdict] ?? 0) ? b : a));
  return { id: worst.id, checks: reports.length };
}

/** Every kind of page the dashboard serves, for this test's pipeline. */
async function everyPage(): Promise<string[]> {
  const report = (await pool.query('SELECT max(id) AS id FROM drift_reports WHERE pipeline = $1', [PIPELINE])).rows[0].id;
  const failing = (await pool.query("SELECT id FROM drift_reports WHERE pipeline = $1 AND verdict = 'fail' ORDER BY id", [PIPELINE])).rows[0].id;
  const snapshots = (await pool.query('SELECT snapshot_id FROM pipeline_snapshots WHERE pipeline = $1 ORDER BY snapshot_id', [PIPELINE])).rows.map((r) => r.snapshot_id);
  return [
    '/',
    `/models/${MODEL}`,
    `/models/${MODEL}/runs`,
    `/models/${MODEL}/versions/1`,
    `/models/${MODEL}/versions/3`,
    `/pipelines/${PIPELINE}/drift`,
    `/pipelines/${PIPELINE}/drift/${report}`,
    `/pipelines/${PIPELINE}/drift/${failing}`,
    `/pipelines/${PIPELINE}/data`,
    ...snapshots.map((id) => `/snapshots/${id}`),
  ];
}
