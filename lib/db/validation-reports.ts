import type { ValidationReport } from '../validation/validation-report';
import type { Pool } from './pool';

/**
 * Stores a run's validation report. Keyed by the run, so a retried validate activity replaces
 * its own report instead of adding a second one.
 */
export async function saveValidationReport(pool: Pool, pipeline: string, runKey: string, report: ValidationReport): Promise<void> {
  await pool.query(
    `INSERT INTO validation_reports (snapshot_id, pipeline, run_key, passed, checks)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (run_key) DO UPDATE SET snapshot_id = $1, passed = $4, checks = $5, created_at = now()`,
    [report.snapshotId, pipeline, runKey, report.passed, JSON.stringify(report.checks)],
  );
}
