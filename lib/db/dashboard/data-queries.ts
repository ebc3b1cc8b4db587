import type { CheckResult } from '../../validation/validation-report';
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
  /** The newest validation of the snapshot for this pipeline; null before any run validated it. */
  validationPassed: boolean | null;
}

/** The snapshots a pipeline ingested, most recently ingested first; their profiles are on each snapshot's own page. */
export async function snapshotsPage(pool: Pool, pipeline: string, page: number, pageSize = 50): Promise<Page<SnapshotRow>> {
  const result = await pool.query(
    `SELECT s.id, s.digest, s.source, s.fetched_at, p.last_ingested_at, s.rows_read, s.row_count, s.quarantined_count, jsonb_array_length(s.columns) AS column_count,
            (SELECT v.passed FROM validation_reports v WHERE v.snapshot_id = s.id AND v.pipeline = p.pipeline ORDER BY v.created_at DESC, v.id DESC LIMIT 1) AS validation_passed
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
    validationPassed: r.validation_passed,
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

export interface SnapshotValidation {
  pipeline: string;
  passed: boolean;
  checks: CheckResult[];
  at: Date;
}

/** Every validation of a snapshot, newest first: one per run that validated it. */
export async function snapshotValidations(pool: Pool, snapshotId: number, limit = 20): Promise<SnapshotValidation[]> {
  const result = await pool.query(
    'SELECT pipeline, passed, checks, created_at FROM validation_reports WHERE snapshot_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
    [snapshotId, limit],
  );
  return result.rows.map((r) => ({ pipeline: r.pipeline, passed: r.passed, checks: r.checks, at: r.created_at }));
}
