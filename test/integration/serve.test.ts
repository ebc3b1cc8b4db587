import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { predictAnyWith } from '../../activities/training/predict';
import { DriftlineConfig } from '../../lib/config';
import { getAliasedVersion } from '../../lib/db/model-registry';
import type { Pool } from '../../lib/db/pool';
import { rollbackChampion } from '../../lib/promotion/rollback';
import { prepareBatch } from '../../lib/serving/prepare-batch';
import { modelPipeline } from '../../workflows/pipeline';
import { startServing, type RunningServer } from '../../workers/serving/start';
import { penguinSpeciesPipeline } from '../support/pipelines';
import { loadPenguins, PENGUIN_COLUMNS, writeCsv, type Bird } from '../support/vega-data';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'serve-test';
const NAME = 'serve-penguins';
const MODEL = `${NAME}-model`;
const TOKEN = 'serve-test-token-0123456789abcdef';
const MAX_ROWS = 50;
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-serve-'));

const COLUMNS = PENGUIN_COLUMNS;
const birds = loadPenguins();
const complete = birds.filter((bird) => Object.keys(COLUMNS).every((column) => bird[column] !== null && bird[column] !== undefined && bird[column] !== '.'));

function writeBirds(rows: Bird[]): void {
  writeCsv(path.join(pipelinesDir, `${NAME}.csv`), Object.keys(COLUMNS), rows);
}

/** A request row: what a caller knows before the answer (no species). */
const question = (bird: Bird) => Object.fromEntries(Object.keys(COLUMNS).filter((c) => c !== 'Species').map((c) => [c, bird[c] ?? null]));

let env: TestWorkflowEnvironment;
let pool: Pool;
let stack: WorkerStack;
let server: RunningServer;
const errors: string[] = [];

async function call(route: string, init: { body?: unknown; raw?: string; token?: string | null } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const response = await fetch(`${server.url}${route}`, { method: body === undefined ? 'GET' : 'POST', headers: body === undefined ? { authorization: headers.authorization ?? '' } : headers, body });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

async function loggedCount(): Promise<number> {
  return Number((await pool.query('SELECT count(*) FROM predictions WHERE model = $1', [MODEL])).rows[0].count);
}

/** Waits until the server's buffer is written (it flushes every 200 ms). */
async function untilLogged(): Promise<void> {
  for (let i = 0; i < 100 && server.metrics.pending() > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
}

beforeAll(async () => {
  penguinSpeciesPipeline(NAME, pipelinesDir, `${NAME}.csv`, { name: MODEL, trainer: 'logistic', params: { alpha: 1 } });
  writeBirds(birds.filter((_, i) => i % 3 !== 0));
  ({ env, pool } = stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir }));
  const first = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'serve-1', args: [{ pipeline: NAME, requestedBy: 'test' }] });
  expect(first).toMatchObject({ version: 1, promoted: true });
  const config = DriftlineConfig.parse({ DATABASE_URL: inject('databaseUrl'), DRIFTLINE_PIPELINES_DIR: pipelinesDir, DRIFTLINE_SERVE_TOKEN: TOKEN });
  server = await startServing(config, { host: '127.0.0.1', port: 0, limits: { rows: MAX_ROWS, bodyBytes: 16 * 1024 }, pollMs: 200, logPredictions: true, logError: (line) => errors.push(line) });
});

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

