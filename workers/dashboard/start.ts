import type { Client } from '@temporalio/client';
import type { DriftlineConfig } from '../../lib/config';
import { createPool } from '../../lib/db/pool';
import { connectClient } from '../../scripts/support/temporal-client';
import { createDashboard } from './server';

export interface RunningDashboard {
  url: string;
  close: () => Promise<void>;
}

/** Serves the dashboard on host:port until close(); the database pool and Temporal client are its own. */
export async function startDashboard(config: DriftlineConfig, address: { host: string; port: number }): Promise<RunningDashboard> {
  const pool = createPool(config.DATABASE_URL, 5);
  let client: Promise<Client> | undefined;
  // A failed connection is forgotten, so the next request tries again once Temporal is back.
  const temporal = () => {
    client ??= connectClient(config).catch((error: unknown) => {
      client = undefined;
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
