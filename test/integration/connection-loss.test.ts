import { readFileSync } from 'node:fs';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import { createPool, type Pool } from '../../lib/db/pool';
import { modelPipeline } from '../../workflows/pipeline';
import { runDriftline } from '../support/driftline-cli';
import { freePort } from '../support/free-port';
import { startHeldCsvServer, type HeldCsvServer } from '../support/held-csv-server';
import { pipelineFolderWith } from '../support/pipelines';
import { startTemporal } from '../support/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

// A dropped PostgreSQL connection (a server restart, `pg_terminate_backend`) must fail the step it
// interrupts, for Temporal to retry, and never end the worker process.

const TASK_QUEUE = 'connection-loss-test';
const CSV = readFileSync(resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: 'data/us-employment.csv', format: 'csv', delimiter: ',' }, '.'), 'utf8');
const GATE_LOCK = 4242;

let env: TestWorkflowEnvironment;
let pool: Pool;
let csvServer: HeldCsvServer;
let relay: Relay;
let worker: WorkerProcess;
let pipelinesDir: string;

beforeAll(async () => {
  env = await startTemporal();
  pool = createPool(inject('databaseUrl'));
  csvServer = await startHeldCsvServer(CSV);
  pipelinesDir = pipelineFolderWith('connloss-ingest', (spec) => {
    spec.source = { kind: 'url', url: csvServer.url };
  });
  let declared: string[] = [];
  pipelineFolderWith(
    'connloss-source',
    (spec) => {
      declared = Object.keys(spec.columns as object);
      // The read waits on an advisory lock the test holds: it is caught mid-COPY, whatever the machine's speed.
      const gated = `WITH gate AS (SELECT pg_advisory_xact_lock_shared(${GATE_LOCK})) SELECT s.* FROM connloss_source s, gate`;
      spec.source = { kind: 'postgres', query: gated, databaseUrlEnv: 'CONNLOSS_SOURCE_URL' };
    },
    pipelinesDir,
  );
  await createSourceTable(declared);
  relay = await startRelay(new URL(inject('databaseUrl')));
});

// A worker that an earlier test saw die is replaced: each test judges its own step.
beforeEach(async () => {
  if (worker?.alive()) return;
  worker = await startWorkerProcess({
    DATABASE_URL: inject('databaseUrl'),
    CONNLOSS_SOURCE_URL: relay.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    DRIFTLINE_PIPELINES_DIR: pipelinesDir,
  });
});

afterAll(async () => {
  if (worker?.alive()) worker.child.kill('SIGKILL');
  await csvServer?.close();
  await relay?.close();
  await pool?.end();
  await env?.teardown();
});

/** The bundled CSV's declared columns as a table of text, for the postgres source to read. */
async function createSourceTable(columns: string[]): Promise<void> {
  const [header, ...lines] = CSV.trim().split('\n');
  const names = (header as string).split(',');
  const rows = lines.map((line) => {
    const fields = line.split(',');
    return columns.map((column) => fields[names.indexOf(column)]);
  });
  await pool.query(`CREATE TABLE connloss_source (${columns.map((c) => `${pg.escapeIdentifier(c)} text`).join(', ')})`);
  const placeholders = rows.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
  await pool.query(`INSERT INTO connloss_source VALUES ${placeholders.join(', ')}`, rows.flat());
}

