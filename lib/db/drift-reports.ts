import { DriftCheck } from '../drift/drift-check';
import type { Pool } from './pool';

export interface NewDriftReport {
  pipeline: string;
  modelName: string;
  championVersionId: number;
  referenceSnapshotIds: number[];
  /** Null for a serving check: its current side is logged predictions, not a snapshot. */
  currentSnapshotId: number | null;
  workflowId: string;
  runId: string;
  check: DriftCheck;
  /** `serving`: the inputs the model was served against its training data (default `data`). */
  kind?: 'data' | 'serving';
}

export interface StoredDriftReport extends Omit<NewDriftReport, 'runId'> {
  id: number;
  championVersion: number;
  createdAt: Date;
}

/** Stores a run's drift check once: a retried activity gets the id its first attempt stored. */
export async function saveDriftReport(pool: Pool, r: NewDriftReport): Promise<number> {
  const result = await pool.query<{ id: string }>(
    `INSERT INTO drift_reports (pipeline, model_name, champion_version_id, reference_snapshot_ids, current_snapshot_id, verdict, report, workflow_id, run_id, kind)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (workflow_id, run_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id
     RETURNING id`,
    [r.pipeline, r.modelName, r.championVersionId, r.referenceSnapshotIds, r.currentSnapshotId, r.check.verdict, JSON.stringify(r.check), r.workflowId, r.runId, r.kind ?? 'data'],
  );
  return Number((result.rows[0] as { id: string }).id);
}

/** The given report of a pipeline, or its newest when `id` is undefined; undefined when there is none. */
export async function findDriftReport(pool: Pool, pipeline: string, id?: number): Promise<StoredDriftReport | undefined> {
  const result = await pool.query(
    `SELECT r.id, r.pipeline, r.model_name, r.champion_version_id, v.version, r.reference_snapshot_ids, r.current_snapshot_id,
            r.report, r.workflow_id, r.created_at
     FROM drift_reports r JOIN model_versions v ON v.id = r.champion_version_id
     WHERE r.pipeline = $1 AND ($2::bigint IS NULL OR r.id = $2)
     ORDER BY r.created_at DESC, r.id DESC LIMIT 1`,
    [pipeline, id ?? null],
  );
  const row = result.rows[0];
  return (
    row && {
      id: Number(row.id),
      pipeline: row.pipeline,
      modelName: row.model_name,
      championVersionId: Number(row.champion_version_id),
      championVersion: row.version,
      referenceSnapshotIds: (row.reference_snapshot_ids as string[]).map(Number),
      currentSnapshotId: row.current_snapshot_id === null ? null : Number(row.current_snapshot_id),
      workflowId: row.workflow_id,
      createdAt: row.created_at,
      check: DriftCheck.parse(row.report),
    }
  );
}
