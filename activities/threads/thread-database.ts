import { createPool, type Pool } from '../../lib/db/pool';

/** This thread's pools, by database URL: a pooled thread runs many jobs, and all of them read the same database. */
const pools = new Map<string, Pool>();

/**
 * The calling thread's pool on `databaseUrl`, opened by its first job and kept for the jobs after
 * it: a new connection costs each job a PostgreSQL handshake (and the server a backend start).
 * One connection, since a thread runs one job at a time; pg closes it after 10 s idle, and it
 * ends with the thread. A job must not end the pool: the next job on this thread uses it.
 */
export function threadDatabase(databaseUrl: string): Pool {
  let pool = pools.get(databaseUrl);
  if (!pool) {
    pool = createPool(databaseUrl, 1);
    pools.set(databaseUrl, pool);
  }
  return pool;
}
