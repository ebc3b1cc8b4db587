import type { DbClient, Pool } from './pool';
import type { QuarantinedRow } from '../data/read-csv';
import type { Row } from '../data/typed-row';

export interface NewSnapshot {
  digest: string;
  pipeline: string;
  source: unknown;
  schemaHash: string;
  fetchedAt: Date;
  rows: Row[];
  quarantined: QuarantinedRow[];
}

export interface SnapshotRecord {
  id: number;
  digest: string;
  rowCount: number;
  quarantinedCount: number;
  /** False when the same content was already stored: nothing was written. */
  created: boolean;
}

/**
 * Stores a snapshot with its rows in the caller's transaction, or returns the existing one
 * with the same digest. Concurrent writers of the same content meet at the unique digest.
 */
export async function saveSnapshot(client: DbClient, snapshot: NewSnapshot): Promise<SnapshotRecord> {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO snapshots (digest, pipeline, source, schema_hash, row_count, quarantined_count, fetched_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (digest) DO NOTHING
     RETURNING id`,
    [
      snapshot.digest,
      snapshot.pipeline,
      JSON.stringify(snapshot.source),
      snapshot.schemaHash,
      snapshot.rows.length,
      snapshot.quarantined.length,
      snapshot.fetchedAt,
    ],
  );
  const row = inserted.rows[0];
  if (!row) {
    const existing = await findSnapshotByDigest(client, snapshot.digest);
    if (!existing) throw new Error(`snapshot ${snapshot.digest} vanished while being stored`);
    return existing;
  }
  const id = Number(row.id);
  await client.query(
    `INSERT INTO snapshot_rows (snapshot_id, row_number, data)
     SELECT $1, ordinality, value FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY`,
    [id, JSON.stringify(snapshot.rows)],
  );
  if (snapshot.quarantined.length > 0) {
    await client.query(
      `INSERT INTO quarantined_rows (snapshot_id, line, raw, reason)
       SELECT $1, (q->>'line')::int, q->>'raw', q->>'reason' FROM jsonb_array_elements($2::jsonb) AS q`,
      [id, JSON.stringify(snapshot.quarantined)],
    );
  }
  return { id, digest: snapshot.digest, rowCount: snapshot.rows.length, quarantinedCount: snapshot.quarantined.length, created: true };
}

async function findSnapshotByDigest(client: DbClient, digest: string): Promise<SnapshotRecord | undefined> {
  const result = await client.query<{ id: string; row_count: number; quarantined_count: number }>(
    'SELECT id, row_count, quarantined_count FROM snapshots WHERE digest = $1',
    [digest],
  );
  const row = result.rows[0];
  return row && { id: Number(row.id), digest, rowCount: row.row_count, quarantinedCount: row.quarantined_count, created: false };
}

export async function loadSnapshotRows(pool: Pool, snapshotId: number): Promise<Row[]> {
  const result = await pool.query<{ data: Row }>(
    'SELECT data FROM snapshot_rows WHERE snapshot_id = $1 ORDER BY row_number',
    [snapshotId],
  );
  if (result.rowCount === 0) {
    const exists = await pool.query('SELECT 1 FROM snapshots WHERE id = $1', [snapshotId]);
    if (exists.rowCount === 0) throw new Error(`snapshot ${snapshotId} does not exist`);
  }
  return result.rows.map((r) => r.data);
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
