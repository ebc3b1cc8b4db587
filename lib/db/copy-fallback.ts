import { parseCopyLines } from '../data/copy-text';
import type { DbClient } from './pool';

/** PostgreSQL limits a statement to 65,535 parameters. */
const MAX_PARAMETERS = 60_000;

const copyCapable = new WeakMap<object, boolean>();

/**
 * Whether the server takes COPY FROM STDIN. The embedded PostgreSQL (PGlite behind its socket
 * server) does not: its wire bridge loses sync on the COPY sub-protocol. Asked once per connection.
 */
export async function supportsCopy(client: DbClient): Promise<boolean> {
  const known = copyCapable.get(client);
  if (known !== undefined) return known;
  const { rows } = await client.query<{ version: string }>('SELECT version()');
  const capable = !/emscripten|wasm/i.test(rows[0]?.version ?? '');
  copyCapable.set(client, capable);
  return capable;
}

/** Inserts COPY text lines with multi-row INSERTs: the same rows, slower, for servers without COPY. */
export async function insertCopyText(client: DbClient, table: string, columns: string[] | undefined, text: string): Promise<void> {
  const rows = parseCopyLines(text);
  const width = rows[0]?.length ?? 0;
  if (width === 0) return;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / width));
  const target = columns ? `${table} (${columns.join(', ')})` : table;
  for (let start = 0; start < rows.length; start += perStatement) {
    const batch = rows.slice(start, start + perStatement);
    const tuples = batch.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
    await client.query(`INSERT INTO ${target} VALUES ${tuples.join(', ')}`, batch.flat());
  }
}
