import { ColumnSpec } from '../../../lib/data/column-spec';
import { frameOfRows } from '../../../lib/data/columns/frame';
import { saveDriftReport } from '../../../lib/db/drift-reports';
import type { Pool } from '../../../lib/db/pool';
import { assembleDriftCheck } from '../../../lib/drift/drift-check';
import { compareDatasets } from '../../../lib/drift/compare-datasets';

export interface SeedSize {
  versions: number;
  runs: number;
  driftReports: number;
}

/**
 * Fills a model the way years of scheduled runs would: `versions` versions (every tenth promoted,
 * audited), `runs` training runs (one in fifty cancelled over its norm), evaluations and drift
 * reports. Written by set-based SQL, so a 10,000-run model takes a second, not minutes.
 */
export async function seedModel(pool: Pool, pipeline: string, size: SeedSize): Promise<string> {
  const model = `${pipeline}-model`;
  await pool.query('INSERT INTO models (name, pipeline) VALUES ($1, $2)', [model, pipeline]);
  const snapshot = await pool.query<{ id: string }>(
    `INSERT INTO snapshots (digest, pipeline, source, schema_hash, row_count, quarantined_count, rows_read, fetched_at, columns)
     VALUES (md5(random()::text) || $1, $1, '{"kind":"bench"}', 'bench', 100, 0, 100, now(), '[]') RETURNING id`,
    [pipeline],
  );
  const snapshotId = Number(snapshot.rows[0]?.id);
  await pool.query('INSERT INTO pipeline_snapshots (pipeline, snapshot_id) VALUES ($1, $2)', [pipeline, snapshotId]);
  await pool.query(
    `INSERT INTO model_versions (model_name, version, run_key, trainer, params, features, artifact, artifact_digest, training_snapshot_ids, code_version, metrics, created_at)
     SELECT $1, v, 'bench-' || v, 'ridge', '{"alpha":1}', '["x"]', '{}', md5(v::text), ARRAY[$2::bigint], 'bench',
            jsonb_build_object('rmse', 80 + 10 * sin(v / 20.0), 'mae', 60 + 8 * sin(v / 20.0), 'r2', 0.5, 'smape', 40),
            now() - (($3 - v) || ' hours')::interval
     FROM generate_series(1, $3) v`,
    [model, snapshotId, size.versions],
  );
  await pool.query(
    `INSERT INTO audit_log (actor, action, model_name, version_id, reason, at)
     SELECT 'bench', 'promote', $1, id, 'beat the champion', created_at FROM model_versions WHERE model_name = $1 AND version % 10 = 1`,
    [model],
  );
  await pool.query(
    `INSERT INTO model_aliases (model_name, alias, version_id)
     SELECT $1, 'champion', id FROM model_versions WHERE model_name = $1 ORDER BY version DESC LIMIT 1`,
    [model],
  );
  await pool.query(
    `INSERT INTO evaluations (version_id, snapshot_id, workflow_id, holdout_start, metrics, gates, model_tests, passed)
     SELECT id, $2, 'bench-eval-' || version, '2014-01-01', metrics, '[]', '[]', version % 7 <> 0 FROM model_versions WHERE model_name = $1`,
    [model, snapshotId],
  );
  await pool.query(
    `INSERT INTO training_runs (model_name, run_key, workflow_id, run_id, snapshot_id, outcome, duration_ms, norm_ms, norm_basis, finished_at)
     SELECT $1, $1 || '-run-' || r, $1 || '-wf-' || r, 'run-' || r, $2,
            CASE WHEN r % 50 = 0 THEN 'cancelled_over_norm' ELSE 'succeeded' END,
            CASE WHEN r % 50 = 0 THEN 9000 ELSE 3000 + (r % 17) * 200 END, 8000, 'p95', now() - (($3 - r) || ' minutes')::interval
     FROM generate_series(1, $3) r`,
    [model, snapshotId, size.runs],
  );
  const champion = await pool.query<{ id: string }>("SELECT version_id AS id FROM model_aliases WHERE model_name = $1 AND alias = 'champion'", [model]);
  const check = syntheticDriftCheck();
  for (let i = 0; i < size.driftReports; i += 1) {
    await saveDriftReport(pool, {
      pipeline,
      modelName: model,
      championVersionId: Number(champion.rows[0]?.id),
      referenceSnapshotIds: [snapshotId],
      currentSnapshotId: snapshotId,
      workflowId: `${pipeline}-drift-${i}`,
      runId: 'bench',
      check,
    });
  }
  return model;
}

/** A real drift comparison of two synthetic datasets: one column shifted, one stable, one categorical. */
export function syntheticDriftCheck(columnNames = { shifted: 'price', stable: 'quantity', category: 'region' }) {
  const rows = (n: number, shift: number) =>
    Array.from({ length: n }, (_, i) => ({
      [columnNames.shifted]: ((i * 37) % 100) + shift,
      [columnNames.stable]: (i * 53) % 40,
      [columnNames.category]: ['north', 'south', 'east', 'west'][(i + (shift > 0 ? i % 3 : 0)) % 4] as string,
    }));
  const columns = {
    [columnNames.shifted]: ColumnSpec.parse({ type: 'numeric' }),
    [columnNames.stable]: ColumnSpec.parse({ type: 'numeric' }),
    [columnNames.category]: ColumnSpec.parse({ type: 'categorical' }),
  };
  const data = compareDatasets(frameOfRows(rows(500, 0), columns), frameOfRows(rows(400, 30), columns), columns);
  return assembleDriftCheck({
    data,
    target: { column: columnNames.stable, verdict: 'stable' },
    prediction: { column: 'prediction', type: 'numeric', reason: 'no champion predictions in a benchmark' },
    accuracy: { reason: 'no labels in a benchmark' },
    window: { from: '2008-01-01T00:00:00.000Z', to: '2009-12-31T00:00:00.000Z', checkedAt: new Date().toISOString() },
    annotations: [],
  });
}
