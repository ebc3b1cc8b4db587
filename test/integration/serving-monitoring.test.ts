import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DriftlineConfig } from '../../lib/config';
import { tableToBytes } from '../../lib/data/columns/table-bytes';
import { tableOfRows } from '../../lib/data/columns/table-of-rows';
import type { Row } from '../../lib/data/typed-row';
import { findDriftReport } from '../../lib/db/drift-reports';
import { getAliasedVersion } from '../../lib/db/model-registry';
import { inTransaction, type Pool } from '../../lib/db/pool';
import { inputSchemaOf } from '../../lib/serving/input-schema';
import { prepareBatch } from '../../lib/serving/prepare-batch';
import { predictProbabilitiesWith } from '../../activities/training/predict';
import { monitorServing } from '../../workflows/monitor-serving';
import { modelPipeline } from '../../workflows/pipeline';
import { recordActuals } from '../../workflows/record-actuals';
import { createDashboard } from '../../workers/dashboard/server';
import { startServing, type RunningServer } from '../../workers/serving/start';
import { runDriftline } from '../support/driftline-cli';
import { penguinSpeciesPipeline } from '../support/pipelines';
import { loadPenguins, PENGUIN_COLUMNS, writeCsv, type Bird } from '../support/vega-data';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'serving-monitoring-test';
const NAME = 'served-penguins';
const MODEL = `${NAME}-model`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-serving-monitoring-'));

const birds = loadPenguins();
const complete = birds.filter((bird) => Object.keys(PENGUIN_COLUMNS).every((column) => bird[column] !== null && bird[column] !== undefined && bird[column] !== '.'));
/** Trained on two birds in three; the third bird is what the model is later asked about. */
const training = complete.filter((_, i) => i % 3 !== 0);
const unseen = complete.filter((_, i) => i % 3 === 0);

/** A request row: what a caller knows before the answer (no species). */
const question = (bird: Bird) => Object.fromEntries(Object.keys(PENGUIN_COLUMNS).filter((c) => c !== 'Species').map((c) => [c, bird[c] ?? null]));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;
let server: RunningServer;

