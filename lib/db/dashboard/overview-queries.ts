import type { Pool } from '../pool';
import { pageWindow, toPage, type Page } from './page';

/** One model's state at a glance: everything the overview shows and flags. */
export interface ModelOverview {
  model: string;
  pipeline: string;
  champion: { version: number; metrics: Record<string, number> } | null;
  latest: { version: number; metrics: Record<string, number>; createdAt: Date } | null;
  /** Runs whose candidates passed their gates and wait for a person: how many, and the soonest deadline (null: not recorded). */
  pendingApproval: { count: number; nextDeadline: Date | null } | null;
  latestRun: { outcome: string; finishedAt: Date; durationMs: number; normMs: number | null } | null;
  latestDrift: { id: number; verdict: string; accuracyDecayed: boolean; createdAt: Date } | null;
  latestEvaluation: { version: number; passed: boolean } | null;
  /** The worst drift check since the newest acknowledgement (the latest one among equals), and how many checks came since. */
  worstDrift: { id: number; verdict: string; createdAt: Date; checksSince: number } | null;
  /** The newest acknowledged look at the drift checks: who, when, and up to which report. */
  acknowledged: { by: string; at: Date; driftReportId: number } | null;
  /** Things a person should know, each with the report that explains it. */
  flags: {
    /** The champion was trained after a failing check, on the very snapshot that check found drifted (and no one has acknowledged it since). */
    retrainedOnDrift: { version: number; driftReportId: number } | null;
    /** The champion is where a rollback put it. */
    rolledBack: { version: number; by: string; at: Date } | null;
    /** The pipeline's newest validation refused its snapshot. */
    validationFailed: { snapshotId: number; at: Date } | null;
  };
}

// Each LATERAL reads one row through an index (or a model's own few rows), so the overview costs
// the same with 10 versions or 1,000.
const OVERVIEW_SQL = `
SELECT m.name AS model, m.pipeline,
       champ.version AS champion_version, champ.metrics AS champion_metrics,
       latest.version AS latest_version, latest.metrics AS latest_metrics, latest.created_at AS latest_at,
       waiting.n AS waiting_count, waiting.next_deadline AS waiting_deadline,
       run.outcome AS run_outcome, run.finished_at AS run_finished_at, run.duration_ms AS run_duration_ms, run.norm_ms AS run_norm_ms,
       drift.id AS drift_id, drift.verdict AS drift_verdict, drift.decayed AS drift_decayed, drift.created_at AS drift_at,
       ev.version AS eval_version, ev.passed AS eval_passed,
       ack.drift_report_id AS ack_report_id, ack.acknowledged_by AS ack_by, ack.at AS ack_at,
       worst.id AS worst_id, worst.verdict AS worst_verdict, worst.created_at AS worst_at,
       (SELECT count(*)::int FROM drift_reports WHERE pipeline = m.pipeline AND id > coalesce(ack.drift_report_id, 0)) AS checks_since,
       retrained.version AS retrained_version, retrained.report_id AS retrained_report_id,
       champ_move.action AS champ_action, champ_move.actor AS champ_actor, champ_move.at AS champ_at,
       validation.snapshot_id AS validation_snapshot_id, validation.passed AS validation_passed, validation.created_at AS validation_at
FROM models m
LEFT JOIN LATERAL (SELECT v.id, v.version, v.metrics FROM model_aliases a JOIN model_versions v ON v.id = a.version_id
                   WHERE a.model_name = m.name AND a.alias = 'champion') champ ON true
LEFT JOIN LATERAL (SELECT version, metrics, created_at FROM model_versions WHERE model_name = m.name
                   ORDER BY version DESC LIMIT 1) latest ON true
LEFT JOIN LATERAL (SELECT count(*)::int AS n, min(deadline) AS next_deadline FROM waiting_approvals
                   WHERE model_name = m.name) waiting ON true
LEFT JOIN LATERAL (SELECT outcome, finished_at, duration_ms, norm_ms FROM training_runs WHERE model_name = m.name
                   ORDER BY finished_at DESC, id DESC LIMIT 1) run ON true
LEFT JOIN LATERAL (SELECT id, verdict, coalesce((report->'accuracy'->>'decayed')::boolean, false) AS decayed, created_at
                   FROM drift_reports WHERE pipeline = m.pipeline ORDER BY created_at DESC, id DESC LIMIT 1) drift ON true
LEFT JOIN LATERAL (SELECT v.version, e.passed FROM model_versions v JOIN evaluations e ON e.version_id = v.id
                   WHERE v.model_name = m.name ORDER BY v.version DESC, e.id DESC LIMIT 1) ev ON true
LEFT JOIN LATERAL (SELECT drift_report_id, acknowledged_by, at FROM acknowledgements WHERE pipeline = m.pipeline
                   ORDER BY drift_report_id DESC, id DESC LIMIT 1) ack ON true
LEFT JOIN LATERAL (SELECT id, verdict, created_at FROM drift_reports WHERE pipeline = m.pipeline AND id > coalesce(ack.drift_report_id, 0)
                   ORDER BY CASE verdict WHEN 'fail' THEN 2 WHEN 'warn' THEN 1 ELSE 0 END DESC, created_at DESC, id DESC LIMIT 1) worst ON true
LEFT JOIN LATERAL (SELECT v.version, d.id AS report_id FROM model_versions v
                   JOIN drift_reports d ON d.pipeline = m.pipeline AND d.verdict = 'fail'
                        AND d.current_snapshot_id = ANY (v.training_snapshot_ids) AND d.created_at <= v.created_at
                   WHERE v.id = champ.id AND d.id > coalesce(ack.drift_report_id, 0)
                   ORDER BY d.id DESC LIMIT 1) retrained ON true
LEFT JOIN LATERAL (SELECT action, actor, at FROM audit_log WHERE model_name = m.name AND action IN ('promote', 'rollback')
                   ORDER BY at DESC, id DESC LIMIT 1) champ_move ON true
LEFT JOIN LATERAL (SELECT snapshot_id, passed, created_at FROM validation_reports WHERE pipeline = m.pipeline
                   ORDER BY created_at DESC, id DESC LIMIT 1) validation ON true
WHERE $1::text IS NULL OR m.name = $1
ORDER BY m.pipeline, m.name
LIMIT $2 OFFSET $3`;

