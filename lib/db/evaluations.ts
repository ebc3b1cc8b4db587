import type { ClassReport } from '../evaluation/class-report';
import type { BaselineSummary } from '../evaluation/baselines';
import type { ChampionComparison } from '../evaluation/champion-comparison';
import type { GateResult } from '../evaluation/gates';
import type { Metrics } from '../model/metrics';
import type { BacktestFold } from '../model/backtest';
import type { ModelTestResult } from '../model-tests/classify';
import type { Pool } from './pool';

export interface EvaluationRecord {
  versionId: number;
  snapshotId: number;
  workflowId: string;
  championVersionId?: number;
  holdoutStart: string;
  holdoutExamples: number;
  /** The candidate's fit before its refit, on its whole holdout. */
  metrics: Metrics;
  /** Which fit the metrics come from and on which rows, in words. */
  metricsBasis: string;
  baselines: BaselineSummary;
  /** The champion on the examples it was compared on (absent for a refresh, which is not scored). */
  championMetrics?: Metrics;
  championComparison?: ChampionComparison;
  gates: GateResult[];
  modelTests: ModelTestResult[];
  backtest: BacktestFold[];
  passed: boolean;
  /** A classifier's holdout by class. */
  classReport?: ClassReport;
}

/**
 * Stores the evaluation once per candidate, run and champion judged against: a retried activity
 * finds its own row, and a re-evaluation against a champion that moved meanwhile is a row of its
 * own, so the run's decision points at the judgement it rests on and the earlier one is kept.
 */
export async function saveEvaluation(pool: Pool, e: EvaluationRecord): Promise<number> {
  const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  const result = await pool.query<{ id: string }>(
    `INSERT INTO evaluations (version_id, snapshot_id, workflow_id, champion_version_id, holdout_start, metrics,
                              champion_metrics, gates, model_tests, backtest, passed,
                              holdout_examples, metrics_basis, baselines, champion_comparison, class_report)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (version_id, workflow_id, (coalesce(champion_version_id, 0))) DO UPDATE SET version_id = EXCLUDED.version_id
     RETURNING id`,
    [
      e.versionId,
      e.snapshotId,
      e.workflowId,
      e.championVersionId ?? null,
      e.holdoutStart,
      json(e.metrics),
      json(e.championMetrics),
      json(e.gates),
      json(e.modelTests),
      json(e.backtest),
      e.passed,
      e.holdoutExamples,
      e.metricsBasis,
      json(e.baselines),
      json(e.championComparison),
      json(e.classReport),
    ],
  );
  return Number((result.rows[0] as { id: string }).id);
}
