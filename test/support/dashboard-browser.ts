import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';
import { loadConfig } from '../../lib/config';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import type { Pool } from '../../lib/db/pool';
import { createDashboard } from '../../workers/dashboard/server';

/** us-employment cut to some years, written where a pipeline's `{ kind: 'file', path: '<pipeline>.csv' }` source reads it. */
export function writeUsEmploymentYears(dir: string, pipeline: string, years: string[]): void {
  const source = resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: 'data/us-employment.csv', format: 'csv', delimiter: ',' }, '.');
  const [header, ...lines] = readFileSync(source, 'utf8').trim().split('\n');
  writeFileSync(path.join(dir, `${pipeline}.csv`), [header, ...lines.filter((line) => years.includes(line.slice(0, 4)))].join('\n'));
}

/** The dashboard on the test database and Temporal server, listening on a free port; actions need `token`. */
export async function startDashboard(pool: Pool, env: TestWorkflowEnvironment, token: string): Promise<{ dashboard: FastifyInstance; base: string }> {
  const config = loadConfig({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: env.address, DRIFTLINE_DASHBOARD_TOKEN: token });
  const dashboard = await createDashboard({ pool, config, temporal: async () => env.client });
  await dashboard.listen({ host: '127.0.0.1', port: 0 });
  return { dashboard, base: `http://127.0.0.1:${(dashboard.server.address() as AddressInfo).port}` };
}

/** Headless Chromium as the dashboard tests drive it: the test run's own browser, nothing phoning home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