/** Every model (or one), by pipeline. */
export async function loadOverview(pool: Pool, options: { model?: string; page?: number; pageSize?: number } = {}): Promise<Page<ModelOverview>> {
  const page = options.page ?? 1;
  const pageSize = options.pageSize ?? 50;
  const result = await pool.query(OVERVIEW_SQL, [options.model ?? null, ...pageWindow(page, pageSize)]);
  return toPage(result.rows.map(toOverview), page, pageSize);
}

function toOverview(r: Record<string, unknown>): ModelOverview {
  return {
    model: r.model as string,
    pipeline: r.pipeline as string,
    champion: r.champion_version === null ? null : { version: r.champion_version as number, metrics: r.champion_metrics as Record<string, number> },
    latest: r.latest_version === null ? null : { version: r.latest_version as number, metrics: r.latest_metrics as Record<string, number>, createdAt: r.latest_at as Date },
    pendingApproval: r.waiting_count === 0 ? null : { count: r.waiting_count as number, nextDeadline: r.waiting_deadline as Date | null },
    latestRun:
      r.run_outcome === null
        ? null
        : { outcome: r.run_outcome as string, finishedAt: r.run_finished_at as Date, durationMs: r.run_duration_ms as number, normMs: r.run_norm_ms as number | null },
    latestDrift:
      r.drift_id === null
        ? null
        : { id: Number(r.drift_id), verdict: r.drift_verdict as string, accuracyDecayed: r.drift_decayed as boolean, createdAt: r.drift_at as Date },
    latestEvaluation: r.eval_version === null ? null : { version: r.eval_version as number, passed: r.eval_passed as boolean },
    worstDrift:
      r.worst_id === null
        ? null
        : {
            id: Number(r.worst_id),
            verdict: r.worst_verdict as string,
            createdAt: r.worst_at as Date,
            checksSince: r.checks_since as number,
          },
    acknowledged: r.ack_report_id === null ? null : { by: r.ack_by as string, at: r.ack_at as Date, driftReportId: Number(r.ack_report_id) },
    flags: {
      retrainedOnDrift: r.retrained_version === null ? null : { version: r.retrained_version as number, driftReportId: Number(r.retrained_report_id) },
      rolledBack: r.champ_action === 'rollback' && r.champion_version !== null ? { version: r.champion_version as number, by: r.champ_actor as string, at: r.champ_at as Date } : null,
      validationFailed: r.validation_passed === false ? { snapshotId: Number(r.validation_snapshot_id), at: r.validation_at as Date } : null,
    },
  };
}

/** Alerts waiting in the outbox (a webhook that is down): how many, since when, and why the last try failed. */
export interface UndeliveredAlerts {
  count: number;
  oldestAt: Date | null;
  lastError: string | null;
}

export async function loadUndeliveredAlerts(pool: Pool): Promise<UndeliveredAlerts> {
  const result = await pool.query(
    `SELECT count(*)::int AS count, min(created_at) AS oldest_at,
            (array_agg(last_error ORDER BY created_at DESC) FILTER (WHERE last_error IS NOT NULL))[1] AS last_error
     FROM notifications WHERE delivered_at IS NULL`,
  );
  const row = result.rows[0] as { count: number; oldest_at: Date | null; last_error: string | null };
  return { count: row.count, oldestAt: row.oldest_at, lastError: row.last_error };
}