/** Asks the served model about the birds; answers with each bird's prediction id and class. */
async function ask(rows: Record<string, unknown>[]): Promise<{ predictionId: string; class: string }[]> {
  const answers: { predictionId: string; class: string }[] = [];
  for (let at = 0; at < rows.length; at += 40) {
    const response = await fetch(`${server.url}/v1/models/${MODEL}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rows.slice(at, at + 40)) });
    expect(response.status).toBe(200);
    answers.push(...((await response.json()) as { predictions: { predictionId: string; class: string }[] }).predictions);
  }
  for (let i = 0; i < 100 && server.metrics.pending() > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  return answers;
}

/** An actuals file: each answer's prediction id (the row key of a pipeline without key columns) and the observed species. */
function actualsFile(name: string, answers: { predictionId: string }[], species: (i: number) => string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `row_key,Species\n${answers.map((a, i) => `${a.predictionId},${species(i)}`).join('\n')}\n`);
  return file;
}

/** Bigger birds than any the model learned from: every measurement shifted. */
const bigger = (bird: Bird) => ({
  ...question(bird),
  'Body Mass (g)': (bird['Body Mass (g)'] as number) + 1500,
  'Flipper Length (mm)': (bird['Flipper Length (mm)'] as number) + 25,
  'Beak Length (mm)': (bird['Beak Length (mm)'] as number) + 12,
  'Beak Depth (mm)': (bird['Beak Depth (mm)'] as number) + 5,
});
const SHIFTED = ['Body Mass (g)', 'Flipper Length (mm)', 'Beak Length (mm)', 'Beak Depth (mm)'];

/**
 * The rows scored as a batch scoring run of the champion logs them: its scoring_runs row, and per
 * chunk, in one transaction, a scored_chunks row holding the chunk's model inputs as a column
 * table and the chunk's predictions (the champion's own) with no inputs of their own.
 */
async function logAsBatch(batchId: string, rows: Record<string, unknown>[], chunkRows: number): Promise<{ chunks: number }> {
  const champion = await getAliasedVersion(pool, MODEL, 'champion');
  if (!champion) throw new Error(`${MODEL} has no champion`);
  const { artifact, version } = champion;
  const schema = inputSchemaOf(artifact.plan, PENGUIN_COLUMNS);
  const classes = artifact.plan.classes?.values as string[];
  const probabilities = await predictProbabilitiesWith(artifact, prepareBatch(artifact, schema.columns, rows), new AbortController().signal);
  await pool.query(`INSERT INTO scoring_runs (batch_id, pipeline, model, version, alias, workflow_id, outcome) VALUES ($1, $2, $3, $4, 'champion', $1, 'succeeded')`, [batchId, NAME, MODEL, version]);
  let chunks = 0;
  for (let at = 0; at < rows.length; at += chunkRows, chunks += 1) {
    const part = rows.slice(at, at + chunkRows);
    const inputs = tableToBytes(tableOfRows(part as Row[], Object.fromEntries(schema.required.map((column) => [column, schema.columns[column] as (typeof schema.columns)[string]]))));
    const scored = probabilities.slice(at, at + chunkRows);
    await inTransaction(pool, async (client) => {
      await client.query(
        'INSERT INTO scored_chunks (batch_id, chunk, last_record, pipeline, model, version, predictions, inputs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [batchId, chunks, at + part.length, NAME, MODEL, version, part.length, inputs],
      );
      await client.query(
        `INSERT INTO predictions (pipeline, model, version, batch_id, row_key, predicted_class, probabilities, input_digest, source)
         SELECT $1, $2, $3, $4, key, class, probabilities::jsonb, 'not compared', 'batch' FROM unnest($5::text[], $6::text[], $7::text[]) AS p(key, class, probabilities)`,
        [
          NAME,
          MODEL,
          version,
          batchId,
          part.map((_, i) => `${batchId}-${at + i}`),
          scored.map((p) => classes[p.indexOf(Math.max(...p))]),
          scored.map((p) => JSON.stringify(Object.fromEntries(classes.map((c, k) => [c, p[k]])))),
        ],
      );
    });
  }
  return { chunks };
}

const cli = (...args: string[]) =>
  runDriftline({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DRIFTLINE_PIPELINES_DIR: dir }, ...args);

beforeAll(async () => {
  penguinSpeciesPipeline(NAME, dir, `${NAME}.csv`, { name: MODEL, trainer: 'logistic', params: { alpha: 1 } });
  writeCsv(path.join(dir, `${NAME}.csv`), Object.keys(PENGUIN_COLUMNS), training);
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir: dir }));
  const first = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-train-1`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
  expect(first).toMatchObject({ version: 1, promoted: true });
  const config = DriftlineConfig.parse({ DATABASE_URL: inject('databaseUrl'), DRIFTLINE_PIPELINES_DIR: dir });
  server = await startServing(config, { host: '127.0.0.1', port: 0, limits: { rows: 50, bodyBytes: 64 * 1024 }, pollMs: 200, logPredictions: true, logError: () => undefined });
}, 240_000);

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

let unseenAnswers: { predictionId: string; class: string }[] = [];

describe('the served champion monitored: actuals, live accuracy, serving drift, estimated performance', () => {
  it('joins actuals recorded through the recordActuals workflow (driftline actuals --workflow) and computes live accuracy', async () => {
    unseenAnswers = await ask(unseen.map(question));
    expect(unseenAnswers).toHaveLength(unseen.length);
    const file = actualsFile('outcomes.csv', unseenAnswers, (i) => unseen[i]?.Species as string);
    const result = await cli('actuals', '--pipeline', NAME, '--file', file, '--workflow', '--by', 'analyst', '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { workflowId: string; recorded: number; matched: number; live: { version: number; examples: number; metrics: { accuracy: number }; decay: { decayed: boolean; insufficient: boolean } }; action: { retrain: boolean; notify?: string } };
    expect(report).toMatchObject({ recorded: unseen.length, matched: unseen.length });
    const right = unseenAnswers.filter((a, i) => a.class === unseen[i]?.Species).length;
    // Live accuracy is over the newest window (100) of the joined outcomes.
    const window = Math.min(100, unseen.length);
    expect(report.live).toMatchObject({ version: 1, examples: window, decay: { insufficient: false, decayed: false } });
    expect(report.live.metrics.accuracy).toBeGreaterThan(0.9);
    expect(right / unseen.length).toBeGreaterThan(0.9);
    expect(report.action).toMatchObject({ retrain: false });
    expect(report.action.notify).toBeUndefined();

    // The same outcomes again, as a person reads them: recording them twice changes nothing.
    const again = await cli('actuals', '--pipeline', NAME, '--file', file, '--workflow', '--by', 'analyst');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`recorded +${unseen.length} outcomes, ${unseen.length} of them for logged predictions`));
    expect(again.stdout).toMatch(/refused +none/);
    expect(again.stdout).toMatch(new RegExp(`live accuracy +v1, \\w+ [\\d.]+ on ${window} of ${unseen.length} outcomes \\(promoted at [\\d.]+\\): no decay`));
    expect(again.stdout).toMatch(/policy +.+: ok: keeping the champion/);
    expect(again.stdout).toMatch(/workflow +http:\/\/\S+\/namespaces\/default\/workflows\/actuals-/);

    const human = await cli('predictions', '--model', MODEL, '--limit', '5');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/prediction id/);
    expect(human.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('finds no serving drift in unshifted inputs, and its CBPE estimate is close to the realised accuracy', async () => {
    const result = await env.client.workflow.execute(monitorServing, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-serving-1`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
    expect(result.drift.verdict, result.drift.reasons.join('; ')).toBe('ok');
    expect(result.drift.columnsDrifted).toBe(0);
    expect(result.drift.columnsTested).toBeGreaterThanOrEqual(5);
    expect(result.action).toMatchObject({ retrain: false });
    const estimate = result.estimate;
    expect(estimate).toMatchObject({ metric: 'accuracy', rows: unseen.length, alert: false });
    // Estimated from the served probabilities (calibrated on the champion's holdout) vs what the actuals show.
    const realised = estimate?.realised;
    expect(realised?.rows).toBe(Math.min(100, unseen.length));
    console.log(`CBPE on served penguins: estimated ${estimate?.realised?.estimatedOnSameRows.toFixed(4)} vs realised ${realised?.value.toFixed(4)} on ${realised?.rows} rows (standard error ${estimate?.standardError?.toFixed(4)}; reference ${estimate?.reference.realised.toFixed(4)} on ${estimate?.reference.rows})`);
    expect(Math.abs((realised?.estimatedOnSameRows as number) - (realised?.value as number))).toBeLessThan(0.05);

    const stored = await findDriftReport(pool, NAME, result.drift.reportId);
    expect(stored?.currentSnapshotId).toBeNull();
    expect(stored?.check.served).toMatchObject({ predictions: unseen.length, versions: [1], championVersion: 1, since: null });
    expect(stored?.check.reasons[0]).toMatch(/^served inputs since the first prediction: \d+ predictions, .* vs training data of v1/);
  });

  it('shows the model at work on the dashboard: version in service, volume, live accuracy, the estimate beside the realised value, the latest serving drift', async () => {
    const config = DriftlineConfig.parse({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, DRIFTLINE_PIPELINES_DIR: dir });
    const dashboard = await createDashboard({ pool, config, temporal: async () => env.client });
    try {
      const page = await dashboard.inject({ method: 'GET', url: `/models/${MODEL}` });
      expect(page.statusCode).toBe(200);
      const text = page.body.replace(/<[^>]+>/g, '');
      expect(text).toContain('In service');
      expect(text).toMatch(/version in servicev1 \(the champion/);
      expect(text).toMatch(new RegExp(`live accuracyv1: accuracy [01]\\.\\d{3}, log_loss [\\d.e-]+ on ${Math.min(100, unseen.length)} of ${unseen.length} outcomes`));
      expect(text).toMatch(/estimated performanceestimated accuracy 0\.\d+ on \d+ served predictions \(reference [\d.]+.*; realised [\d.]+ on the \d+ served predictions with actuals/);
      const report = (await pool.query(`SELECT max(id) AS id FROM drift_reports WHERE pipeline = $1 AND kind = 'serving'`, [NAME])).rows[0].id as string;
      expect(page.body).toContain(`href="/pipelines/${NAME}/drift/${report}"`);
      expect(page.body).toContain('id="volume-chart"');
      const reportPage = await dashboard.inject({ method: 'GET', url: `/pipelines/${NAME}/drift/${report}` });
      expect(reportPage.statusCode).toBe(200);
      expect(reportPage.body.replace(/<[^>]+>/g, '')).toMatch(/serving drift: served inputs since the first prediction: \d+ predictions/);
    } finally {
      await dashboard.close();
    }
  });

  it('stores a serving-drift report after shifted inputs, comparing only what was served since the previous check, and notifies', async () => {
    await ask(unseen.slice(0, 60).map(bigger));
    const result = await env.client.workflow.execute(monitorServing, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-serving-2`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
    expect(result.drift.verdict, result.drift.reasons.join('; ')).toBe('fail');
    expect(result.drift.drifted.map((d) => d.column)).toEqual(expect.arrayContaining(SHIFTED));
    const stored = await findDriftReport(pool, NAME, result.drift.reportId);
    expect(stored?.check.served).toMatchObject({ predictions: 60 });
    expect(stored?.check.served?.since).not.toBeNull();
    const kind = await pool.query('SELECT kind FROM drift_reports WHERE id = $1', [result.drift.reportId]);
    expect(kind.rows[0].kind).toBe('serving');
    const shown = await cli('drift', '--pipeline', NAME, '--report', String(result.drift.reportId));
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/current\s+served inputs: 60 predictions logged/);
    // The default policy retrains and notifies on a fail.
    expect(result.action).toMatchObject({ retrain: true, notify: 'critical' });
    expect(result.retrain?.result).toMatchObject({ pipeline: NAME });
    const sent = await pool.query(`SELECT kind, title FROM notifications WHERE pipeline = $1 AND dedupe_key = $2`, [NAME, `drift:${result.drift.reportId}`]);
    expect(sent.rows[0]).toMatchObject({ kind: 'serving_drift_fail' });
    expect(sent.rows[0].title).toMatch(/^Serving drift fail/);

    const nothingNew = await env.client.workflow.execute(monitorServing, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-serving-3`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
    expect(nothingNew.drift.verdict).toBe('no_new_data');
  });

  it('compares batch-scored inputs, kept per chunk in scored_chunks (their predictions log none): no drift in unshifted birds, a fail in shifted ones', async () => {
    // Nothing served since the previous check (the case above ended on no_new_data): only these batches are compared.
    const alike = unseen.map(question);
    const first = await logAsBatch(`${NAME}-batch-1`, alike, 40);
    const same = await env.client.workflow.execute(monitorServing, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-serving-batch-1`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
    expect(same.drift.verdict, same.drift.reasons.join('; ')).toBe('ok');
    expect(same.drift.columnsDrifted).toBe(0);
    expect(same.drift.columnsTested).toBeGreaterThanOrEqual(5);
    const sameReport = await findDriftReport(pool, NAME, same.drift.reportId);
    expect(sameReport?.check.served).toMatchObject({ predictions: alike.length, inputs: { logged: 0, scored: alike.length, chunks: first.chunks } });
    expect(sameReport?.check.data.rows.current).toBe(alike.length);
    expect(sameReport?.check.reasons[0]).toContain(`inputs of ${alike.length} rows: 0 logged with their predictions, ${alike.length} from ${first.chunks} scored chunks`);

    const shifted = unseen.slice(0, 60).map(bigger);
    const second = await logAsBatch(`${NAME}-batch-2`, shifted, 25);
    const moved = await env.client.workflow.execute(monitorServing, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-serving-batch-2`, args: [{ pipeline: NAME, requestedBy: 'test' }] });
    expect(moved.drift.verdict, moved.drift.reasons.join('; ')).toBe('fail');
    expect(moved.drift.drifted.map((d) => d.column)).toEqual(expect.arrayContaining(SHIFTED));
    const movedReport = await findDriftReport(pool, NAME, moved.drift.reportId);
    // Only the chunks scored since the previous check: the first batch is not compared again.
    expect(movedReport?.check.served).toMatchObject({ predictions: shifted.length, inputs: { logged: 0, scored: shifted.length, chunks: second.chunks } });
    expect(movedReport?.check.data.rows.current).toBe(shifted.length);
  });

  it('accuracy decay on recorded actuals triggers the drift policy: the team notified and a retrain run', async () => {
    const champion = (await pool.query(`SELECT v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_name = $1 AND a.alias = 'champion'`, [MODEL])).rows[0].version as number;
    const answers = await ask(unseen.map(question));
    // Every outcome names a species the model did not predict: its log loss soars.
    const wrong = (i: number) => ['Adelie', 'Chinstrap', 'Gentoo'].find((s) => s !== answers[i]?.class) as string;
    const file = actualsFile('wrong-outcomes.csv', answers, wrong);
    const result = await env.client.workflow.execute(recordActuals, { taskQueue: TASK_QUEUE, workflowId: `${NAME}-actuals-decay`, args: [{ pipeline: NAME, file, requestedBy: 'test' }] });
    expect(result.recorded).toMatchObject({ recorded: unseen.length, matched: unseen.length, refused: 0 });
    expect(result.live?.version).toBe(champion);
    expect(result.live?.decay).toMatchObject({ metric: 'log_loss', decayed: true });
    expect(result.action).toMatchObject({ retrain: true, notify: 'critical' });
    expect(result.retrain?.workflowId).toBe(`${NAME}-actuals-decay/retrain`);
    const sent = await pool.query(`SELECT kind, severity, title FROM notifications WHERE pipeline = $1 AND kind = 'accuracy_decay'`, [NAME]);
    expect(sent.rows).toHaveLength(1);
    expect(sent.rows[0].title).toContain(`served v${champion}`);
  });

  it('exports predictions as CSV and traces a prediction id to its version, data and code', async () => {
    const csv = await cli('predictions', '--model', MODEL, '--csv', '--limit', '1000000');
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('prediction_id,logged_at,model,version,source,batch_id,row_key,at,prediction,predicted_class,probabilities,actual,input_digest');
    const logged = Number((await pool.query('SELECT count(*) FROM predictions WHERE model = $1', [MODEL])).rows[0].count);
    expect(lines).toHaveLength(logged + 1);

    const [first] = unseenAnswers;
    const traced = await cli('lineage', '--prediction', first?.predictionId as string, '--json');
    expect(traced.code, traced.stderr).toBe(0);
    const lineage = JSON.parse(traced.stdout) as { prediction: { version: number; actual: string }; lineage: { version: { version: number; codeVersion: string; artifactDigest: string }; snapshots: { id: number }[] } };
    expect(lineage.prediction).toMatchObject({ version: 1 });
    expect(lineage.lineage.version).toMatchObject({ version: 1, codeVersion: 'test-commit' });
    expect(lineage.lineage.snapshots.length).toBeGreaterThan(0);
    const human = await cli('lineage', '--prediction', first?.predictionId as string);
    expect(human.stdout).toMatch(/prediction\s+.*for row/);
    expect(human.stdout).toMatch(/code\s+commit test-commit/);

    const unknown = await cli('lineage', '--prediction', 'no-such-id');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no logged prediction has the id "no-such-id"');
  });
});
