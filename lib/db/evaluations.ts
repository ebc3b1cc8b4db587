import type { Metrics } from '../model/metrics';
import type { BacktestFold } from '../model/backtest';
import type { ModelTestResult } from '../model-tests/classify';
import type { GateResult } from '../promotion/gates';
import type { Pool } from './pool';

export interface EvaluationRecord {
  versionId: number;
  snapshotId: number;
  workflowId: string;
  championVersionId?: number;
  holdoutStart: string;
  metrics: Metrics;
  championMetrics?: Metrics;
  gates: GateResult[];
  modelTests: ModelTestResult[];
  backtest: BacktestFold[];
  passed: boolean;
}

/** Stores the evaluation once per candidate and run (a retried activity finds its own row). */
export async function saveEvaluation(pool: Pool, e: EvaluationRecord): Promise<number> {
  const result = await pool.query<{ id: string }>(
    `INSERT INTO evaluations (version_id, snapshot_id, workflow_id, champion_version_id, holdout_start, metrics,
                              champion_metrics, gates, model_tests, backtest, passed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (version_id, workflow_id) DO UPDATE SET version_id = EXCLUDED.version_id
     RETURNING id`,
    [
      e.versionId,
      e.snapshotId,
      e.workflowId,
      e.championVersionId ?? null,
      e.holdoutStart,
      JSON.stringify(e.metrics),
      e.championMetrics ? JSON.stringify(e.championMetrics) : null,
      JSON.stringify(e.gates),
      JSON.stringify(e.modelTests),
      JSON.stringify(e.backtest),
      e.passed,
    ],
  );
  return Number((result.rows[0] as { id: string }).id);
}
