import type { NormSample } from '../norms/runtime-norm';
import { ensureModel } from './model-registry';
import { inTransaction, type DbClient, type Pool } from './pool';

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
  /** The activity attempt that trained (a succeeded run). */
  attempt?: number;
  /** What the duration measured: rows learned from, CPU of the training thread, load on the worker. */
  rows?: number;
  cpuMs?: number;
  contention?: number;
}

const COLUMNS = 'model_name, run_key, workflow_id, run_id, snapshot_id, outcome, duration_ms, norm_ms, norm_basis, version_id, error, attempt, rows, cpu_ms, contention';

function values(run: TrainingRunRecord): unknown[] {
  const whole = (n: number | undefined) => (n === undefined ? null : Math.round(n));
  return [
    run.modelName,
    run.runKey,
    run.workflowId,
    run.runId,
    run.snapshotId,
    run.outcome,
    Math.round(run.durationMs),
    whole(run.normMs),
    run.normBasis ?? null,
    run.versionId ?? null,
    run.error ?? null,
    run.attempt ?? null,
    run.rows ?? null,
    whole(run.cpuMs),
    run.contention ?? null,
  ];
}

/** Records a successful training; the run key makes a retried record a no-op, and a run already closed keeps its outcome. */
export async function recordTrainingRun(pool: Pool, run: TrainingRunRecord): Promise<void> {
  await ensureModel(pool, run.modelName, run.pipeline);
  await pool.query(`INSERT INTO training_runs (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (run_key) DO NOTHING`, values(run));
}

/**
 * Closes a run the workflow ended without a version (cancelled over its norm, or failed): the
 * workflow's word is final. A version the run registered anyway (its training finished as the
 * cancellation arrived, or a zombie attempt got there first) is marked orphaned, never left
 * looking like a candidate. Holds the model's lock, so no registration slips in between.
 */
export async function closeTrainingRun(pool: Pool, run: TrainingRunRecord & { outcome: Exclude<TrainingOutcome, 'succeeded'> }): Promise<{ orphanedVersionId?: number; cpuMs?: number; rows?: number }> {
  await ensureModel(pool, run.modelName, run.pipeline);
  return inTransaction(pool, async (client) => {
    await lockModel(client, run.modelName);
    const orphaned = await client.query<{ id: string }>(
      `UPDATE model_versions SET orphaned_at = coalesce(orphaned_at, now()), orphaned_reason = coalesce(orphaned_reason, $3)
       WHERE model_name = $1 AND run_key = $2 RETURNING id`,
      [run.modelName, run.runKey, `run ended ${run.outcome}`],
    );
    const orphanedVersionId = orphaned.rows[0] ? Number(orphaned.rows[0].id) : undefined;
    const measured = await client.query<{ attempt: number; rows: number | null; cpu_ms: number | null; contention: number | null }>(
      'SELECT attempt, rows, cpu_ms, contention FROM training_attempts WHERE run_key = $1',
      [run.runKey],
    );
    const figures = measured.rows[0];
    await client.query(
      `INSERT INTO training_runs (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (run_key) DO UPDATE SET outcome = EXCLUDED.outcome, duration_ms = EXCLUDED.duration_ms, norm_ms = EXCLUDED.norm_ms,
         norm_basis = EXCLUDED.norm_basis, error = EXCLUDED.error, cpu_ms = coalesce(EXCLUDED.cpu_ms, training_runs.cpu_ms),
         rows = coalesce(EXCLUDED.rows, training_runs.rows), contention = coalesce(EXCLUDED.contention, training_runs.contention),
         version_id = coalesce(training_runs.version_id, EXCLUDED.version_id)`,
      values({
        ...run,
        versionId: run.versionId ?? orphanedVersionId,
        attempt: run.attempt ?? figures?.attempt,
        rows: run.rows ?? figures?.rows ?? undefined,
        cpuMs: run.cpuMs ?? figures?.cpu_ms ?? undefined,
        contention: run.contention ?? figures?.contention ?? undefined,
      }),
    );
    return { orphanedVersionId, cpuMs: run.cpuMs ?? figures?.cpu_ms ?? undefined, rows: run.rows ?? figures?.rows ?? undefined };
  });
}

/** A registration refused: the attempt was superseded, or its run already ended without it. */
export class FencedAttempt extends Error {
  override name = 'FencedAttempt';
}

/** Notes that `attempt` of a run has started; an older attempt's claim never overwrites a newer one. */
export async function claimTrainingAttempt(pool: Pool, runKey: string, attempt: number): Promise<void> {
  await pool.query(
    `INSERT INTO training_attempts (run_key, attempt) VALUES ($1, $2)
     ON CONFLICT (run_key) DO UPDATE SET attempt = GREATEST(training_attempts.attempt, EXCLUDED.attempt),
       started_at = CASE WHEN EXCLUDED.attempt > training_attempts.attempt THEN now() ELSE training_attempts.started_at END`,
    [runKey, attempt],
  );
}

/** What an attempt's training measured when it stopped: read back by closeTrainingRun for an over-norm record. */
export async function recordAttemptFigures(pool: Pool, runKey: string, attempt: number, figures: { rows: number; cpuMs?: number; contention: number }): Promise<void> {
  await pool.query(
    'UPDATE training_attempts SET rows = $3, cpu_ms = $4, contention = $5 WHERE run_key = $1 AND attempt = $2',
    [runKey, attempt, figures.rows, figures.cpuMs === undefined ? null : Math.round(figures.cpuMs), figures.contention],
  );
}

/**
 * Refuses a registration by an attempt that is no longer the run's newest, or for a run the
 * workflow already closed. Runs inside the registration's transaction, under the model's lock
 * that closing a run also takes.
 */
export function fenceRegistration(runKey: string, attempt: number): (client: DbClient) => Promise<void> {
  return async (client) => {
    const newest = await client.query<{ attempt: number }>('SELECT attempt FROM training_attempts WHERE run_key = $1', [runKey]);
    const current = newest.rows[0]?.attempt;
    if (current !== undefined && current > attempt) {
      throw new FencedAttempt(`attempt ${attempt} of ${runKey} was superseded by attempt ${current}: it registers nothing`);
    }
    const closed = await client.query<{ outcome: string }>("SELECT outcome FROM training_runs WHERE run_key = $1 AND outcome <> 'succeeded'", [runKey]);
    if (closed.rows[0]) throw new FencedAttempt(`run ${runKey} already ended ${closed.rows[0].outcome}: it registers nothing`);
  };
}

async function lockModel(client: DbClient, modelName: string): Promise<void> {
  await client.query('SELECT 1 FROM models WHERE name = $1 FOR UPDATE', [modelName]);
}

/** The model's most recent successful runs, newest first: what its norm is learned from. */
export async function recentSuccessfulRuns(pool: Pool, modelName: string, limit: number): Promise<NormSample[]> {
  const result = await pool.query<{ duration_ms: number; rows: number | null; contention: number | null }>(
    `SELECT duration_ms, rows, contention FROM training_runs WHERE model_name = $1 AND outcome = 'succeeded'
     ORDER BY finished_at DESC LIMIT $2`,
    [modelName, limit],
  );
  return result.rows.map((r) => ({ durationMs: r.duration_ms, rows: r.rows ?? undefined, contention: r.contention ?? undefined }));
}
