import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { insertCopyText, supportsCopy } from './copy-fallback';
import type { ColumnType } from '../data/column-spec';
import { copyEscape, storableText } from '../data/copy-text';
import { SnapshotProfile } from '../data/profile/column-profile';
import { QuarantineSpool } from '../data/quarantine-spool';
import type { Row } from '../data/typed-row';
import { DriftlineError } from '../errors';
import type { DbClient, Pool } from './pool';

/** A stored column: c1 … cN of the snapshot's data table, in this order. */
export interface StoredColumn {
  name: string;
  type: ColumnType;
}

export interface NewSnapshot {
  pipeline: string;
  source: unknown;
  schemaHash: string;
  fetchedAt: Date;
  columns: StoredColumn[];
}

/** Where an ingest writes while the snapshot is being built, before anyone can see it. */
export interface SnapshotSink {
  /** Accepted rows as UTF-8 COPY text lines `row_number \t c1 \t … \t cN \n`; resolves when the database can take more. */
  writeRows(bytes: Uint8Array): Promise<void>;
  quarantine(line: number, raw: string, reason: string): void;
}

/** What the ingest learned by the end of the stream. */
export interface SnapshotContent {
  digest: string;
  rowCount: number;
  quarantinedCount: number;
  /** Valid rows the source's `where` left out. */
  filteredCount: number;
  profile: SnapshotProfile;
}

export interface SnapshotRecord {
  id: number;
  digest: string;
  rowCount: number;
  quarantinedCount: number;
  filteredCount: number;
  /** False when the same content was already stored: nothing was written. */
  created: boolean;
}

const SQL_TYPES: Record<ColumnType, string> = {
  numeric: 'double precision',
  integer: 'bigint',
  categorical: 'text',
  boolean: 'boolean',
  timestamp: 'timestamptz',
};

const dataTable = (id: number) => `snapshot_data.rows_${id}`;
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/**
 * Builds a snapshot in one transaction: a pending snapshot row and its own data table, filled
 * with COPY while `fill` streams the source, then named by the digest `fill` returns. Until the
 * COMMIT nobody sees any of it, so a crash or error mid-ingest leaves nothing behind and a retry
 * starts clean. When the digest is already stored, everything is rolled back and the existing
 * snapshot returned: identical data is never stored twice.
 */
export async function writeSnapshot(
  pool: Pool,
  snapshot: NewSnapshot,
  fill: (sink: SnapshotSink) => Promise<SnapshotContent>,
): Promise<SnapshotRecord> {
  const client = await pool.connect();
  let released = false;
  const release = (destroy = false) => {
    if (!released) client.release(destroy);
    released = true;
  };
  const spool = new QuarantineSpool();
  try {
    await client.query('BEGIN');
    const id = await insertPending(client, snapshot);
    const content = await copyRows(client, id, (rows) =>
      fill({
        writeRows: rows,
        quarantine: (line, raw, reason) => spool.add(`${id}\t${line}\t${copyEscape(storableText(raw))}\t${copyEscape(storableText(reason))}\n`),
      }),
    );
    const existing = await findSnapshotByDigest(client, content.digest);
    if (existing) {
      await client.query('ROLLBACK');
      release();
      return existing;
    }
    if (content.quarantinedCount > 0) {
      if (await supportsCopy(client)) {
        await pipeline(spool.read(), client.query(copyFrom('COPY quarantined_rows (snapshot_id, line, raw, reason) FROM STDIN')));
      } else {
        await insertCopyText(client, 'quarantined_rows', ['snapshot_id', 'line', 'raw', 'reason'], await text(spool.read()));
      }
    }
    if (!(await publish(client, id, content))) {
      await client.query('ROLLBACK');
      release();
      return await concurrentTwin(pool, content.digest);
    }
    release();
    return { id, digest: content.digest, rowCount: content.rowCount, quarantinedCount: content.quarantinedCount, filteredCount: content.filteredCount, created: true };
  } catch (error) {
    // Closing the connection aborts whatever it was doing, COPY included: the server rolls back.
    release(true);
    throw error;
  } finally {
    spool.dispose();
  }
}

