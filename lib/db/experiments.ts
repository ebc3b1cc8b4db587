import type { Pool } from './pool';

export type ExperimentStatus = 'running' | 'completed' | 'stopped' | 'failed';
export type CellStatus = 'done' | 'failed' | 'cancelled';

export interface NewExperiment {
  name: string;
  pipeline: string;
  /** The experiment spec as validated: every cell is derived from it again, so it is stored whole. */
  spec: unknown;
  /** The pipeline spec as the experiment started, and its folder (a module trainer's path is relative to it). */
  pipelineSpec: unknown;
  specDir: string;
  snapshotId: number;
  cellCount: number;
  requestedBy: string;
  workflowId: string;
}

export interface ExperimentRecord extends NewExperiment {
  id: number;
  status: ExperimentStatus;
  startedAt: string;
  finishedAt?: string;
  /** What lib/experiments/analysis.ts made of the stored cells, once the experiment ended. */
  analysis?: unknown;
}

/** One cell as it ended: its replicate scores when done, why not otherwise. */
export interface StoredCell {
  experimentId: number;
  cellIndex: number;
  levels: Record<string, unknown>;
  /** One score of `metric` per fold (its seeds averaged); absent unless done. */
  scores?: number[];
  metric: string;
  status: CellStatus;
  reason?: string;
  durationMs: number;
}

interface ExperimentRow {
  id: string;
  name: string;
  pipeline: string;
  spec: unknown;
  pipeline_spec: unknown;
  spec_dir: string;
  snapshot_id: string;
  cell_count: number;
  status: ExperimentStatus;
  requested_by: string;
  workflow_id: string;
  started_at: Date;
  finished_at: Date | null;
  analysis: unknown;
}

const EXPERIMENT_COLUMNS = 'id, name, pipeline, spec, pipeline_spec, spec_dir, snapshot_id, cell_count, status, requested_by, workflow_id, started_at, finished_at, analysis';

function experimentOf(row: ExperimentRow): ExperimentRecord {
  return {
    id: Number(row.id),
    name: row.name,
    pipeline: row.pipeline,
    spec: row.spec,
    pipelineSpec: row.pipeline_spec,
    specDir: row.spec_dir,
    snapshotId: Number(row.snapshot_id),
    cellCount: row.cell_count,
    status: row.status,
    requestedBy: row.requested_by,
    workflowId: row.workflow_id,
    startedAt: row.started_at.toISOString(),
    ...(row.finished_at ? { finishedAt: row.finished_at.toISOString() } : {}),
    ...(row.analysis === null ? {} : { analysis: row.analysis }),
  };
}

/**
 * Records an experiment once per workflow: a retried activity, or the same workflow after a
 * continue-as-new, finds the row it wrote (its spec and snapshot as first recorded).
 */
export async function recordExperiment(pool: Pool, e: NewExperiment): Promise<ExperimentRecord> {
  const result = await pool.query<ExperimentRow>(
    `INSERT INTO experiments (name, pipeline, spec, pipeline_spec, spec_dir, snapshot_id, cell_count, requested_by, workflow_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (workflow_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id
     RETURNING ${EXPERIMENT_COLUMNS}`,
    [e.name, e.pipeline, JSON.stringify(e.spec), JSON.stringify(e.pipelineSpec), e.specDir, e.snapshotId, e.cellCount, e.requestedBy, e.workflowId],
  );
  return experimentOf(result.rows[0] as ExperimentRow);
}

export async function getExperiment(pool: Pool, id: number): Promise<ExperimentRecord | undefined> {
  const result = await pool.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE id = $1`, [id]);
  return result.rows[0] && experimentOf(result.rows[0]);
}

/** The experiment a workflow recorded, if it did. */
export async function experimentOfWorkflow(pool: Pool, workflowId: string): Promise<ExperimentRecord | undefined> {
  const result = await pool.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE workflow_id = $1`, [workflowId]);
  return result.rows[0] && experimentOf(result.rows[0]);
}

/** The experiment a person names: by id, by its workflow id, or the newest run of that experiment name. */
export async function findExperiment(pool: Pool, ref: string): Promise<ExperimentRecord | undefined> {
  const id = /^\d+$/.test(ref) ? Number(ref) : -1;
  const result = await pool.query<ExperimentRow>(
    `SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE id = $1 OR workflow_id = $2 OR name = $2
     ORDER BY (id = $1) DESC, (workflow_id = $2) DESC, started_at DESC, id DESC LIMIT 1`,
    [id, ref],
  );
  return result.rows[0] && experimentOf(result.rows[0]);
}

/** A pipeline's experiments, newest first. */
export async function pipelineExperiments(pool: Pool, pipeline: string, limit = 20): Promise<ExperimentRecord[]> {
  const result = await pool.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE pipeline = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, [pipeline, limit]);
  return result.rows.map(experimentOf);
}

/**
 * Marks an experiment that failed outright as failed, with why (in the shape of a stored analysis
 * that has no cells: a recommendation to keep); an experiment that already ended keeps its record.
 */
export async function failExperiment(pool: Pool, id: number, reason: string): Promise<void> {
  const analysis = { recommendation: { action: 'keep', reason: `the experiment failed: ${reason}` } };
  await pool.query("UPDATE experiments SET status = 'failed', analysis = $2, finished_at = now() WHERE id = $1 AND status = 'running'", [id, JSON.stringify(analysis)]);
}