describe('driftline serve on real Temporal and PostgreSQL', () => {
  it('refuses requests without the token (401), never echoing it, and answers /healthz to anyone', async () => {
    expect((await call('/healthz', { token: null })).status).toBe(200);
    const none = await call(`/v1/models/${MODEL}/predict`, { body: [question(complete[0] as Bird)], token: null });
    const wrong = await call(`/v1/models/${MODEL}`, { token: 'not-the-token-at-all-xxxxxxxx' });
    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect((await call('/metrics', { token: null })).status).toBe(401);
    const described = await call(`/v1/models/${MODEL}`);
    expect(described.status).toBe(200);
    expect(described.json()).toMatchObject({ model: MODEL, version: 1, kind: 'classification', classes: ['Adelie', 'Chinstrap', 'Gentoo'] });
    expect(described.json().input.Species).toMatchObject({ readByModel: false });
    expect(described.json().input.Island).toMatchObject({ type: 'categorical', readByModel: true });
    for (const answer of [none, wrong, described]) expect(answer.text).not.toContain(TOKEN);
  });

  it('answers the same probabilities as the version predicting directly, and logs every prediction with its version', async () => {
    const before = await loggedCount();
    const sample = complete.filter((_, i) => i % 7 === 0).slice(0, 40);
    const answer = await call(`/v1/models/${MODEL}/predict`, { body: sample.map(question) });
    expect(answer.status).toBe(200);
    const body = answer.json() as { version: number; predictions: { row: number; predictionId: string; class: string; probabilities: Record<string, number> }[] };
    expect(body.version).toBe(1);
    expect(body.predictions.map((p) => p.row)).toEqual(sample.map((_, i) => i));

    const champion = await getAliasedVersion(pool, MODEL, 'champion');
    const x = prepareBatch(champion!.artifact, COLUMNS, sample);
    const direct = (await predictAnyWith(champion!.artifact, x, new AbortController().signal)) as number[][];
    const classes = ['Adelie', 'Chinstrap', 'Gentoo'];
    body.predictions.forEach((p, i) => {
      expect(Object.values(p.probabilities)).toEqual(direct[i]);
      const best = (direct[i] as number[]).indexOf(Math.max(...(direct[i] as number[])));
      expect(p.class).toBe(classes[best]);
    });
    // A classifier worth serving: most answers are the bird's species.
    const right = body.predictions.filter((p, i) => p.class === sample[i]?.Species).length;
    expect(right / sample.length).toBeGreaterThan(0.9);

    await untilLogged();
    expect(await loggedCount()).toBe(before + sample.length);
    const logged = await pool.query('SELECT prediction_id, version, predicted_class, probabilities, source FROM predictions WHERE prediction_id = ANY($1)', [body.predictions.map((p) => p.predictionId)]);
    expect(logged.rows).toHaveLength(sample.length);
    const byId = new Map(body.predictions.map((p) => [p.predictionId, p]));
    for (const row of logged.rows) {
      expect(row).toMatchObject({ version: 1, source: 'online', predicted_class: byId.get(row.prediction_id)?.class });
      expect(row.probabilities).toEqual(byId.get(row.prediction_id)?.probabilities);
    }
  });

  it('logs the same input digest for the same model input, whether or not the row also carries the unread target', async () => {
    const [bird, other] = complete as [Bird, Bird];
    const answer = await call(`/v1/models/${MODEL}/predict`, { body: [question(bird), { ...question(bird), Species: bird.Species }, question(other)] });
    expect(answer.status).toBe(200);
    const ids = (answer.json() as { predictions: { predictionId: string }[] }).predictions.map((p) => p.predictionId);
    await untilLogged();
    const logged = await pool.query('SELECT prediction_id, input_digest FROM predictions WHERE prediction_id = ANY($1)', [ids]);
    const digestOf = new Map(logged.rows.map((row) => [row.prediction_id, row.input_digest]));
    expect(digestOf.get(ids[0])).toMatch(/^[0-9a-f]{32}$/);
    expect(digestOf.get(ids[1])).toBe(digestOf.get(ids[0]));
    expect(digestOf.get(ids[2])).not.toBe(digestOf.get(ids[0]));
  });

  it('refuses a bad row with a 400 naming the row and the column, and logs nothing', async () => {
    await untilLogged();
    const before = await loggedCount();
    const rows = complete.slice(0, 4).map(question);
    (rows[2] as Record<string, unknown>)['Body Mass (g)'] = 'heavy';
    const typed = await call(`/v1/models/${MODEL}/predict`, { body: rows });
    expect(typed.status).toBe(400);
    expect(typed.json().error).toMatch(/row 2, column "Body Mass \(g\)"/);
    const unknown = await call(`/v1/models/${MODEL}/predict`, { body: { ...question(complete[0] as Bird), Wingspan: 3 } });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error).toMatch(/row 0: "Wingspan" is not a declared column/);
    const missing = question(complete[0] as Bird);
    delete missing.Island;
    const absent = await call(`/v1/models/${MODEL}/predict`, { body: missing });
    expect(absent.json().error).toMatch(/row 0, column "Island"/);
    const garbled = await call(`/v1/models/${MODEL}/predict`, { raw: '[{"Island": "Biscoe",' });
    expect([garbled.status, garbled.json().error]).toEqual([400, 'The body is not valid JSON.']);
    await untilLogged();
    expect(await loggedCount()).toBe(before);
  });

  it('refuses more rows than the limit and a body over the limit with 413', async () => {
    const many = await call(`/v1/models/${MODEL}/predict`, { body: Array.from({ length: MAX_ROWS + 1 }, () => question(complete[0] as Bird)) });
    expect(many.status).toBe(413);
    expect(many.json().error).toMatch(new RegExp(`${MAX_ROWS + 1} rows in one request; the limit is ${MAX_ROWS}`));
    const big = await call(`/v1/models/${MODEL}/predict`, { raw: JSON.stringify([{ Island: 'x'.repeat(20_000) }]) });
    expect(big.status).toBe(413);
    expect(big.json().error).toMatch(/larger than 16384 bytes/);
  });

  it('follows the champion when the alias moves, without a restart and without a failed request', async () => {
    writeBirds(birds);
    const second = await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'serve-2', args: [{ pipeline: NAME, requestedBy: 'test', params: { alpha: 50 } }] });
    expect(second.version).toBe(2);
    const target = second.promoted ? 1 : 2;
    const rows = complete.slice(0, 10).map(question);
    const answers: { status: number; version: number }[] = [];
    let switched = false;
    const traffic = (async () => {
      for (let i = 0; i < 400 && !(switched && answers.at(-1)?.version === target); i += 1) {
        const answer = await call(`/v1/models/${MODEL}/predict`, { body: rows });
        answers.push({ status: answer.status, version: answer.json().version });
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await rollbackChampion(pool, { model: MODEL, toVersion: target, reason: 'serve test', by: 'test' });
    switched = true;
    await traffic;
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.at(-1)?.version).toBe(target);
    // Once the new version answers, no later answer comes from the old one.
    const firstNew = answers.findIndex((a) => a.version === target);
    expect(answers.slice(firstNew).every((a) => a.version === target)).toBe(true);
    await untilLogged();
    const versions = await pool.query('SELECT DISTINCT version FROM predictions WHERE model = $1 ORDER BY version', [MODEL]);
    expect(versions.rows.map((r) => r.version)).toContain(target);
    expect(server.metrics.dropped).toBe(0);
    expect(errors.join('\n')).not.toContain(TOKEN);
  });
});
