import { DriftCheck } from '../../drift/drift-check';
import { championLiveAccuracy, type LiveAccuracy } from '../../serving/live-accuracy';
import type { PipelineSpec } from '../../spec/pipeline-spec';
import type { Pool } from '../pool';

/** Predictions a model logged on one day (UTC), per version. */
export interface VolumePoint {
  day: string;
  version: number;
  predictions: number;
}

/** The newest serving check of a pipeline: its verdict, what it compared and the performance estimated. */
export interface LatestServingCheck {
  id: number;
  verdict: string;
  createdAt: Date;
  reasons: string[];
  served: NonNullable<DriftCheck['served']>;
}

/** What the model page shows of the model at work: volume, live accuracy, the latest serving check. */
export interface ServingPanel {
  volume: VolumePoint[];
  /** Undefined without a champion, or when the pipeline's spec cannot be read. */
  live?: LiveAccuracy;
  latest?: LatestServingCheck;
}

/** Days of prediction volume the page charts. */
const VOLUME_DAYS = 30;

export async function loadServingPanel(pool: Pool, model: string, pipeline: string, spec: PipelineSpec | undefined): Promise<ServingPanel> {
  const [volume, latest, live] = await Promise.all([predictionVolume(pool, model), latestServingCheck(pool, pipeline), spec ? championLiveAccuracy(pool, spec) : undefined]);
  return { volume, ...(latest && { latest }), ...(live && { live }) };
}

/** Predictions per day and version over the last VOLUME_DAYS days, oldest first. */
async function predictionVolume(pool: Pool, model: string): Promise<VolumePoint[]> {
  const result = await pool.query<{ day: string; version: number; predictions: string }>(
    `SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, version, count(*) AS predictions
       FROM predictions WHERE model = $1 AND created_at >= now() - make_interval(days => $2)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [model, VOLUME_DAYS],
  );
  return result.rows.map((r) => ({ day: r.day, version: r.version, predictions: Number(r.predictions) }));
}

async function latestServingCheck(pool: Pool, pipeline: string): Promise<LatestServingCheck | undefined> {
  const result = await pool.query(
    `SELECT id, verdict, created_at, report FROM drift_reports WHERE pipeline = $1 AND kind = 'serving' ORDER BY created_at DESC, id DESC LIMIT 1`,
    [pipeline],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const check = DriftCheck.parse(row.report);
  return check.served && { id: Number(row.id), verdict: row.verdict, createdAt: row.created_at, reasons: check.reasons, served: check.served };
}
