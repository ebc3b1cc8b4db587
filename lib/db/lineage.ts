import type { ClassReport } from '../evaluation/class-report';
import type { BaselineSummary } from '../evaluation/baselines';
import type { ChampionComparison } from '../evaluation/champion-comparison';
import type { FeaturePlan } from '../model/features';
import { describeTransforms } from '../model/transforms/describe-transforms';
import { promotionOfVersion, type PromotedFrom } from './experiments';
import type { VersionFits } from './model-registry';
import type { Pool } from './pool';

export interface Lineage {
  version: {
    id: number;
    model: string;
    version: number;
    trainer: string;
    params: unknown;
    features: string[];
    /** The declared feature transforms, each with what it fitted on the training rows (z-scores' mean and std). */
    transforms: string[];
    codeVersion: string;
    trainerDigest: string;
    artifactDigest: string;
    /** The evaluated fit's scores on its holdout. */
    metrics: Record<string, number>;
    /** The fit that was scored and the refit that was registered: examples, time range, digest. Null before fits were recorded. */
    fits: VersionFits | null;
    createdAt: Date;
  };
  trainingRuns: { workflowId: string; runId: string; outcome: string; durationMs: number; normMs: number | null; finishedAt: Date }[];
  /** `filteredCount`: valid rows the source's `where` left out (its filter is in `source`). */
  snapshots: { id: number; digest: string; source: unknown; rowCount: number; quarantinedCount: number; filteredCount: number; fetchedAt: Date }[];
  evaluations: {
    id: number;
    workflowId: string;
    passed: boolean;
    metrics: Record<string, number>;
    /** Which fit the metrics come from, on which rows. */
    metricsBasis: string | null;
    holdoutExamples: number | null;
    baselines: BaselineSummary | null;
    championVersionId: number | null;
    championComparison: ChampionComparison | null;
    gates: unknown;
    modelTests: unknown;
    classReport: ClassReport | null;
    createdAt: Date;
  }[];
  decisions: { at: Date; actor: string; action: string; reason: string }[];
  aliases: string[];
  /** The experiment whose recommendation this version's run promoted (`driftline experiment promote`), if one did. */
  experiment: PromotedFrom | null;
}

/** Everything that made a version and decided its fate: runs, data, code, evaluations, people. */
export async function loadLineage(pool: Pool, modelName: string, version: number): Promise<Lineage | undefined> {
  const v = await pool.query(
    `SELECT id, model_name, version, trainer, params, features, code_version, trainer_digest, artifact_digest, metrics,
            training_snapshot_ids, fits, created_at, artifact->'plan' AS plan
     FROM model_versions WHERE model_name = $1 AND version = $2`,
    [modelName, version],
  );
  const row = v.rows[0];
  if (!row) return undefined;
  const id = Number(row.id);
  const [runs, snapshots, evaluations, decisions, aliases, experiment] = await Promise.all([
    pool.query('SELECT workflow_id, run_id, outcome, duration_ms, norm_ms, finished_at FROM training_runs WHERE version_id = $1', [id]),
    pool.query('SELECT id, digest, source, row_count, quarantined_count, filtered_count, fetched_at FROM snapshots WHERE id = ANY($1) ORDER BY id', [row.training_snapshot_ids]),
    pool.query(
      `SELECT id, workflow_id, passed, metrics, metrics_basis, holdout_examples, baselines, champion_version_id, champion_comparison,
              gates, model_tests, class_report, created_at
       FROM evaluations WHERE version_id = $1 ORDER BY id`,
      [id],
    ),
    pool.query('SELECT at, actor, action, reason FROM audit_log WHERE version_id = $1 ORDER BY at, id', [id]),
    pool.query('SELECT alias FROM model_aliases WHERE version_id = $1 ORDER BY alias', [id]),
    promotionOfVersion(pool, id),
  ]);
  return {
    version: {
      id,
      model: row.model_name,
      version: row.version,
      trainer: row.trainer,
      params: row.params,
      features: row.features,
      transforms: transformsOf(row.plan as FeaturePlan | null),
      codeVersion: row.code_version,
      trainerDigest: row.trainer_digest,
      artifactDigest: row.artifact_digest,
      metrics: row.metrics,
      fits: row.fits,
      createdAt: row.created_at,
    },
    trainingRuns: runs.rows.map((r) => ({ workflowId: r.workflow_id, runId: r.run_id, outcome: r.outcome, durationMs: r.duration_ms, normMs: r.norm_ms, finishedAt: r.finished_at })),
    snapshots: snapshots.rows.map((s) => ({ id: Number(s.id), digest: s.digest, source: s.source, rowCount: s.row_count, quarantinedCount: s.quarantined_count, filteredCount: s.filtered_count, fetchedAt: s.fetched_at })),
    evaluations: evaluations.rows.map((e) => ({
      id: Number(e.id),
      workflowId: e.workflow_id,
      passed: e.passed,
      metrics: e.metrics,
      metricsBasis: e.metrics_basis,
      holdoutExamples: e.holdout_examples,
      baselines: e.baselines,
      championVersionId: e.champion_version_id === null ? null : Number(e.champion_version_id),
      championComparison: e.champion_comparison,
      gates: e.gates,
      modelTests: e.model_tests,
      classReport: e.class_report,
      createdAt: e.created_at,
    })),
    decisions: decisions.rows.map((d) => ({ at: d.at, actor: d.actor, action: d.action, reason: d.reason })),
    aliases: aliases.rows.map((a) => a.alias),
    experiment: experiment ?? null,
  };
}

/** The plan's transforms described (none for a version without a plan). */
function transformsOf(plan: FeaturePlan | null): string[] {
  return plan ? describeTransforms(plan.features, plan.fitted, plan.timeColumn) : [];
}
