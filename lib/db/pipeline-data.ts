import type { ArrivalSpec } from '../arrival/arrival-spec';
import { DataWindow, orderPipelineData, type PipelineData } from '../arrival/pipeline-data';
import { type LoadProgress, loadSnapshotColumns } from '../data/columns/load-snapshot-columns';
import type { Pool } from './pool';
import { getSnapshotColumns } from './snapshots';

interface PipelineShape {
  name: string;
  timeColumn?: string;
  arrival: ArrivalSpec;
}

/**
 * The pipeline's data as of a snapshot: that snapshot itself when each ingest reads the whole
 * history, or every batch the pipeline had received by the time that snapshot first arrived.
 * Loaded as columns — only `columns` when named (a batch without one of them has it as null) —
 * with `onProgress` called with the rows read so far, often enough to heartbeat on.
 */
export async function loadPipelineData(
  pool: Pool,
  pipeline: PipelineShape,
  asOfSnapshotId: number,
  options: { columns?: readonly string[]; onProgress?: LoadProgress } = {},
): Promise<PipelineData> {
  const ids = pipeline.arrival.mode === 'batches' ? await batchesUpTo(pool, pipeline.name, asOfSnapshotId) : [asOfSnapshotId];
  const read = new Map<number, number>();
  const progress = (snapshotId: number) => (rows: number) => {
    read.set(snapshotId, rows);
    options.onProgress?.([...read.values()].reduce((sum, n) => sum + n, 0));
  };
  const parts = await Promise.all(
    ids.map(async (snapshotId) => ({ snapshotId, table: await loadSnapshotColumns(pool, snapshotId, await columnsHeld(pool, snapshotId, options.columns), progress(snapshotId)) })),
  );
  return orderPipelineData(parts, pipeline.timeColumn);
}

/** The columns asked for that the snapshot has (all of them when none were asked for). */
async function columnsHeld(pool: Pool, snapshotId: number, columns: readonly string[] | undefined): Promise<readonly string[] | undefined> {
  if (columns === undefined) return undefined;
  const stored = new Set((await getSnapshotColumns(pool, snapshotId)).map((column) => column.name));
  return [...new Set(columns)].filter((name) => stored.has(name));
}

/** The pipeline's batches in the order they first arrived, up to and including `asOfSnapshotId`. */
async function batchesUpTo(pool: Pool, pipeline: string, asOfSnapshotId: number): Promise<number[]> {
  const result = await pool.query<{ snapshot_id: string }>(
    `SELECT p.snapshot_id FROM pipeline_snapshots p
     WHERE p.pipeline = $1
       AND (p.first_ingested_at, p.snapshot_id) <= (SELECT first_ingested_at, snapshot_id FROM pipeline_snapshots WHERE pipeline = $1 AND snapshot_id = $2)
     ORDER BY p.first_ingested_at, p.snapshot_id`,
    [pipeline, asOfSnapshotId],
  );
  const ids = result.rows.map((r) => Number(r.snapshot_id));
  if (!ids.includes(asOfSnapshotId)) throw new Error(`snapshot ${asOfSnapshotId} was never ingested by pipeline "${pipeline}"`);
  return ids;
}

/** The current side of the pipeline's most recent data drift check (serving checks have their own), if any check stored one. */
export async function previousCheckWindow(pool: Pool, pipeline: string): Promise<DataWindow | undefined> {
  const result = await pool.query<{ current: unknown }>(
    `SELECT report->'sides'->'current' AS current FROM drift_reports
     WHERE pipeline = $1 AND kind = 'data' AND report ? 'sides' ORDER BY created_at DESC, id DESC LIMIT 1`,
    [pipeline],
  );
  const stored = result.rows[0]?.current;
  return stored ? DataWindow.parse(stored) : undefined;
}
