import type { Pool } from '../pool';
import { pageWindow, toPage, type Page } from './page';

export interface RunRow {
  id: number;
  workflowId: string;
  runId: string;
  outcome: string;
  durationMs: number;
  normMs: number | null;
  normBasis: string | null;
  version: number | null;
  error: string | null;
  finishedAt: Date;
}

/** A model's training runs, newest first. */
export async function runsPage(pool: Pool, model: string, page: number, pageSize = 100): Promise<Page<RunRow>> {
  const result = await pool.query(
    `SELECT r.id, r.workflow_id, r.run_id, r.outcome, r.duration_ms, r.norm_ms, r.norm_basis, v.version, r.error, r.finished_at
     FROM training_runs r LEFT JOIN model_versions v ON v.id = r.version_id
     WHERE r.model_name = $1 ORDER BY r.finished_at DESC, r.id DESC LIMIT $2 OFFSET $3`,
    [model, ...pageWindow(page, pageSize)],
  );
  const rows = result.rows.map((r) => ({
    id: Number(r.id),
    workflowId: r.workflow_id,
    runId: r.run_id,
    outcome: r.outcome,
    durationMs: r.duration_ms,
    normMs: r.norm_ms,
    normBasis: r.norm_basis,
    version: r.version,
    error: r.error,
    finishedAt: r.finished_at,
  }));
  return toPage(rows, page, pageSize);
}