/** Ends the experiment with its analysis; a retry writes the same again. */
export async function finishExperiment(pool: Pool, id: number, status: Exclude<ExperimentStatus, 'running'>, analysis: unknown): Promise<void> {
  await pool.query('UPDATE experiments SET status = $2, analysis = $3, finished_at = coalesce(finished_at, now()) WHERE id = $1', [id, status, JSON.stringify(analysis)]);
}

interface CellRow {
  experiment_id: string;
  cell_index: number;
  levels: Record<string, unknown>;
  scores: number[] | null;
  metric: string;
  status: CellStatus;
  reason: string | null;
  duration_ms: number;
}

const CELL_COLUMNS = 'experiment_id, cell_index, levels, scores, metric, status, reason, duration_ms';

function cellOf(row: CellRow): StoredCell {
  return {
    experimentId: Number(row.experiment_id),
    cellIndex: row.cell_index,
    levels: row.levels,
    ...(row.scores === null ? {} : { scores: row.scores }),
    metric: row.metric,
    status: row.status,
    ...(row.reason === null ? {} : { reason: row.reason }),
    durationMs: row.duration_ms,
  };
}

/**
 * Stores how cells ended, once each: the first write of a cell wins and is returned to every later
 * one, so a cell scored by an attempt that a crash hid from the workflow is never written (or run)
 * again. One round trip for all of them: a batch of quick cells stores what ended since its last write.
 */
export async function saveCells(pool: Pool, cells: StoredCell[]): Promise<StoredCell[]> {
  if (cells.length === 0) return [];
  const values = cells.map((_, i) => `(${Array.from({ length: 8 }, (__, j) => `$${i * 8 + j + 1}`).join(', ')})`).join(', ');
  const params = cells.flatMap((cell) => [
    cell.experimentId,
    cell.cellIndex,
    JSON.stringify(cell.levels),
    cell.scores === undefined ? null : JSON.stringify(cell.scores),
    cell.metric,
    cell.status,
    cell.reason ?? null,
    Math.round(cell.durationMs),
  ]);
  const inserted = await pool.query<CellRow>(`INSERT INTO experiment_cells (${CELL_COLUMNS}) VALUES ${values} ON CONFLICT (experiment_id, cell_index) DO NOTHING RETURNING ${CELL_COLUMNS}`, params);
  const stored = new Map(inserted.rows.map((row) => [row.cell_index, cellOf(row)]));
  // Cells a first write had already stored: read what it wrote.
  const earlier = cells.filter((cell) => !stored.has(cell.cellIndex)).map((cell) => cell.cellIndex);
  if (earlier.length > 0) for (const [index, cell] of await storedCells(pool, cells[0]?.experimentId as number, earlier)) stored.set(index, cell);
  return cells.map((cell) => stored.get(cell.cellIndex) as StoredCell);
}

/** The cells of `cellIndexes` that ended, by index. */
export async function storedCells(pool: Pool, experimentId: number, cellIndexes: number[]): Promise<Map<number, StoredCell>> {
  const result = await pool.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM experiment_cells WHERE experiment_id = $1 AND cell_index = ANY($2::int[])`, [experimentId, cellIndexes]);
  return new Map(result.rows.map((row) => [row.cell_index, cellOf(row)]));
}

/** Every cell of the experiment that ended, in design order. */
export async function experimentCells(pool: Pool, experimentId: number): Promise<StoredCell[]> {
  const result = await pool.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM experiment_cells WHERE experiment_id = $1 ORDER BY cell_index`, [experimentId]);
  return result.rows.map(cellOf);
}

/** The experiment and cell a version's pipeline run was promoted from, as its lineage shows them. */
export interface PromotedFrom {
  experimentId: number;
  name: string;
  cellIndex: number;
  levels: Record<string, unknown>;
  requestedBy: string;
  /** The pipeline run `experiment promote` started. */
  workflowId: string;
}

/** Records that `workflowId` is a pipeline run promoting the experiment's cell (once: a repeat keeps the first). */
export async function recordPromotion(pool: Pool, p: Omit<PromotedFrom, 'name'>): Promise<void> {
  await pool.query(
    'INSERT INTO experiment_promotions (workflow_id, experiment_id, cell_index, levels, requested_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workflow_id) DO NOTHING',
    [p.workflowId, p.experimentId, p.cellIndex, JSON.stringify(p.levels), p.requestedBy],
  );
}

/** The promotion a version came from: its training run belongs to (or is) a pipeline run `experiment promote` started. */
export async function promotionOfVersion(pool: Pool, versionId: number): Promise<PromotedFrom | undefined> {
  const result = await pool.query<{ experiment_id: string; name: string; cell_index: number; levels: Record<string, unknown>; requested_by: string; workflow_id: string }>(
    `SELECT p.experiment_id, e.name, p.cell_index, p.levels, p.requested_by, p.workflow_id
     FROM training_runs r
     JOIN experiment_promotions p ON r.workflow_id = p.workflow_id OR starts_with(r.workflow_id, p.workflow_id || '/')
     JOIN experiments e ON e.id = p.experiment_id
     WHERE r.version_id = $1
     ORDER BY p.created_at LIMIT 1`,
    [versionId],
  );
  const row = result.rows[0];
  return row && { experimentId: Number(row.experiment_id), name: row.name, cellIndex: row.cell_index, levels: row.levels, requestedBy: row.requested_by, workflowId: row.workflow_id };
}
