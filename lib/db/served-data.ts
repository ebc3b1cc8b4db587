import { tableFromBytes } from '../data/columns/table-bytes';
import type { ColumnTable } from '../data/columns/column-table';
import type { Pool } from './pool';

/** A logged prediction, for prediction drift and estimated performance; with what the model saw when the log kept it. */
export interface ServedPrediction {
  version: number;
  /** When it was logged (ISO 8601). */
  loggedAt: string;
  /** Null for batch predictions (their inputs are kept per chunk, in scored_chunks) and those logged before migration 0017. */
  inputs: Record<string, unknown> | null;
  prediction: number | null;
  probabilities: Record<string, number> | null;
}

/**
 * The predictions a model logged after `since` (all when null), batch and online, oldest first,
 * at most `limit` of the newest, with how many there were in all.
 */
export async function servedSince(
  pool: Pool,
  pipeline: string,
  model: string,
  since: string | null,
  limit: number,
): Promise<{ rows: ServedPrediction[]; total: number }> {
  // Logged times keep PostgreSQL's microseconds: the next check starts strictly after the last one compared.
  const result = await pool.query<{ version: number; logged_at: string; inputs: Record<string, unknown> | null; prediction: number | null; probabilities: Record<string, number> | null; total: string }>(
    `SELECT version, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS logged_at, inputs, prediction, probabilities, count(*) OVER () AS total
       FROM predictions
      WHERE pipeline = $1 AND model = $2 AND ($3::timestamptz IS NULL OR created_at > $3)
      ORDER BY created_at DESC, id DESC
      LIMIT $4`,
    [pipeline, model, since, limit],
  );
  const rows = result.rows.reverse().map((row) => ({
    version: row.version,
    loggedAt: row.logged_at,
    inputs: row.inputs,
    prediction: row.prediction,
    probabilities: row.probabilities,
  }));
  return { rows, total: Number(result.rows[0]?.total ?? 0) };
}

/**
 * The model inputs of the chunks batch scoring wrote for a model from `from` to `to` (both
 * included: a chunk's predictions are logged at its own created_at), oldest first, each chunk
 * whole, as the tables the scoring run stored.
 */
export async function scoredChunkInputs(pool: Pool, pipeline: string, model: string, window: { from: string; to: string }): Promise<ColumnTable[]> {
  const result = await pool.query<{ inputs: Buffer }>(
    `SELECT inputs FROM scored_chunks
      WHERE pipeline = $1 AND model = $2 AND created_at >= $3 AND created_at <= $4
      ORDER BY created_at, batch_id, chunk`,
    [pipeline, model, window.from, window.to],
  );
  return result.rows.map((row) => tableFromBytes(row.inputs));
}

/** Where the pipeline's previous serving check ended (the last prediction it compared), null before the first. */
export async function previousServingCheckEnd(pool: Pool, pipeline: string): Promise<string | null> {
  const result = await pool.query<{ to: string | null }>(
    `SELECT report->'served'->>'to' AS to FROM drift_reports WHERE pipeline = $1 AND kind = 'serving' ORDER BY created_at DESC, id DESC LIMIT 1`,
    [pipeline],
  );
  return result.rows[0]?.to ?? null;
}

/** One logged prediction as `driftline predictions` lists it. */
export interface LoggedPrediction {
  predictionId: string;
  pipeline: string;
  model: string;
  version: number;
  batchId: string;
  rowKey: string;
  source: 'batch' | 'online';
  at: string | null;
  loggedAt: string;
  prediction: number | null;
  predictedClass: string | null;
  probabilities: Record<string, number> | null;
  inputDigest: string;
  /** The outcome recorded for its row key, if any. */
  actual: number | string | null;
}

/** A model's logged predictions after `since` (all when undefined), newest first, at most `limit`; or the one with `predictionId`. */
export async function listPredictions(
  pool: Pool,
  filter: { model: string; since?: string; limit: number } | { predictionId: string },
): Promise<LoggedPrediction[]> {
  const byId = 'predictionId' in filter;
  const result = await pool.query(
    `SELECT p.prediction_id, p.pipeline, p.model, p.version, p.batch_id, p.row_key, p.source, p.at, p.created_at, p.prediction,
            p.predicted_class, p.probabilities, p.input_digest, a.value AS actual_value, a.class AS actual_class
       FROM predictions p LEFT JOIN actuals a ON a.pipeline = p.pipeline AND a.row_key = p.row_key
      WHERE ${byId ? 'p.prediction_id = $1' : 'p.model = $1 AND ($2::timestamptz IS NULL OR p.created_at >= $2)'}
      ORDER BY p.created_at DESC, p.id DESC
      LIMIT ${byId ? '1' : '$3'}`,
    byId ? [filter.predictionId] : [filter.model, filter.since ?? null, filter.limit],
  );
  return result.rows.map((row) => ({
    predictionId: row.prediction_id,
    pipeline: row.pipeline,
    model: row.model,
    version: row.version,
    batchId: row.batch_id,
    rowKey: row.row_key,
    source: row.source,
    at: row.at ? (row.at as Date).toISOString() : null,
    loggedAt: (row.created_at as Date).toISOString(),
    prediction: row.prediction,
    predictedClass: row.predicted_class,
    probabilities: row.probabilities,
    inputDigest: row.input_digest,
    actual: row.actual_class ?? row.actual_value ?? null,
  }));
}

/** Where the holdout of a version's newest evaluation starts (its key): the reference period of estimated performance. */
export async function holdoutStartOf(pool: Pool, versionId: number): Promise<string | undefined> {
  const result = await pool.query<{ holdout_start: string }>('SELECT holdout_start FROM evaluations WHERE version_id = $1 ORDER BY id DESC LIMIT 1', [versionId]);
  return result.rows[0]?.holdout_start;
}