interface Relay {
  /** The database URL through the relay. */
  url: string;
  /** Resets every relayed connection at once, as a network drop or a crashed server would: no goodbye from PostgreSQL. */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP relay in front of PostgreSQL whose connections the test can cut. */
async function startRelay(database: URL): Promise<Relay> {
  const open = new Set<Socket>();
  const relayServer: TcpServer = createTcpServer((client) => {
    const upstream = connect(Number(database.port || 5432), database.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => open.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relayServer.listen(0, '127.0.0.1', resolve));
  const url = new URL(database);
  url.host = `127.0.0.1:${(relayServer.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    cut: () => {
      for (const socket of open) socket.resetAndDestroy();
    },
    close: () => new Promise((resolve) => relayServer.close(() => resolve())),
  };
}

/** This test database's backend running a statement like `pattern`, once it appears: ours to terminate, nobody else's. */
async function waitForBackend(pattern: string): Promise<number> {
  for (;;) {
    const found = await pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE $1',
      [pattern],
    );
    if (found.rows.length === 1) return (found.rows[0] as { pid: number }).pid;
    expect(found.rows.length, 'one matching backend at most').toBeLessThan(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The run's result; a worker that dies on the way fails the test at once, with what it printed. */
function resultUnlessWorkerDies<T>(result: Promise<T>): Promise<T> {
  const died = worker.exited.then(() => Promise.reject(new Error(`the worker process died:\n${worker.output()}`)));
  return Promise.race([result, died]);
}

/** Terminates the backend and waits until it has gone: its connection is closed. */
async function terminate(pid: number): Promise<void> {
  const result = await pool.query<{ done: boolean }>('SELECT pg_terminate_backend($1) AS done', [pid]);
  expect(result.rows[0]?.done).toBe(true);
  while ((await pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The ingest activity's attempts, and the error that ended the one before the last. */
async function ingestAttempts(workflowId: string): Promise<{ attempts: number; lastFailure?: string }> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const ingestIds = new Set(
    history.events
      ?.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'ingestSnapshot')
      .map((e) => String(e.eventId)),
  );
  const started = history.events
    ?.map((e) => e.activityTaskStartedEventAttributes)
    .find((a) => a && ingestIds.has(String(a.scheduledEventId)));
  return { attempts: Number(started?.attempt), lastFailure: started?.lastFailure?.message ?? undefined };
}

/** Exactly one snapshot for the pipeline, and nothing half-written left behind by the lost attempt. */
async function expectOneCleanSnapshot(pipeline: string): Promise<void> {
  const ours = await pool.query('SELECT snapshot_id FROM pipeline_snapshots WHERE pipeline = $1', [pipeline]);
  expect(ours.rows).toHaveLength(1);
  const state = await pool.query(`SELECT (SELECT count(*) FROM snapshots)::int AS snapshots,
    (SELECT count(*) FROM snapshots WHERE digest LIKE 'pending:%')::int AS pending,
    (SELECT count(*) FROM pg_tables WHERE schemaname = 'snapshot_data')::int AS tables`);
  const { snapshots, pending, tables } = state.rows[0] as { snapshots: number; pending: number; tables: number };
  expect(pending).toBe(0);
  expect(tables).toBe(snapshots);
}

describe('a PostgreSQL connection lost mid-step', () => {
  it('terminating the COPY … FROM STDIN backend of an ingest fails that attempt; the worker lives and the retry completes the run', async () => {
    const release = csvServer.holdNext();
    const handle = await env.client.workflow.start(modelPipeline, {
      taskQueue: TASK_QUEUE,
      workflowId: 'connloss-ingest-run',
      args: [{ pipeline: 'connloss-ingest', requestedBy: 'test' }],
    });
    // The source has sent half its rows and waits: the snapshot's COPY is open.
    await terminate(await waitForBackend('COPY snapshot_data.%FROM STDIN%'));
    release();

    const result = await resultUnlessWorkerDies(handle.result());
    expect(worker.alive(), worker.output()).toBe(true);
    expect(worker.output()).not.toMatch(/Unhandled 'error' event/);
    expect(result).toMatchObject({ trainingOutcome: 'succeeded', promoted: true });
    const { attempts, lastFailure } = await ingestAttempts('connloss-ingest-run');
    expect(attempts).toBe(2);
    expect(lastFailure, worker.output()).toMatch(/terminat/i);
    expect(csvServer.requests()).toBe(2);
    await expectOneCleanSnapshot('connloss-ingest');
  });

  it('a postgres source whose connection drops mid-COPY (reset, no goodbye) fails that attempt; the worker lives and the retry completes the run', async () => {
    const gate = new pg.Client({ connectionString: inject('databaseUrl') });
    gate.on('error', () => undefined);
    await gate.connect();
    try {
      await gate.query('SELECT pg_advisory_lock($1)', [GATE_LOCK]);
      const handle = await env.client.workflow.start(modelPipeline, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connloss-source-run',
        args: [{ pipeline: 'connloss-source', requestedBy: 'test' }],
      });
      // The source's COPY … TO STDOUT waits on the gate: cut its connection there.
      await waitForBackend('COPY (WITH gate AS%TO STDOUT%');
      relay.cut();
      await gate.query('SELECT pg_advisory_unlock($1)', [GATE_LOCK]);

      const result = await resultUnlessWorkerDies(handle.result());
      expect(worker.alive(), worker.output()).toBe(true);
      expect(worker.output()).not.toMatch(/Unhandled 'error' event/);
      expect(result).toMatchObject({ trainingOutcome: 'succeeded' });
      const { attempts, lastFailure } = await ingestAttempts('connloss-source-run');
      expect(attempts).toBe(2);
      expect(lastFailure, worker.output()).toMatch(/ECONNRESET|terminated/i);
      await expectOneCleanSnapshot('connloss-source');
    } finally {
      await gate.end();
    }
  });
});

describe('a fatal error', () => {
  it('ends `driftline worker` with a non-zero exit code, for a supervisor to restart it', async () => {
    const nothingListens = await freePort();
    const run = await runDriftline(
      { DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: `127.0.0.1:${nothingListens}`, DRIFTLINE_METRICS_ADDRESS: 'off' },
      'worker',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: .*connect/i);
  });
});
