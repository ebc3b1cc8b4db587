import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DriftlineError } from '../../errors';
import { survivesConnectionLoss, type Pool, type DbClient } from '../../db/pool';
import type { DataSource } from '../source-spec';

type PostgresSource = Extract<DataSource, { kind: 'postgres' }>;

/**
 * Streams a query's result, or a table's declared columns, as CSV with a header line through
 * COPY … TO STDOUT: the database formats the rows, Driftline reads them like any CSV file.
 * The read runs in a READ ONLY transaction, in UTC, with ISO dates.
 */
export async function* postgresChunks(source: PostgresSource, columns: string[], pool: Pool): AsyncGenerator<Buffer> {
  const connection = await connect(source, pool);
  let completed = false;
  try {
    await connection.client.query("BEGIN READ ONLY; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO'");
    const sql = `COPY (${selectFor(source, columns)}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
    for await (const chunk of connection.client.query(copyTo(sql)) as AsyncIterable<Buffer>) yield chunk;
    await connection.client.query('COMMIT');
    completed = true;
  } catch (error) {
    throw describeQueryError(error, source);
  } finally {
    // A client left mid-COPY or mid-transaction (an error, or a reader that stopped early) is
    // closed rather than handed back to the pool.
    connection.close(!completed);
  }
}

function selectFor(source: PostgresSource, columns: string[]): string {
  if (source.query !== undefined) return source.query;
  const table = (source.table as string).split('.').map((part) => pg.escapeIdentifier(part)).join('.');
  return `SELECT ${columns.map((c) => pg.escapeIdentifier(c)).join(', ')} FROM ${table}`;
}

async function connect(source: PostgresSource, pool: Pool): Promise<{ client: pg.Client | DbClient; close(failed: boolean): void }> {
  if (source.databaseUrlEnv === undefined) {
    const client = await pool.connect();
    return { client, close: (failed) => client.release(failed) };
  }
  const url = process.env[source.databaseUrlEnv];
  if (!url) throw new DriftlineError('InvalidInput', `source.databaseUrlEnv: ${source.databaseUrlEnv} is not set`);
  const client = survivesConnectionLoss(new pg.Client({ connectionString: url }));
  await client.connect();
  return { client, close: () => void client.end().catch(() => undefined) };
}

/** Syntax errors, unknown tables or columns and missing privileges are the spec's fault: no retry. */
function describeQueryError(error: unknown, source: PostgresSource): unknown {
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('42')) {
    const what = source.query !== undefined ? 'source.query' : `source.table ${source.table}`;
    return new DriftlineError('InvalidInput', `${what} failed: ${(error as Error).message}`);
  }
  return error;
}
