import { ensureModel } from './model-registry';
import type { Pool } from './pool';

export type TrainingOutcome = 'succeeded' | 'failed' | 'cancelled_over_norm';

export interface TrainingRunRecord {
  modelName: string;
  pipeline: string;
  runKey: string;
  workflowId: string;
  runId: string;
  snapshotId: number;
  outcome: TrainingOutcome;
  durationMs: number;
  normMs?: number;
  normBasis?: string;
  versionId?: number;
  error?: string;
}

/** Records how a training attempt ended; the run key makes a retried record a no-op. */
export async function recordTrainingRun(pool: Pool, run: TrainingRunRecord): Promise<void> {
  await ensureModel(pool, run.modelName, run.pipeline);
  await pool.query(
    `INSERT INTO training_runs (model_name, run_key, workflow_id, run_id, snapshot_id, outcome, duration_ms, norm_ms, norm_basis, version_id, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (run_key) DO NOTHING`,
    [
      run.modelName,
      run.runKey,
      run.workflowId,
      run.runId,
      run.snapshotId,
      run.outcome,
      Math.round(run.durationMs),
      run.normMs === undefined ? null : Math.round(run.normMs),
      run.normBasis ?? null,
      run.versionId ?? null,
      run.error ?? null,
    ],
  );
}

/** Durations of the model's most recent successful runs, newest first: what its norm is learned from. */
export async function recentSuccessfulDurations(pool: Pool, modelName: string, limit: number): Promise<number[]> {
  const result = await pool.query<{ duration_ms: number }>(
    `SELECT duration_ms FROM training_runs WHERE model_name = $1 AND outcome = 'succeeded'
     ORDER BY finished_at DESC LIMIT $2`,
    [modelName, limit],
  );
  return result.rows.map((r) => r.duration_ms);
}
