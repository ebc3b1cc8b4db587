import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import { createPool, type Pool } from '../../lib/db/pool';
import { retrainStatusQuery } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import { startHeldCsvServer, type HeldCsvServer } from '../support/held-csv-server';
import { pipelineFolderWith } from '../support/pipelines';
import { startTemporal } from '../support/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { restartPostgres } from './support/postgres-instance';

// Issue 13, item 1: `pg_ctl restart -m fast` of the database under a real `driftline worker`
// process, caught during ingest, training and promotion (and, for promotion, the backend terminated
// alone; test/integration/connection-loss.test.ts does that for ingest). Each time the process lives, the step
// that lost its connection is retried by Temporal, and the run completes with exactly one
// snapshot, one version and one promotion.

const TASK_QUEUE = 'postgres-restart-test';
const SLOW_TRAINER = fileURLToPath(new URL('../fixtures/trainers/slow-trainer.ts', import.meta.url));
const CSV = readFileSync(resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: 'data/us-employment.csv', format: 'csv', delimiter: ',' }, '.'), 'utf8');

let env: TestWorkflowEnvironment;
let pool: Pool;
let csvServer: HeldCsvServer;
let worker: WorkerProcess;
let pipelinesDir: string;

beforeAll(async () => {
  env = await startTemporal();
  pool = createPool(inject('databaseUrl'));
  csvServer = await startHeldCsvServer(CSV);
  pipelinesDir = pipelineFolderWith('pgrestart-ingest', (spec) => {
    spec.source = { kind: 'url', url: csvServer.url };
  });
  pipelineFolderWith(
    'pgrestart-training',
    (spec) => {
      spec.model = { name: 'pgrestart-training-model', trainer: { module: SLOW_TRAINER }, params: { spinMs: 4_000 } };
      // The mean-predicting test trainer misses the bundled gates; this test is about the restart.
      spec.promotion = { gates: {}, beatBaselines: false };
    },
    pipelinesDir,
  );
  for (const name of ['pgrestart-promotion', 'pgterminate-promotion']) pipelineFolderWith(name, () => undefined, pipelinesDir);
});

// A worker that an earlier test saw die is replaced, so each test judges its own step.
beforeEach(async () => {
  if (worker?.alive()) return;
  worker = await startWorkerProcess({
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    DRIFTLINE_PIPELINES_DIR: pipelinesDir,
  });
});

afterAll(async () => {
  if (worker?.alive()) worker.child.kill('SIGKILL');
  await csvServer?.close();
  await pool?.end();
  await env?.teardown();
});

function startRun(pipeline: string) {
  return env.client.workflow.start(modelPipeline, {
    taskQueue: TASK_QUEUE,
    workflowId: `${pipeline}-run`,
    args: [{ pipeline, requestedBy: 'test' }],
  });
}

/** Polls until `ready` holds; the restart must land inside the step, whatever the machine's speed. */
async function until(ready: () => Promise<boolean>): Promise<void> {
  while (!(await ready().catch(() => false))) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A backend of the test database running a statement like `pattern`, waiting on a lock if `waiting`. */
async function backendRuns(pattern: string, waiting = false): Promise<boolean> {
  const found = await pool.query(
    `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND query ILIKE $1 AND ($2 = false OR wait_event_type = 'Lock')`,
    [pattern, waiting],
  );
  return found.rows.length > 0;
}

/** The run's result, once the database is back; a worker that dies on the way fails the test at once. */
async function completesWithLiveWorker(pipeline: string): Promise<unknown> {
  const died = worker.exited.then(() => Promise.reject(new Error(`the worker process died:\n${worker.output()}`)));
  const result = await Promise.race([env.client.workflow.getHandle(`${pipeline}-run`).result(), died]);
  expect(worker.alive(), worker.output()).toBe(true);
  expect(worker.output()).not.toMatch(/Unhandled 'error' event/);
  return result;
}

/** The highest attempt of any `activity` in the run's workflow (or its child's, `workflowId`). */
async function attemptsOf(workflowId: string, activity: string): Promise<number> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Set(
    history.events?.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity).map((e) => String(e.eventId)),
  );
  const attempts = history.events
    ?.map((e) => e.activityTaskStartedEventAttributes)
    .filter((a) => a && scheduled.has(String(a.scheduledEventId)))
    .map((a) => Number(a?.attempt));
  return Math.max(0, ...(attempts ?? []));
}

