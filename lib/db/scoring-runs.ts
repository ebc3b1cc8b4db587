import type { NormSample } from '../norms/runtime-norm';
import type { Pool } from './pool';

/** A scoring run as it starts: its batch and the version its alias pointed to then. */
export interface ScoringRunStart {
  batchId: string;
  pipeline: string;
  model: string;
  alias: string;
  workflowId: string;
}

export type ScoringOutcome = 'succeeded' | 'failed' | 'cancelled_over_norm';

/** How a scoring run ended, as recorded. */
export interface ScoringRunEnd {
  batchId: string;
  outcome: ScoringOutcome;
  rowsRead?: number;
  rowsScored?: number;
  rowsQuarantined?: number;
  durationMs: number;
  normMs?: number;
  /** Compute jobs per core on its worker over the run, time-weighted (≥ 1); unknown for a run that did not finish. */
  contention?: number;
  error?: string;
}

/**
 * Pins the batch to the version `alias` points at now, once: a retry, or a re-run of the same
 * batch, gets the version recorded the first time, so one batch never mixes versions. Undefined
 * when the model has no version under that alias.
 */
export async function pinScoringRun(pool: Pool, run: ScoringRunStart): Promise<{ versionId: number; version: number } | undefined> {
  const result = await pool.query<{ version_id: string; version: number }>(
    `WITH pinned AS (
       INSERT INTO scoring_runs (batch_id, pipeline, model, version, alias, workflow_id)
       SELECT $1, $2, $3, v.version, $4, $5
         FROM model_aliases a JOIN model_versions v ON v.id = a.version_id
        WHERE a.model_name = $3 AND a.alias = $4
       ON CONFLICT (batch_id) DO NOTHING
       RETURNING model, version
     ), run AS (
       SELECT model, version FROM pinned
       UNION ALL
       SELECT model, version FROM scoring_runs WHERE batch_id = $1 AND NOT EXISTS (SELECT 1 FROM pinned)
     )
     SELECT v.id AS version_id, v.version FROM run JOIN model_versions v ON v.model_name = run.model AND v.version = run.version`,
    [run.batchId, run.pipeline, run.model, run.alias, run.workflowId],
  );
  const row = result.rows[0];
  return row && { versionId: Number(row.version_id), version: row.version };
}

/** The model a batch id was first scored for, when it was: a batch id belongs to one pipeline. */
export async function scoringRunModel(pool: Pool, batchId: string): Promise<string | undefined> {
  const result = await pool.query<{ model: string }>('SELECT model FROM scoring_runs WHERE batch_id = $1', [batchId]);
  return result.rows[0]?.model;
}

/** Records how the run ended; the latest ending stands (a re-run of a batch that failed may succeed). */
export async function closeScoringRun(pool: Pool, end: ScoringRunEnd): Promise<void> {
  await pool.query(
    `UPDATE scoring_runs SET outcome = $2, rows_read = $3, rows_scored = $4, rows_quarantined = $5, duration_ms = $6,
            norm_ms = $7, error = $8, contention = $9, finished_at = now()
      WHERE batch_id = $1`,
    [end.batchId, end.outcome, end.rowsRead ?? null, end.rowsScored ?? null, end.rowsQuarantined ?? null, end.durationMs, end.normMs ?? null, end.error ?? null, end.contention ?? null],
  );
}

/** The model's recent successful scoring runs, as the scoring norm learns from them (training runs never count). */
export async function recentScoringRuns(pool: Pool, model: string, limit: number): Promise<NormSample[]> {
  const result = await pool.query<{ duration_ms: number; rows_read: string | null; contention: number | null }>(
    `SELECT duration_ms, rows_read, contention FROM scoring_runs WHERE model = $1 AND outcome = 'succeeded' AND duration_ms IS NOT NULL
     ORDER BY finished_at DESC LIMIT $2`,
    [model, limit],
  );
  return result.rows.map((r) => ({ durationMs: r.duration_ms, rows: r.rows_read === null ? undefined : Number(r.rows_read), contention: r.contention ?? undefined }));
}
