import type { Client } from '@temporalio/client';
import type { DriftlineConfig } from '../../lib/config';
import { createPool, type Pool } from '../../lib/db/pool';
import { connectClient } from '../../scripts/support/temporal-client';
import { createDashboard } from './server';

const RECONNECT_AFTER_MS = 30_000;

/**
 * The dashboard's own connections. JIT is off: the overview's plan looks expensive on a small
 * table PostgreSQL has not analyzed yet, and compiling it took 30 ms of a 35 ms query.
 */
export function createDashboardPool(databaseUrl: string): Pool {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', '-c jit=off');
  return createPool(url.toString(), 5);
}

export interface RunningDashboard {
  url: string;
  close: () => Promise<void>;
}

/** Serves the dashboard on host:port until close(); the database pool and Temporal client are its own. */
export async function startDashboard(config: DriftlineConfig, address: { host: string; port: number }): Promise<RunningDashboard> {
  const pool = createDashboardPool(config.DATABASE_URL);
  let client: Promise<Client> | undefined;
  // A failed connection is remembered for a while, so pages do not each wait on a server that is
  // down, then forgotten, so the dashboard reconnects once Temporal is back.
  const temporal = () => {
    client ??= connectClient(config).catch((error: unknown) => {
      setTimeout(() => (client = undefined), RECONNECT_AFTER_MS).unref();
      throw error;
    });
    return client;
  };
  const app = await createDashboard({ pool, config, temporal });
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      await app.close();
      if (client) await (await client.catch(() => undefined))?.connection.close();
      await pool.end();
    },
  };
}
