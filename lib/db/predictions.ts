import type { DbClient, Pool } from './pool';

/** One logged prediction: a regressor's number, or a classifier's class with its probabilities. */
export interface PredictionRow {
  /** A uuid; PostgreSQL makes one when absent. */
  predictionId?: string;
  pipeline: string;
  model: string;
  version: number;
  /** A scoring run's batch id, or an online request's, unique across pipelines (a workflow id, a uuid): (batchId, rowKey) is written once. */
  batchId: string;
  /** The row's identity, which actuals are joined on. */
  rowKey: string;
  /** The row's own time (ISO 8601), when the pipeline has a time column. */
  at?: string | null;
  prediction?: number | null;
  predictedClass?: string | null;
  /** {class: probability} for a classifier. */
  probabilities?: Record<string, number> | null;
  /** lib/serving/input-digest.ts: what the model saw. */
  inputDigest: string;
  /** The values of the columns the version reads, as scored: what serving drift compares (migration 0017). */
  inputs?: Record<string, unknown> | null;
  source: 'batch' | 'online';
}

/**
 * Writes a batch of predictions in one statement, so in one transaction: all of them or none.
 * Rows already logged under the same (batch id, row key) are skipped, so a retried chunk writes
 * nothing twice. Returns how many rows were new.
 */
export async function insertPredictions(db: Pool | DbClient, rows: readonly PredictionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <T>(pick: (row: PredictionRow) => T) => rows.map(pick);
  const result = await db.query(
    `INSERT INTO predictions (prediction_id, pipeline, model, version, batch_id, row_key, at, prediction,
                              predicted_class, probabilities, input_digest, source, inputs)
     SELECT coalesce(p.prediction_id, gen_random_uuid()::text), p.pipeline, p.model, p.version, p.batch_id, p.row_key,
            p.at, p.prediction, p.predicted_class, p.probabilities, p.input_digest, p.source, p.inputs
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::timestamptz[],
                   $8::float8[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::jsonb[])
            AS p(prediction_id, pipeline, model, version, batch_id, row_key, at, prediction,
                 predicted_class, probabilities, input_digest, source, inputs)
     ON CONFLICT DO NOTHING`,
    [
      column((r) => r.predictionId ?? null),
      column((r) => r.pipeline),
      column((r) => r.model),
      column((r) => r.version),
      column((r) => r.batchId),
      column((r) => r.rowKey),
      column((r) => r.at ?? null),
      column((r) => r.prediction ?? null),
      column((r) => r.predictedClass ?? null),
      column((r) => (r.probabilities ? JSON.stringify(r.probabilities) : null)),
      column((r) => r.inputDigest),
      column((r) => r.source),
      column((r) => (r.inputs ? JSON.stringify(r.inputs) : null)),
    ],
  );
  return result.rowCount ?? 0;
}

/** An observed outcome: a regressor's value or a classifier's class. */
export interface ActualRow {
  rowKey: string;
  value?: number | null;
  class?: string | null;
}

/**
 * Records outcomes in one statement (all or none); a row key already recorded takes the newer
 * value. Returns how many were recorded and how many of them match a logged prediction.
 */
export async function recordActuals(
  db: Pool | DbClient,
  pipeline: string,
  rows: readonly ActualRow[],
  recordedBy: string,
): Promise<{ recorded: number; matched: number }> {
  if (rows.length === 0) return { recorded: 0, matched: 0 };
  const result = await db.query<{ recorded: string; matched: string }>(
    `WITH written AS (
       INSERT INTO actuals (pipeline, row_key, value, class, recorded_by)
       SELECT $1, a.row_key, a.value, a.class, $5
         FROM unnest($2::text[], $3::float8[], $4::text[]) AS a(row_key, value, class)
       ON CONFLICT (pipeline, row_key) DO UPDATE
         SET value = EXCLUDED.value, class = EXCLUDED.class, recorded_at = now(), recorded_by = EXCLUDED.recorded_by
       RETURNING row_key
     )
     SELECT count(*) AS recorded,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM predictions p WHERE p.pipeline = $1 AND p.row_key = w.row_key)) AS matched
       FROM written w`,
    [pipeline, rows.map((r) => r.rowKey), rows.map((r) => r.value ?? null), rows.map((r) => r.class ?? null), recordedBy],
  );
  const counts = result.rows[0] as { recorded: string; matched: string };
  return { recorded: Number(counts.recorded), matched: Number(counts.matched) };
}

/** A logged prediction with the outcome that was observed for its row. */
export interface JoinedOutcome {
  predictionId: string;
  rowKey: string;
  model: string;
  version: number;
  /** The row's time, else when it was predicted (ISO 8601). */
  at: string;
  prediction: number | null;
  predictedClass: string | null;
  probabilities: Record<string, number> | null;
  actualValue: number | null;
  actualClass: string | null;
}

/** What to join: the newest `window` outcomes, optionally only one version's. */
export interface OutcomeWindow {
  /** Most recent joined outcomes to return (by the row's time). */
  limit: number;
  /** Only this version's predictions (the version in service), when set. */
  version?: number;
}

/**
 * The newest joined outcomes of a pipeline, oldest first (the order accuracy decay reads), with
 * how many joined outcomes there are in all. A row key predicted more than once (re-scored) counts
 * once, with its latest prediction.
 */
export async function joinedOutcomes(pool: Pool, pipeline: string, window: OutcomeWindow): Promise<{ outcomes: JoinedOutcome[]; available: number }> {
  const result = await pool.query<{
    prediction_id: string;
    row_key: string;
    model: string;
    version: number;
    at: Date;
    prediction: number | null;
    predicted_class: string | null;
    probabilities: Record<string, number> | null;
    actual_value: number | null;
    actual_class: string | null;
    available: string;
  }>(
    `SELECT *, count(*) OVER () AS available FROM (
       SELECT DISTINCT ON (p.row_key)
              p.prediction_id, p.row_key, p.model, p.version, coalesce(p.at, p.created_at) AS at, p.prediction,
              p.predicted_class, p.probabilities, a.value AS actual_value, a.class AS actual_class
         FROM predictions p
         JOIN actuals a ON a.pipeline = p.pipeline AND a.row_key = p.row_key
        WHERE p.pipeline = $1 AND ($2::int IS NULL OR p.version = $2)
        ORDER BY p.row_key, p.created_at DESC, p.id DESC
     ) AS latest
     ORDER BY at DESC, row_key DESC
     LIMIT $3`,
    [pipeline, window.version ?? null, window.limit],
  );
  const outcomes = result.rows.reverse().map((row) => ({
    predictionId: row.prediction_id,
    rowKey: row.row_key,
    model: row.model,
    version: row.version,
    at: row.at.toISOString(),
    prediction: row.prediction,
    predictedClass: row.predicted_class,
    probabilities: row.probabilities,
    actualValue: row.actual_value,
    actualClass: row.actual_class,
  }));
  return { outcomes, available: Number(result.rows[0]?.available ?? 0) };
}