/** Exactly one snapshot, one version, one succeeded training and one promotion for the pipeline, and it is champion. */
async function expectExactlyOnce(pipeline: string): Promise<void> {
  const model = `${pipeline}-model`;
  const counts = await pool.query(
    `SELECT (SELECT count(*) FROM pipeline_snapshots WHERE pipeline = $1)::int AS snapshots,
            (SELECT count(*) FROM snapshots WHERE digest LIKE 'pending:%')::int AS pending,
            (SELECT count(*) FROM model_versions WHERE model_name = $2)::int AS versions,
            (SELECT count(*) FROM training_runs WHERE model_name = $2 AND outcome = 'succeeded')::int AS trainings,
            (SELECT count(*) FROM audit_log WHERE model_name = $2 AND action = 'promote')::int AS promotions,
            (SELECT count(*) FROM model_aliases WHERE model_name = $2 AND alias = 'champion')::int AS champions`,
    [pipeline, model],
  );
  expect(counts.rows[0]).toEqual({ snapshots: 1, pending: 0, versions: 1, trainings: 1, promotions: 1, champions: 1 });
}

describe('PostgreSQL restarted under a running worker process', () => {
  it('during ingest (mid-COPY): the ingest attempt fails, the worker lives, the retry completes the run', async () => {
    const release = csvServer.holdNext();
    await startRun('pgrestart-ingest');
    await until(() => backendRuns('COPY snapshot_data.%FROM STDIN%'));
    await restartPostgres(inject('chaosPostgres'));
    release();

    expect(await completesWithLiveWorker('pgrestart-ingest')).toMatchObject({ trainingOutcome: 'succeeded', promoted: true });
    expect(await attemptsOf('pgrestart-ingest-run', 'ingestSnapshot')).toBe(2);
    expect(csvServer.requests()).toBe(2);
    await expectExactlyOnce('pgrestart-ingest');
  });

  it('during training: the worker lives and the run completes with one version', async () => {
    await startRun('pgrestart-training');
    const training = env.client.workflow.getHandle('pgrestart-training-run/retrain');
    await until(async () => (await training.query(retrainStatusQuery)).progress?.message === 'spinning');
    await restartPostgres(inject('chaosPostgres'));

    expect(await completesWithLiveWorker('pgrestart-training')).toMatchObject({ trainingOutcome: 'succeeded', promoted: true });
    await expectExactlyOnce('pgrestart-training');
  });

  // A restart drops every session; a terminated backend drops only the promotion's.
  const promotionLosses = {
    restart: () => restartPostgres(inject('chaosPostgres')),
    terminate: async () => {
      await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'INSERT INTO model_aliases%'`);
    },
  };
  it.each(Object.keys(promotionLosses) as (keyof typeof promotionLosses)[])(
    'during promotion (the champion switch waiting on a lock), %s: the promotion attempt fails, the retry promotes once',
    async (loss) => {
      const pipeline = `pg${loss}-promotion`;
      // A session that holds model_aliases against writers: the promotion's switch waits on it, in its transaction.
      const blocker = new pg.Client({ connectionString: inject('databaseUrl') });
      blocker.on('error', () => undefined);
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE model_aliases IN SHARE MODE');
      await startRun(pipeline);
      await until(() => backendRuns('INSERT INTO model_aliases%', true));
      await promotionLosses[loss]();
      await blocker.end().catch(() => undefined);

      expect(await completesWithLiveWorker(pipeline)).toMatchObject({ trainingOutcome: 'succeeded', promoted: true });
      expect(await attemptsOf(`${pipeline}-run`, 'promoteCandidate')).toBe(2);
      await expectExactlyOnce(pipeline);
    },
  );
});
