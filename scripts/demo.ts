import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { loadConfig, redactUrl } from '../lib/config';
import { temporalConnectionSettings } from '../lib/temporal-connection';
import { ensureDatabase, migrateUp } from '../lib/db/migrate';
import { createPool } from '../lib/db/pool';
import { createDriftlineWorker } from '../workers/create-worker';
import { activityDepsFrom } from '../workers/activity-deps';
import { registerSearchAttributes } from '../workers/run-worker';
import { chooseDatabase } from '../workers/database';
import { prebuiltWorkflowBundle } from '../workers/workflow-bundle';
import { parseFlags } from './support/args';
import { isListening } from '../workers/is-listening';
import { isLocalAddress, startDevServer, type RunningDevServer } from './support/dev-server';
import { runMain } from './support/exit-on-error';
import { followRun, printSummary, startPipeline } from './support/pipeline-run';
import { findOrBuildTemporal } from './support/temporal-binary';
import { connectClient } from './support/temporal-client';

const USAGE = `Run one real Driftline pipeline end to end on this machine: finds or builds the Temporal CLI,
starts its dev server (state kept in .driftline/temporal.db), migrates PostgreSQL, starts a
worker, runs the pipeline and prints what happened.

usage: npm run demo [-- --pipeline NAME] [-- --keep]
  --pipeline NAME   the pipeline spec to run (default us-employment)
  --keep            leave the Temporal server and the dashboard running afterwards (the demo prints how to stop them)`;

const DemoFlags = z.object({
  pipeline: z.string().min(1).default('us-employment'),
  keep: z.boolean().default(false),
});

const STATE_DIR = path.resolve('.driftline');
const UI_PORT = 8233;
const DASHBOARD_ADDRESS = '127.0.0.1:8300';
const DASHBOARD_URL = `http://${DASHBOARD_ADDRESS}`;

runMain(async () => {
  const flags = parseFlags({ pipeline: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean' } }, DemoFlags, USAGE);
  const step = (line: string) => console.log(`▸ ${line}`);
  const database = await chooseDatabase(process.env, true, step);
  if (database.url) process.env.DATABASE_URL = database.url;
  const config = loadConfig();
  // The worker's own INFO lines would bury the story the demo tells; warnings still show.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const server = await ensureTemporal(config.TEMPORAL_ADDRESS, flags.keep, step);

  step(`Migrating PostgreSQL at ${redactUrl(config.DATABASE_URL)}`);
  await ensureDatabase(config.DATABASE_URL);
  const applied = await migrateUp(config.DATABASE_URL);
  console.log(`  ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema up to date'}`);

  step(`Starting a worker on task queue "${config.TEMPORAL_TASK_QUEUE}"`);
  await registerSearchAttributes(config, (line) => console.log(`  ${line}`));
  const pool = createPool(config.DATABASE_URL);
  const connection = await NativeConnection.connect(temporalConnectionSettings(config));
  const worker = await createDriftlineWorker({
    connection,
    config,
    // The demo's one in-process worker polls one queue, so training stays on it too.
    deps: { ...activityDepsFrom(config, pool), trainingTaskQueue: undefined },
    workflowBundle: await prebuiltWorkflowBundle((line) => console.log(`  ${line}`)),
  });

  const client = await connectClient(config);
  const outcome = await worker.runUntil(async () => {
    step(`Running pipeline "${flags.pipeline}"`);
    const handle = await startPipeline(client, config, { pipeline: flags.pipeline, requestedBy: 'demo' });
    const result = await followRun(handle, (line) => console.log(line));
    console.log('\nWhat happened:');
    printSummary(config, handle, result);
    return result;
  });
  await client.connection.close();
  await connection.close();
  await pool.end();
  await database.stop?.();

  if (server && !flags.keep) {
    step('Stopping the Temporal dev server (run with --keep to leave it up)');
    await server.stop();
  } else if (server) {
    console.log(`\nTemporal dev server left running (pid ${server.pid}), Web UI at http://localhost:${UI_PORT}`);
    console.log(`  start a worker:   npm run worker\n  stop the server:  kill ${server.pid}`);
  }
  if (flags.keep && !database.stop) {
    const dashboard = await startDashboardInBackground();
    console.log(`Dashboard left running (pid ${dashboard.pid}) at ${DASHBOARD_URL}\n  stop it:          kill ${dashboard.pid}`);
  } else {
    console.log(`\nBrowse the models, drift reports and runs: npm run driftline -- dashboard   (${DASHBOARD_URL})`);
  }
  return outcome.error ? 1 : 0;
});

/** `driftline dashboard` as its own process, outliving the demo (with --keep), its output in .driftline/. */
async function startDashboardInBackground(): Promise<{ pid: number }> {
  const log = openSync(path.join(STATE_DIR, 'dashboard.log'), 'a');
  const child = spawn(process.execPath, [fileURLToPath(new URL('./driftline.mjs', import.meta.url)), 'dashboard'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  for (let waited = 0; waited < 20_000 && !(await isListening(DASHBOARD_ADDRESS, 250)); waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
  }
  return { pid: child.pid as number };
}

/** Reuses a Temporal server that already answers; otherwise starts the dev server when the address is local. */
async function ensureTemporal(address: string, keep: boolean, step: (line: string) => void): Promise<RunningDevServer | undefined> {
  if (await isListening(address)) {
    step(`Temporal already answers at ${address}: using it`);
    return undefined;
  }
  if (!isLocalAddress(address)) throw new Error(`TEMPORAL_ADDRESS: nothing answers at ${address}`);
  const binary = findOrBuildTemporal(step);
  step(`Starting the Temporal dev server (${binary}) at ${address}, Web UI on http://localhost:${UI_PORT}`);
  return startDevServer({
    binary,
    address,
    uiPort: UI_PORT,
    dbFile: path.join(STATE_DIR, 'temporal.db'),
    logFile: path.join(STATE_DIR, 'temporal.log'),
    detached: keep,
  });
}
