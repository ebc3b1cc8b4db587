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
       ev.version AS eval_version, ev.passed AS eval_passed
FROM models m
LEFT JOIN LATERAL (SELECT v.version, v.metrics FROM model_aliases a JOIN model_versions v ON v.id = a.version_id
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
