import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../lib/db/embedded-postgres';
import { migrateUp } from '../../lib/db/migrate';
import { createPool, type Pool } from '../../lib/db/pool';
import { modelPipeline } from '../../workflows/pipeline';
import { createDriftlineWorker } from '../../workers/create-worker';
import { freePort } from '../support/free-port';
import { pipelineFolderWith } from '../support/pipelines';
import { startTemporal, workflowBundle } from '../support/temporal-env';

const TASK_QUEUE = 'embedded-test';

let env: TestWorkflowEnvironment;
let embedded: EmbeddedPostgres;
let pool: Pool;
let worker: Worker;
let running: Promise<void>;
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-embedded-'));


beforeAll(async () => {
  env = await startTemporal();
  embedded = await startEmbeddedPostgres(mkdtempSync(path.join(os.tmpdir(), 'driftline-pgdata-')), await freePort());
  await migrateUp(embedded.url);
  pool = createPool(embedded.url);
  for (const name of ['embedded-a', 'embedded-b']) pipelineFolderWith(name, () => undefined, pipelinesDir);
  worker = await createDriftlineWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: TASK_QUEUE },
    deps: { pool, pipelinesDir, codeVersion: 'test-commit' },
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await pool?.end();
  await embedded?.stop();
  await env?.teardown();
});

describe('embedded PostgreSQL (PGlite over the wire protocol)', () => {
  it('runs two full pipelines at once through the worker pool: migrations, snapshot writes, transactions', async () => {
    const results = await Promise.all(
      ['embedded-a', 'embedded-b'].map((pipeline) =>
        env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: `${pipeline}-run`, args: [{ pipeline }] }),
      ),
    );
    for (const result of results) expect(result).toMatchObject({ version: 1, promoted: true });
    const champions = await pool.query("SELECT model_name FROM model_aliases WHERE alias = 'champion' ORDER BY model_name");
    expect(champions.rows.map((r) => r.model_name)).toEqual(['embedded-a-model', 'embedded-b-model']);
    // Identical data: both pipelines share one content-addressed snapshot of 120 rows.
    const snapshots = await pool.query('SELECT row_count FROM snapshots');
    expect(snapshots.rows).toEqual([{ row_count: 120 }]);
  });
});