async function insertPending(client: DbClient, snapshot: NewSnapshot): Promise<number> {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO snapshots (digest, pipeline, source, schema_hash, row_count, quarantined_count, rows_read, fetched_at, columns)
     VALUES ('pending:' || gen_random_uuid(), $1, $2, $3, 0, 0, 0, $4, $5)
     RETURNING id`,
    [snapshot.pipeline, JSON.stringify(snapshot.source), snapshot.schemaHash, snapshot.fetchedAt, JSON.stringify(snapshot.columns)],
  );
  const id = Number(inserted.rows[0]?.id);
  const columns = snapshot.columns.map((c, i) => `, c${i + 1} ${SQL_TYPES[c.type]}`).join('');
  // The key is built during the COPY, on the database's core, while this process parses the next rows.
  await client.query(`CREATE TABLE ${dataTable(id)} (row_number integer PRIMARY KEY${columns})`);
  return id;
}

/**
 * Streams the accepted rows into the new table; FREEZE is allowed because the table is this
 * transaction's own. A server without COPY (the embedded one) gets the same rows as INSERTs.
 */
async function copyRows(
  client: DbClient,
  id: number,
  fill: (writeRows: (bytes: Uint8Array) => Promise<void>) => Promise<SnapshotContent>,
): Promise<SnapshotContent> {
  if (!(await supportsCopy(client))) return fill((bytes) => insertCopyText(client, dataTable(id), undefined, Buffer.from(bytes).toString('utf8')));
  const copy = client.query(copyFrom(`COPY ${dataTable(id)} FROM STDIN WITH (FREEZE)`));
  // A COPY that fails (its connection lost) is not destroyed: writing or ending it would fail
  // again, with a TypeError instead of the error that says what happened. So the first error is
  // kept, every later one heard, and nothing more is written once it came.
  let failed = false;
  const copyFailed = new Promise<never>((_resolve, reject) =>
    copy.on('error', (error: Error) => {
      failed = true;
      reject(connectionLostOr(error));
    }),
  );
  copyFailed.catch(() => undefined);
  // A few MB may queue up, so that parsing goes on while the database catches up; beyond that, wait.
  const writeRows = async (bytes: Uint8Array) => {
    if (failed) return copyFailed;
    if (!copy.write(bytes) && copy.writableLength > MAX_QUEUED_BYTES) await Promise.race([once(copy, 'drain'), copyFailed]);
  };
  const content = await fill(writeRows);
  if (!failed) copy.end();
  await Promise.race([once(copy, 'finish'), copyFailed]);
  return content;
}

/**
 * The error a COPY failed with, saying so when its connection was cut (a server restart,
 * `pg_terminate_backend`): writing on before the server's own message is read fails with only a
 * socket's "write EPIPE".
 */
function connectionLostOr(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EPIPE' && code !== 'ECONNRESET') return error;
  return new Error(`the PostgreSQL connection was terminated during the snapshot's COPY (${error.message})`, { cause: error });
}

/** Names the snapshot by its digest and commits; false when a concurrent ingest of the same content committed first. */
async function publish(client: DbClient, id: number, content: SnapshotContent): Promise<boolean> {
  try {
    await client.query(
      `UPDATE snapshots SET digest = $2, row_count = $3, quarantined_count = $4, rows_read = $3::int + $4::int, profile = $5, filtered_count = $6 WHERE id = $1`,
      [id, content.digest, content.rowCount, content.quarantinedCount, JSON.stringify(content.profile), content.filteredCount],
    );
  } catch (error) {
    const e = error as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'snapshots_digest_key') return false;
    throw error;
  }
  await client.query('COMMIT');
  return true;
}

/** The snapshot another ingest of the same content stored first: it is ours too. */
async function concurrentTwin(pool: Pool, digest: string): Promise<SnapshotRecord> {
  const twin = await findSnapshotByDigest(pool, digest);
  if (!twin) throw new Error(`snapshot ${digest} vanished while being stored`);
  return twin;
}

async function findSnapshotByDigest(db: Pool | DbClient, digest: string): Promise<SnapshotRecord | undefined> {
  const result = await db.query<{ id: string; row_count: number; quarantined_count: number; filtered_count: number }>(
    'SELECT id, row_count, quarantined_count, filtered_count FROM snapshots WHERE digest = $1',
    [digest],
  );
  const row = result.rows[0];
  return row && { id: Number(row.id), digest, rowCount: row.row_count, quarantinedCount: row.quarantined_count, filteredCount: row.filtered_count, created: false };
}

/** A stored snapshot's description, without its rows. */
export interface SnapshotSummary {
  id: number;
  digest: string;
  pipeline: string;
  source: unknown;
  fetchedAt: Date;
  rowsRead: number;
  rowCount: number;
  quarantinedCount: number;
  /** Valid rows the source's `where` left out (0 without one). */
  filteredCount: number;
  columns: StoredColumn[];
  /** Null for snapshots stored before profiling existed. */
  profile: SnapshotProfile | null;
}

export async function getSnapshot(pool: Pool, snapshotId: number): Promise<SnapshotSummary> {
  const result = await pool.query(
    `SELECT id, digest, pipeline, source, fetched_at, rows_read, row_count, quarantined_count, filtered_count, columns, profile
     FROM snapshots WHERE id = $1`,
    [snapshotId],
  );
  const row = result.rows[0];
  // Snapshots are committed whole before their id is handed out: a missing one never appears on a retry.
  if (!row) throw new DriftlineError('InvalidInput', `snapshot ${snapshotId} does not exist`);
  return {
    id: Number(row.id),
    digest: row.digest,
    pipeline: row.pipeline,
    source: row.source,
    fetchedAt: row.fetched_at,
    rowsRead: row.rows_read,
    rowCount: row.row_count,
    quarantinedCount: row.quarantined_count,
    filteredCount: row.filtered_count,
    columns: row.columns,
    profile: row.profile === null ? null : SnapshotProfile.parse(row.profile),
  };
}

