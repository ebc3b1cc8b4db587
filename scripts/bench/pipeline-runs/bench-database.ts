import pg from 'pg';
import { loadConfig } from '../../../lib/config';
import { ensureDatabase, migrateUp } from '../../../lib/db/migrate';

/** A fresh, migrated database on the configured server, named for the benchmark and the moment. */
export async function createBenchDatabase(name: string): Promise<string> {
  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = `/driftline_bench_${name}_${Date.now()}`;
  await ensureDatabase(url.toString());
  await migrateUp(url.toString());
  return url.toString();
}

export async function dropBenchDatabase(databaseUrl: string): Promise<void> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(new URL(databaseUrl).pathname.slice(1))} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
