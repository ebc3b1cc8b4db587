import type { BaselineSummary } from '../evaluation/baselines';
import type { ChampionComparison } from '../evaluation/champion-comparison';
import type { GateResult } from '../evaluation/gates';
import type { Metrics } from '../model/metrics';
import type { ModelTestResult } from '../model-tests/classify';
import type { Pool } from './pool';

/** What a person weighs before approving: the evaluation the run stored for its candidate. */
export interface ApprovalEvidence {
  /** The candidate's fit before its refit, on its holdout. */
  candidate: Metrics;
  holdoutExamples: number;
  /** The naive forecasts on the same holdout, and the candidate's skill against the best of them. */
  baselines: BaselineSummary | null;
  /** How the candidate stands against the champion of the time (null: the model had none). */
  champion: ChampionComparison | null;
  gates: GateResult[];
  /** The garbage-data tests of the candidate's predict path. */
  modelTests: ModelTestResult[];
}

/** A run waiting for a person to decide on its candidate (see the waiting_approvals view). */
export interface WaitingApproval {
  model: string;
  pipeline: string;
  version: number;
  versionId: number;
  workflowId: string;
  requestedAt: Date;
  /** When the run rejects the candidate for want of a decision; null for requests from before deadlines were recorded. */
  deadline: Date | null;
  /** Null when the evaluation is not found (it always is for runs of this version of Driftline). */
  evidence: ApprovalEvidence | null;
  /** The drift check of the same run: what made it retrain. */
  drift: { reportId: number; verdict: string; reasons: string[] } | null;
}

/** Every run waiting for approval on a model (or on every model), oldest request first, with its evidence. */
export async function listWaitingApprovals(pool: Pool, model?: string): Promise<WaitingApproval[]> {
  const result = await pool.query(
    `SELECT w.model_name, m.pipeline, w.version, w.version_id, w.workflow_id, w.requested_at, w.deadline,
            e.id AS evaluation_id, e.metrics, e.holdout_examples, e.baselines, e.champion_comparison, e.gates, e.model_tests,
            d.id AS drift_id, d.verdict AS drift_verdict, d.report->'reasons' AS drift_reasons
     FROM waiting_approvals w
     JOIN models m ON m.name = w.model_name
     LEFT JOIN evaluations e ON e.id = w.evaluation_id
     LEFT JOIN LATERAL (SELECT id, verdict, report FROM drift_reports WHERE workflow_id = w.workflow_id
                        ORDER BY id DESC LIMIT 1) d ON true
     WHERE $1::text IS NULL OR w.model_name = $1
     ORDER BY w.model_name, w.requested_at, w.version`,
    [model ?? null],
  );
  return result.rows.map((r) => ({
    model: r.model_name,
    pipeline: r.pipeline,
    version: r.version,
    versionId: Number(r.version_id),
    workflowId: r.workflow_id,
    requestedAt: r.requested_at,
    deadline: r.deadline,
    evidence:
      r.evaluation_id === null
        ? null
        : {
            candidate: r.metrics,
            holdoutExamples: r.holdout_examples,
            baselines: r.baselines,
            champion: r.champion_comparison,
            gates: r.gates,
            modelTests: r.model_tests,
          },
    drift: r.drift_id === null ? null : { reportId: Number(r.drift_id), verdict: r.drift_verdict, reasons: r.drift_reasons ?? [] },
  }));
}
