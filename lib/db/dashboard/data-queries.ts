import type { Pool } from '../pool';
import { pageWindow, toPage, type Page } from './page';

export interface SnapshotRow {
  id: number;
  digest: string;
  source: unknown;
  fetchedAt: Date;
  lastIngestedAt: Date;
  rowsRead: number;
  rowCount: number;
  quarantinedCount: number;
  columnCount: number;
}

/** The snapshots a pipeline ingested, most recently ingested first; their profiles are on each snapshot's own page. */
export async function snapshotsPage(pool: Pool, pipeline: string, page: number, pageSize = 50): Promise<Page<SnapshotRow>> {
  const result = await pool.query(
    `SELECT s.id, s.digest, s.source, s.fetched_at, p.last_ingested_at, s.rows_read, s.row_count, s.quarantined_count, jsonb_array_length(s.columns) AS column_count
     FROM pipeline_snapshots p JOIN snapshots s ON s.id = p.snapshot_id
     WHERE p.pipeline = $1 ORDER BY p.last_ingested_at DESC, s.id DESC LIMIT $2 OFFSET $3`,
    [pipeline, ...pageWindow(page, pageSize)],
  );
  const rows = result.rows.map((r) => ({
    id: Number(r.id),
    digest: r.digest,
    source: r.source,
    fetchedAt: r.fetched_at,
    lastIngestedAt: r.last_ingested_at,
    rowsRead: r.rows_read,
    rowCount: r.row_count,
    quarantinedCount: r.quarantined_count,
    columnCount: r.column_count,
  }));
  return toPage(rows, page, pageSize);
}

export interface QuarantinedRow {
  line: number;
  raw: string;
  reason: string;
}

/** A snapshot's quarantined rows in source order, with why each was refused. */
export async function quarantinePage(pool: Pool, snapshotId: number, page: number, pageSize = 50): Promise<Page<QuarantinedRow>> {
  const result = await pool.query(
    'SELECT line, raw, reason FROM quarantined_rows WHERE snapshot_id = $1 ORDER BY line LIMIT $2 OFFSET $3',
    [snapshotId, ...pageWindow(page, pageSize)],
  );
  return toPage(result.rows as QuarantinedRow[], page, pageSize);
}
