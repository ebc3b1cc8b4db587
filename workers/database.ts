import path from 'node:path';
import { isListening } from './is-listening';

const DEFAULT_SERVER = '127.0.0.1:5432';
export const EMBEDDED_PORT = 54329;
const EMBEDDED_URL = `postgres://postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;

export interface ChosenDatabase {
  url?: string;
  /** Set when this process started the embedded server and must stop it. */
  stop?: () => Promise<void>;
}

/**
 * With DATABASE_URL unset and no PostgreSQL on the default address, Driftline falls back to an
 * embedded one: another process's, if one already serves it, or (when `host` is true) a new one
 * with its data in .driftline/pgdata. Returns nothing to change when the normal setup applies.
 */
export async function chooseDatabase(env: NodeJS.ProcessEnv, host: boolean, say: (line: string) => void): Promise<ChosenDatabase> {
  if (env.DATABASE_URL || (await isListening(DEFAULT_SERVER, 500))) return {};
  if (await isListening(`127.0.0.1:${EMBEDDED_PORT}`, 500)) return { url: EMBEDDED_URL };
  if (!host) return {};
  const dataDir = path.resolve('.driftline', 'pgdata');
  say(`No PostgreSQL at ${DEFAULT_SERVER} and DATABASE_URL unset: using embedded PostgreSQL (PGlite) in ${dataDir}, on 127.0.0.1:${EMBEDDED_PORT}`);
  // Loaded only here: PGlite's WebAssembly costs every process that imports it about 30 MB, and
  // most workers and commands talk to a real PostgreSQL.
  const { startEmbeddedPostgres } = await import('../lib/db/embedded-postgres');
  return startEmbeddedPostgres(dataDir, EMBEDDED_PORT);
}
