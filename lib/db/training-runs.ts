import type { Pool } from './pool';

export type TrainingOutcome = 'succeeded' | 'failed' | 'cancelled_over_norm';

export interface TrainingRunRecord {
  modelName: string;
  runKey: string;
  workflowId: string;
  runId: string;
  snapshotId: number;
  outcome: TrainingOutcome;
  durationMs: number;
  normMs?: number;
  versionId?: number;
  error?: string;
}

/** Records how a training attempt ended; the run key makes a retried record a no-op. */
export async function recordTrainingRun(pool: Pool, run: TrainingRunRecord): Promise<void> {
  await pool.query(
    `INSERT INTO training_runs (model_name, run_key, workflow_id, run_id, snapshot_id, outcome, duration_ms, norm_ms, version_id, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (run_key) DO NOTHING`,
    [
      run.modelName,
      run.runKey,
      run.workflowId,
      run.runId,
      run.snapshotId,
      run.outcome,
      Math.round(run.durationMs),
      run.normMs ?? null,
      run.versionId ?? null,
      run.error ?? null,
    ],
  );
}
