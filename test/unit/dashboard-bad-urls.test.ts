import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { createPool, type Pool } from '../../lib/db/pool';
import { createDashboard } from '../../workers/dashboard/server';

const TOKEN = 'a-dashboard-token-for-tests';
const errors: string[] = [];
let pool: Pool;
let app: FastifyInstance;

beforeAll(async () => {
  // Nothing listens there: a request that got as far as a query would fail with a 500.
  pool = createPool('postgres://postgres@127.0.0.1:1/none');
  // Temporal stands in for what an approval needs of it: the update's receipt.
  const temporal = {
    workflow: { getHandle: () => ({ executeUpdate: () => Promise.resolve({ versionId: 7 }) }) },
  } as unknown as Client;
  app = await createDashboard({
    pool,
    config: loadConfig({ DRIFTLINE_DASHBOARD_TOKEN: TOKEN }),
    temporal: () => Promise.resolve(temporal),
    logError: (line) => errors.push(line),
  });
});

afterAll(async () => {
  await app?.close();
  await pool?.end();
});

describe('the dashboard refuses addresses it cannot use', () => {
  it.each([
    ['/models/%00', /model: must not contain a NUL byte/],
    ['/models/a%00b/versions/1', /model: must not contain a NUL byte/],
    ['/models/a%00b/runs', /model: must not contain a NUL byte/],
    ['/pipelines/%00/drift', /pipeline: must not contain a NUL byte/],
    ['/pipelines/%00/drift/1', /pipeline: must not contain a NUL byte/],
    ['/models/%FF', /bytes that do not decode/],
    ['/models/%E0%A4%A', /bytes that do not decode/],
    ['/models/%C0%80', /bytes that do not decode/],
    ['/models/%ED%A0%80', /bytes that do not decode/],
    ['/snapshots/%00', /id: /],
    ['/?page=%FF', /page: /],
  ])('%s: 400 with the dashboard page saying why, never a 500', async (url, why) => {
    const response = await app.inject({ url });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(response.body).toMatch(why);
    expect(errors).toEqual([]);
  });

  /** The approval form as the page posts it: the decision, the run, and the token beside them. */
  const approve = (reason: string) =>
    app.inject({ method: 'POST', url: '/actions/approve', payload: { workflowId: 'run-1', by: 'ana', reason, token: TOKEN } });

  it('still takes an approval form that carries the token beside the decision', async () => {
    const response = await approve('backtest holds up');
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/Version id 7: approved by ana/);
  });

  it('refuses a NUL byte in an action form with a 400', async () => {
    const response = await approve('fine\u0000');
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/reason: must not contain a NUL byte/);
  });
});
