import pg from 'pg';

export type Pool = pg.Pool;
export type DbClient = pg.PoolClient;

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle client that loses its server (a restart) must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);
  // The pool listens to its clients only while they are idle: a checked-out one needs its own ear.
  pool.on('connect', survivesConnectionLoss);
  return pool;
}

/**
 * A client whose connection drops (a server restart, `pg_terminate_backend`) emits 'error', and an
 * unheard 'error' ends the process: the worker, with every activity it runs. Heard, the loss
 * reaches the code that uses the client as what it is: its pending and later queries (COPY
 * included) reject, the activity fails and Temporal retries it. Every client Driftline connects
 * goes through here: the pool's as they are made, a source's own connection before it is used.
 */
export function survivesConnectionLoss<C extends pg.ClientBase>(client: C): C {
  client.on('error', ignoreConnectionError);
  return client;
}

function ignoreConnectionError(): void {
  // Nothing to do here: the queries on the client reject with this error.
}

/** Runs `work` in one transaction: all of its writes land, or none do. */
export async function inTransaction<T>(pool: Pool, work: (client: DbClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
