import type { Client } from '@temporalio/client';
import { loadConfig, type DriftlineConfig } from '../../lib/config';
import { createPool, type Pool } from '../../lib/db/pool';
import { connectClient } from '../support/temporal-client';

/**
 * What commands reach for, opened on first use and closed when the command ends, so
 * `driftline --help` needs neither a database nor a Temporal server.
 */
export class CliContext {
  private clientPromise?: Promise<Client>;
  private poolInstance?: Pool;
  private configValue?: DriftlineConfig;

  get config(): DriftlineConfig {
    this.configValue ??= loadConfig();
    return this.configValue;
  }

  client(): Promise<Client> {
    this.clientPromise ??= connectClient(this.config);
    return this.clientPromise;
  }

  get pool(): Pool {
    this.poolInstance ??= createPool(this.config.DATABASE_URL, 2);
    return this.poolInstance;
  }

  async close(): Promise<void> {
    if (this.clientPromise) await (await this.clientPromise).connection.close();
    await this.poolInstance?.end();
  }
}

/** Prints JSON for scripts, or the human rendering. */
export function output(json: boolean, value: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : human());
}

/** Aligned "key  value" lines. */
export function table(rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}
