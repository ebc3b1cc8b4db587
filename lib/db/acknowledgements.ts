import { DriftlineError } from '../errors';
import type { Pool } from './pool';

export interface Acknowledgement {
  id: number;
  pipeline: string;
  driftReportId: number;
  by: string;
  at: Date;
}

/**
 * Records that `by` has looked at the pipeline's drift checks up to `driftReportId`: the overview's
 * worst verdict then counts only later checks. The report must be the pipeline's own.
 */
export async function acknowledgeDrift(pool: Pool, a: { pipeline: string; driftReportId: number; by: string; note?: string }): Promise<Acknowledgement> {
  const result = await pool.query(
    `INSERT INTO acknowledgements (pipeline, drift_report_id, acknowledged_by, note)
     SELECT pipeline, id, $3, $4 FROM drift_reports WHERE id = $2 AND pipeline = $1
     RETURNING id, pipeline, drift_report_id, acknowledged_by, at`,
    [a.pipeline, a.driftReportId, a.by, a.note ?? ''],
  );
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (!row) throw new DriftlineError('InvalidInput', `Drift report #${a.driftReportId} of "${a.pipeline}" does not exist.`);
  return { id: Number(row.id), pipeline: row.pipeline as string, driftReportId: Number(row.drift_report_id), by: row.acknowledged_by as string, at: row.at as Date };
}
