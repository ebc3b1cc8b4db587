import type { TestProject } from 'vitest/node';
import { ensureDatabase, migrateUp } from '../../../lib/db/migrate';
import { findOrBuildTemporal } from '../../../scripts/support/temporal-binary';
import { instanceUrl, removePostgresInstance, startPostgresInstance, type PostgresInstance } from './postgres-instance';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The chaos suite's own PostgreSQL server, for tests that stop or restart it. */
    chaosPostgres: PostgresInstance;
  }
}

/**
 * The chaos suite's world: its own PostgreSQL server (initdb in a temporary folder, a free port),
 * which its tests may stop, restart or starve without touching the machine's, one migrated
 * database on it under the same `databaseUrl` key as the normal suite, and the Temporal binary
 * (each test file starts its own dev server from it).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const temporalPath = findOrBuildTemporal((line) => console.log(line));
  const instance = await startPostgresInstance();
  try {
    const databaseUrl = instanceUrl(instance, 'driftline_chaos');
    await ensureDatabase(databaseUrl);
    await migrateUp(databaseUrl);
    project.provide('databaseUrl', databaseUrl);
    project.provide('temporalPath', temporalPath);
    project.provide('chaosPostgres', instance);
  } catch (error) {
    await removePostgresInstance(instance);
    throw error;
  }
  return () => removePostgresInstance(instance);
}
