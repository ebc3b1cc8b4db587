import type { BaselineSummary } from '../../evaluation/baselines';
import type { Pool } from '../pool';
import { pageWindow, toPage, type Page } from './page';

export interface VersionRow {
  id: number;
  version: number;
  trainer: string;
  metrics: Record<string, number>;
  /** The naive baselines of the version's latest evaluation; null before evaluations stored them. */
  baselines: BaselineSummary | null;
  aliases: string[];
  createdAt: Date;
}

/** The baselines of a version's latest evaluation, as a column of a `model_versions v` query. */
const LATEST_BASELINES = '(SELECT e.baselines FROM evaluations e WHERE e.version_id = v.id ORDER BY e.id DESC LIMIT 1) AS baselines';

/** A model's versions, newest first, one page at a time. */
export async function versionsPage(pool: Pool, model: string, page: number, pageSize = 50): Promise<Page<VersionRow>> {
  const result = await pool.query(
    `SELECT v.id, v.version, v.trainer, v.metrics, v.created_at, ${LATEST_BASELINES},
            coalesce((SELECT array_agg(a.alias ORDER BY a.alias) FROM model_aliases a WHERE a.version_id = v.id), '{}') AS aliases
     FROM model_versions v WHERE v.model_name = $1
     ORDER BY v.version DESC LIMIT $2 OFFSET $3`,
    [model, ...pageWindow(page, pageSize)],
  );
  const rows = result.rows.map((r) => ({
    id: Number(r.id),
    version: r.version,
    trainer: r.trainer,
    metrics: r.metrics,
    baselines: r.baselines,
    aliases: r.aliases,
    createdAt: r.created_at,
  }));
  return toPage(rows, page, pageSize);
}

export interface VersionPoint {
  version: number;
  createdAt: Date;
  metrics: Record<string, number>;
  baselines: BaselineSummary | null;
  /** The holdout the metrics were scored on (its latest evaluation): where it starts and how many examples; null without an evaluation. */
  holdout: { start: string; examples: number | null } | null;
}

/** The most recent versions' metrics, oldest first, for the chart: enough to see a trend, bounded however many exist. */
export async function versionSeries(pool: Pool, model: string, limit = 500): Promise<VersionPoint[]> {
  const result = await pool.query(
    `SELECT version, created_at, metrics, baselines, holdout_start, holdout_examples FROM
       (SELECT v.version, v.created_at, v.metrics, e.baselines, e.holdout_start, e.holdout_examples
        FROM model_versions v
        -- The latest evaluation: what it scored on (its holdout) beside its baselines, in one lookup.
        LEFT JOIN LATERAL (SELECT baselines, holdout_start, holdout_examples FROM evaluations WHERE version_id = v.id ORDER BY id DESC LIMIT 1) e ON true
        WHERE v.model_name = $1 ORDER BY v.version DESC LIMIT $2) recent
     ORDER BY version`,
    [model, limit],
  );
  return result.rows.map((r) => ({
    version: r.version,
    createdAt: r.created_at,
    metrics: r.metrics,
    baselines: r.baselines,
    holdout: r.holdout_start === null ? null : { start: r.holdout_start, examples: r.holdout_examples },
  }));
}

export interface AuditRow {
  at: Date;
  actor: string;
  action: string;
  version: number | null;
  reason: string;
}

/** Promotions, rejections, rollbacks and approvals waiting, newest first: who and why. */
export async function auditPage(pool: Pool, model: string, page: number, pageSize = 25): Promise<Page<AuditRow>> {
  const result = await pool.query(
    `SELECT l.at, l.actor, l.action, v.version, l.reason
     FROM audit_log l LEFT JOIN model_versions v ON v.id = l.version_id
     WHERE l.model_name = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2 OFFSET $3`,
    [model, ...pageWindow(page, pageSize)],
  );
  return toPage(result.rows as AuditRow[], page, pageSize);
}

export interface ChampionPeriod {
  version: number;
  from: Date;
  /** Null for the current champion. */
  until: Date | null;
  action: string;
  actor: string;
}

/** Which version was champion when, newest first: every promotion or rollback opens a period. */
export async function championHistory(pool: Pool, model: string, limit = 20): Promise<ChampionPeriod[]> {
  const result = await pool.query(
    `SELECT v.version, l.at AS from, lag(l.at) OVER (ORDER BY l.at DESC, l.id DESC) AS until, l.action, l.actor
     FROM audit_log l JOIN model_versions v ON v.id = l.version_id
     WHERE l.model_name = $1 AND l.action IN ('promote', 'rollback')
     ORDER BY l.at DESC, l.id DESC LIMIT $2`,
    [model, limit],
  );
  return result.rows as ChampionPeriod[];
}

/** The pipeline that trains a model; undefined for a model the registry does not know. */
export async function pipelineOfModel(pool: Pool, model: string): Promise<string | undefined> {
  const result = await pool.query<{ pipeline: string }>('SELECT pipeline FROM models WHERE name = $1', [model]);
  return result.rows[0]?.pipeline;
}
