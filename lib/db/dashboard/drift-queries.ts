import type { Pool } from '../pool';
import { pageWindow, toPage, type Page } from './page';

export interface DriftReportRow {
  id: number;
  verdict: string;
  championVersion: number;
  currentSnapshotId: number;
  columnsTested: number;
  columnsDrifted: number;
  reasons: string[];
  createdAt: Date;
}

/** A pipeline's drift checks, newest first, without their histograms. */
export async function driftReportsPage(pool: Pool, pipeline: string, page: number, pageSize = 50): Promise<Page<DriftReportRow>> {
  const result = await pool.query(
    `SELECT r.id, r.verdict, v.version, r.current_snapshot_id, r.created_at,
            (r.report->'data'->>'columnsTested')::int AS columns_tested, (r.report->'data'->>'columnsDrifted')::int AS columns_drifted,
            r.report->'reasons' AS reasons
     FROM drift_reports r JOIN model_versions v ON v.id = r.champion_version_id
     WHERE r.pipeline = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3`,
    [pipeline, ...pageWindow(page, pageSize)],
  );
  const rows = result.rows.map((r) => ({
    id: Number(r.id),
    verdict: r.verdict,
    championVersion: r.version,
    currentSnapshotId: Number(r.current_snapshot_id),
    columnsTested: r.columns_tested,
    columnsDrifted: r.columns_drifted,
    reasons: r.reasons,
    createdAt: r.created_at,
  }));
  return toPage(rows, page, pageSize);
}
