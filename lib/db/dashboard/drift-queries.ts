import type { Pool } from '../pool';
import { pageWindow, toPage, type Page } from './page';

export interface DriftReportRow {
  id: number;
  verdict: string;
  championVersion: number;
  /** Null for a serving check (its current side is the prediction log). */
  currentSnapshotId: number | null;
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
    currentSnapshotId: r.current_snapshot_id === null ? null : Number(r.current_snapshot_id),
    columnsTested: r.columns_tested,
    columnsDrifted: r.columns_drifted,
    reasons: r.reasons,
    createdAt: r.created_at,
  }));
  return toPage(rows, page, pageSize);
}

export interface ColumnScore {
  column: string;
  method: string;
  /** The p-value of a test, or the distance: what the threshold is compared with. */
  score: number | null;
  threshold: number;
  verdict: string;
}

export interface CheckScores {
  id: number;
  createdAt: Date;
  columns: ColumnScore[];
}

/** Each column's score and threshold in the pipeline's most recent checks, oldest first: the trend the drift page draws. */
export async function columnScoreTrend(pool: Pool, pipeline: string, limit = 100): Promise<CheckScores[]> {
  const result = await pool.query(
    `SELECT id, created_at, columns FROM
       (SELECT r.id, r.created_at,
               (SELECT coalesce(jsonb_agg(jsonb_build_object('column', c->>'column', 'method', c->>'method', 'score', coalesce(nullif(c->'pValue', 'null'::jsonb), c->'statistic'),
                                                             'threshold', c->'threshold', 'verdict', c->>'verdict')), '[]')
                FROM jsonb_array_elements(r.report->'data'->'columns') c) AS columns
        FROM drift_reports r WHERE r.pipeline = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2) recent
     ORDER BY created_at, id`,
    [pipeline, limit],
  );
  return result.rows.map((r) => ({ id: Number(r.id), createdAt: r.created_at, columns: r.columns }));
}
