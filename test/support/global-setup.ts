import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, migrateUp } from '../../lib/db/migrate';
import { findOrInstallChromium } from '../../scripts/support/chromium-binary';
import { findOrBuildTemporal } from '../../scripts/support/temporal-binary';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalPath: string;
    chromiumPath: string;
  }
}

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** One fresh database per test run, migrated once, dropped at the end; one Temporal binary found or built, one Chromium found or installed. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const temporalPath = findOrBuildTemporal((line) => console.log(line));
  const name = `driftline_test_${Date.now()}_${process.pid}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await migrateUp(databaseUrl);
  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalPath', temporalPath);
  project.provide('chromiumPath', findOrInstallChromium((line) => console.log(line)));
  return async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
}