/** A stored snapshot's columns alone: what a loader checks names against, without reading (and parsing) its profile. */
export async function getSnapshotColumns(pool: Pool, snapshotId: number): Promise<StoredColumn[]> {
  return (await getSnapshotLayout(pool, snapshotId)).columns;
}

/**
 * A stored snapshot's columns and accepted rows: what reading its rows needs. Not its profile, a
 * JSON document that grows with the columns (histograms, samples) and is parsed with zod: every
 * load of the data (training, evaluation, drift) would fetch and parse it for nothing.
 */
export async function getSnapshotLayout(pool: Pool, snapshotId: number): Promise<{ columns: StoredColumn[]; rowCount: number }> {
  const result = await pool.query<{ columns: StoredColumn[]; row_count: number }>('SELECT columns, row_count FROM snapshots WHERE id = $1', [snapshotId]);
  const row = result.rows[0];
  if (!row) throw new DriftlineError('InvalidInput', `snapshot ${snapshotId} does not exist`);
  return { columns: row.columns, rowCount: row.row_count };
}

/** The snapshot's accepted rows in source order, typed as models read them. */
export async function loadSnapshotRows(pool: Pool, snapshotId: number): Promise<Row[]> {
  const columns = await getSnapshotColumns(pool, snapshotId);
  // bigint comes back from pg as text; every accepted integer is within ±2^53, so a double is exact.
  const select = columns.map((c, i) => (c.type === 'integer' ? `c${i + 1}::double precision` : `c${i + 1}`));
  const result = await pool.query({ text: `SELECT ${['row_number', ...select].join(', ')} FROM ${dataTable(snapshotId)} ORDER BY row_number`, rowMode: 'array' });
  return result.rows.map((values: unknown[]) => {
    const row: Row = {};
    columns.forEach((c, i) => {
      const value = values[i + 1];
      row[c.name] = value instanceof Date ? value.toISOString() : (value as Row[string]);
    });
    return row;
  });
}

export interface DuplicateKeys {
  /** Key values held by more than one row. */
  keys: number;
  /** Rows holding those values. */
  rows: number;
  /** A few of the repeated keys, for the report. */
  examples: Row[];
}

/** Repeated values of `keyColumns` among the snapshot's accepted rows, counted by the database. */
export async function findDuplicateKeys(pool: Pool, snapshotId: number, keyColumns: string[]): Promise<DuplicateKeys> {
  const columns = await getSnapshotColumns(pool, snapshotId);
  const positions = keyColumns.map((name) => {
    const index = columns.findIndex((c) => c.name === name);
    if (index === -1) throw new Error(`snapshot ${snapshotId} has no column "${name}"`);
    return `c${index + 1}`;
  });
  const keys = positions.join(', ');
  const result = await pool.query(
    `WITH repeated AS (SELECT ${keys}, count(*) AS n FROM ${dataTable(snapshotId)} GROUP BY ${keys} HAVING count(*) > 1)
     SELECT (SELECT count(*) FROM repeated)::int AS keys, (SELECT coalesce(sum(n), 0) FROM repeated)::int AS rows,
            (SELECT coalesce(json_agg(json_build_array(${keys})), '[]') FROM (SELECT ${keys} FROM repeated ORDER BY n DESC, ${keys} LIMIT 3) e) AS examples`,
  );
  const row = result.rows[0] as { keys: number; rows: number; examples: Row[string][][] };
  return { keys: row.keys, rows: row.rows, examples: row.examples.map((values) => Object.fromEntries(keyColumns.map((name, i) => [name, values[i] ?? null]))) };
}

/** Notes that the pipeline ingested this snapshot now (its newest data, until the next ingest). */
export async function recordPipelineIngest(pool: Pool, pipeline: string, snapshotId: number): Promise<void> {
  await pool.query(
    `INSERT INTO pipeline_snapshots (pipeline, snapshot_id) VALUES ($1, $2)
     ON CONFLICT (pipeline, snapshot_id) DO UPDATE SET last_ingested_at = now()`,
    [pipeline, snapshotId],
  );
}

/** The pipeline's most recently ingested snapshot: what a retrain started on its own trains on. */
export async function latestSnapshotId(pool: Pool, pipeline: string): Promise<number | undefined> {
  const result = await pool.query<{ snapshot_id: string }>(
    'SELECT snapshot_id FROM pipeline_snapshots WHERE pipeline = $1 ORDER BY last_ingested_at DESC LIMIT 1',
    [pipeline],
  );
  return result.rows[0] ? Number(result.rows[0].snapshot_id) : undefined;
}

/**
 * The pipelines that ingested a stored snapshot (snapshots are shared by content, so there may be
 * several); undefined when there is no such snapshot.
 */
export async function snapshotPipelines(pool: Pool, snapshotId: number): Promise<string[] | undefined> {
  const result = await pool.query<{ pipelines: string[] }>(
    `SELECT ARRAY(SELECT s.pipeline UNION SELECT ps.pipeline FROM pipeline_snapshots ps WHERE ps.snapshot_id = s.id ORDER BY 1) AS pipelines
     FROM snapshots s WHERE s.id = $1`,
    [snapshotId],
  );
  return result.rows[0]?.pipelines;
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}
