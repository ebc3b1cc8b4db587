import { Context, log } from '@temporalio/activity';
import { experimentCells, experimentOfWorkflow, failExperiment, finishExperiment, getCell, getExperiment, recordExperiment, saveCell, type ExperimentRecord, type StoredCell } from '../lib/db/experiments';
import { getAliasedVersion } from '../lib/db/model-registry';
import { analyseExperiment, type CellResult } from '../lib/experiments/analysis';
import { currentLevels, configureCell, describeLevels } from '../lib/experiments/cell-config';
import { designCells, type DesignCell } from '../lib/experiments/design';
import { cellCount, type ExperimentSpec } from '../lib/experiments/experiment-spec';
import { checkAgainstPipeline, loadExperimentSpec, parseExperimentSpec } from '../lib/experiments/load-experiment';
import { isSeeded, type CellScores } from '../lib/experiments/score-cell';
import { DriftlineError } from '../lib/errors';
import { higherIsBetter } from '../lib/model/metrics';
import { resolveTrainer } from '../lib/model/model-artifact';
import type { RuntimeNorm } from '../lib/norms/runtime-norm';
import { loadPipelineSpec } from '../lib/spec/load-spec';
import { PipelineSpec } from '../lib/spec/pipeline-spec';
import { trainingStartedSignal } from '../workflows/messages';
import type { CellJob, CellMessage } from './experiment/cell-thread';
import type { ActivityDeps } from './deps';
import { heartbeatWhile } from './heartbeat';
import { makeNorms } from './norms';
import { resultFromThread } from './threads/result-from-thread';
import { databaseUrlOf } from './train';
import { signalOwnWorkflow } from './training/progress';
import { startTrainingLoad } from './training/worker-load';

const CELL_ENTRY = new URL('./experiment/cell-thread.ts', import.meta.url);

/** What the workflow needs to run an experiment: ids, counts and limits, never the data. */
export interface ExperimentPlan {
  experimentId: number;
  name: string;
  pipeline: string;
  cellCount: number;
  parallel: number;
  maxMinutes: number;
  metric: string;
  lowerIsBetter: boolean;
  snapshotId: number;
  /** The runtime norm each cell is held to: the pipeline's training norm. */
  norm: RuntimeNorm;
  trainingTaskQueue?: string;
}

export interface StartExperimentInput {
  /** A file's name under `experiments/`, or the spec itself. */
  experiment: string | Record<string, unknown>;
  requestedBy: string;
  snapshotId?: number;
  workflowId: string;
}

/** How a cell ended, as the workflow counts it. */
export interface CellOutcome {
  cellIndex: number;
  status: StoredCell['status'];
  /** The mean over its replicates, when done. */
  mean?: number;
  reason?: string;
}

export interface ExperimentCounts {
  done: number;
  failed: number;
  cancelled: number;
}

export interface ExperimentProgress {
  /** Cells of [from, to) that already ended: they are not run again. */
  ended: number[];
  counts: ExperimentCounts;
  best?: { cellIndex: number; mean: number };
}

/** The small ending that travels through history; the full analysis is stored with the experiment. */
export interface ExperimentSummary {
  experimentId: number;
  status: 'completed' | 'stopped';
  counts: ExperimentCounts;
  best?: { cellIndex: number; mean: number; levels: string };
  expectedRange?: string;
  recommendation: string;
}

function specsOf(experiment: ExperimentRecord): { spec: ExperimentSpec; pipeline: PipelineSpec } {
  return { spec: parseExperimentSpec(experiment.spec), pipeline: PipelineSpec.parse(experiment.pipelineSpec) };
}

async function experimentById(deps: ActivityDeps, experimentId: number): Promise<ExperimentRecord> {
  const experiment = await getExperiment(deps.pool, experimentId);
  if (!experiment) throw new DriftlineError('InvalidInput', `experimentId: no experiment ${experimentId}`);
  return experiment;
}

function cellOf(spec: ExperimentSpec, cellIndex: number): DesignCell {
  const cell = designCells(spec)[cellIndex];
  if (!cell) throw new DriftlineError('InvalidInput', `cellIndex: the design has no cell ${cellIndex}`);
  return cell;
}

function outcomeOf(cell: StoredCell): CellOutcome {
  return { cellIndex: cell.cellIndex, status: cell.status, ...(cell.scores ? { mean: mean(cell.scores) } : {}), ...(cell.reason ? { reason: cell.reason } : {}) };
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

export function makeExperiment(deps: ActivityDeps) {
  const norms = makeNorms(deps);

  /**
   * Records the experiment once per workflow (a continue-as-new or a retry finds the row): the
   * spec validated against its pipeline, the snapshot every cell is scored on (the pipeline's
   * newest unless given), and the pipeline spec as it is now, so every cell varies the same one.
   */
  async function startExperiment(input: StartExperimentInput): Promise<ExperimentPlan> {
    const experiment = (await experimentOfWorkflow(deps.pool, input.workflowId)) ?? (await recordNew(input));
    const { spec, pipeline } = specsOf(experiment);
    const norm = await norms.computeRuntimeNorm({ modelName: pipeline.model.name, policy: pipeline.training.norm });
    const metric = pipeline.evaluation.primaryMetric;
    return {
      experimentId: experiment.id,
      name: spec.name,
      pipeline: pipeline.name,
      cellCount: experiment.cellCount,
      parallel: spec.budget.parallel,
      maxMinutes: spec.budget.maxMinutes,
      metric,
      lowerIsBetter: !higherIsBetter(metric),
      snapshotId: experiment.snapshotId,
      norm,
      ...(deps.trainingTaskQueue ? { trainingTaskQueue: deps.trainingTaskQueue } : {}),
    };
  }

  async function recordNew(input: StartExperimentInput): Promise<ExperimentRecord> {
    const spec = typeof input.experiment === 'string' ? await loadExperimentSpec(input.experiment, deps.pipelinesDir) : parseExperimentSpec(input.experiment, 'Inline experiment');
    const { spec: pipeline, dir } = await loadPipelineSpec(spec.pipeline, deps.pipelinesDir);
    checkAgainstPipeline(spec, pipeline);
    const { snapshotId } = await norms.resolveSnapshot({ pipeline: pipeline.name, snapshotId: input.snapshotId });
    return recordExperiment(deps.pool, {
      name: spec.name,
      pipeline: pipeline.name,
      spec,
      pipelineSpec: pipeline,
      specDir: dir,
      snapshotId,
      cellCount: cellCount(spec),
      requestedBy: input.requestedBy,
      workflowId: input.workflowId,
    });
  }

  /** Which cells of a stretch of the design already ended, the counts so far and the best done cell. */
  async function experimentProgress({ experimentId, from, to, lowerIsBetter }: { experimentId: number; from: number; to: number; lowerIsBetter: boolean }): Promise<ExperimentProgress> {
    const cells = await experimentCells(deps.pool, experimentId);
    const counts: ExperimentCounts = { done: 0, failed: 0, cancelled: 0 };
    let best: ExperimentProgress['best'];
    for (const cell of cells) {
      counts[cell.status] += 1;
      if (!cell.scores) continue;
      const m = mean(cell.scores);
      if (!best || (lowerIsBetter ? m < best.mean : m > best.mean)) best = { cellIndex: cell.cellIndex, mean: m };
    }
    return { ended: cells.map((c) => c.cellIndex).filter((i) => i >= from && i < to), counts, ...(best ? { best } : {}) };
  }

  /**
   * Scores one cell in a pooled thread and stores its scores, once: a cell already stored (its
   * first attempt finished before a crash hid that from the workflow) is returned, not run again.
   * A configuration no pipeline could run, or data it cannot learn from, ends the cell as failed
   * with the reason; only transient errors are retried.
   */
  async function evaluateExperimentCell({ experimentId, cellIndex }: { experimentId: number; cellIndex: number }): Promise<CellOutcome> {
    const stored = await getCell(deps.pool, experimentId, cellIndex);
    if (stored) return outcomeOf(stored);
    const experiment = await experimentById(deps, experimentId);
    const { spec, pipeline } = specsOf(experiment);
    const cell = cellOf(spec, cellIndex);
    const base = { experimentId, cellIndex, levels: cell.levels, metric: pipeline.evaluation.primaryMetric };
    const ctx = Context.current();
    const started = performance.now();
    let scored: CellScores;
    try {
      const configured = configureCell(pipeline, spec.factors, cell);
      const trainer = resolveTrainer(configured.model.trainer, experiment.specDir);
      if (trainer.kind === 'command') throw new DriftlineError('InvalidInput', 'model.trainer: experiments run in-process trainers (built-in or module); a command trainer is not backtested');
      const job: CellJob = { databaseUrl: databaseUrlOf(deps), snapshotId: experiment.snapshotId, spec: configured, trainer, replication: spec.replication, seeded: isSeeded(configured) };
      scored = await heartbeatWhile(() => scoreInThread(ctx, job));
    } catch (error) {
      if (!(error instanceof DriftlineError)) throw error;
      log.warn('experiment cell failed', { experimentId, cellIndex, reason: error.message });
      return outcomeOf(await saveCell(deps.pool, { ...base, status: 'failed', reason: error.message, durationMs: performance.now() - started }));
    }
    // A cancellation that arrived as the compute finished: the workflow records the cell, not this attempt.
    ctx.cancellationSignal.throwIfAborted();
    return outcomeOf(await saveCell(deps.pool, { ...base, scores: scored.scores, status: 'done', durationMs: performance.now() - started }));
  }

  /** Records a cell the workflow ended (over its norm, the experiment stopped, its attempts exhausted); a cell already stored keeps its record. */
  async function recordCellOutcome(input: { experimentId: number; cellIndex: number; status: 'failed' | 'cancelled'; reason: string; durationMs: number }): Promise<CellOutcome> {
    const experiment = await experimentById(deps, input.experimentId);
    const { spec, pipeline } = specsOf(experiment);
    const cell = cellOf(spec, input.cellIndex);
    return outcomeOf(await saveCell(deps.pool, { ...input, levels: cell.levels, metric: pipeline.evaluation.primaryMetric }));
  }

  /**
   * Analyses the cells that finished (main effects, interactions, spread, recommendation against
   * the champion's configuration when it is one of the cells) and stores it with the experiment.
   */
  async function analyseExperimentResults({ experimentId, status }: { experimentId: number; status: 'completed' | 'stopped' }): Promise<ExperimentSummary> {
    const experiment = await experimentById(deps, experimentId);
    const { spec, pipeline } = specsOf(experiment);
    const cells = await experimentCells(deps.pool, experimentId);
    const counts: ExperimentCounts = { done: 0, failed: 0, cancelled: 0 };
    cells.forEach((cell) => (counts[cell.status] += 1));
    const lowerIsBetter = !higherIsBetter(pipeline.evaluation.primaryMetric);
    const results: CellResult[] = cells.flatMap((cell) =>
      cell.scores ? [{ index: cell.cellIndex, levels: cell.levels as CellResult['levels'], scores: cell.scores, metric: cell.metric, lowerIsBetter }] : [],
    );
    const unfinished = cells.filter((cell) => cell.status !== 'done').map((cell) => ({ index: cell.cellIndex, status: cell.status, levels: describeLevels(cell.levels as CellResult['levels']), reason: cell.reason }));
    const champion = await getAliasedVersion(deps.pool, pipeline.model.name, 'champion');
    const baseline = currentLevels(pipeline, spec.factors, champion?.params);
    if (results.length === 0) {
      const recommendation = `no cell finished (${counts.failed} failed, ${counts.cancelled} cancelled): nothing to recommend`;
      await finishExperiment(deps.pool, experimentId, status, { counts, unfinished, recommendation: { action: 'keep', reason: recommendation } });
      return { experimentId, status, counts, recommendation };
    }
    const analysis = analyseExperiment(spec, results, baseline);
    await finishExperiment(deps.pool, experimentId, status, { ...analysis, counts, unfinished, ...(baseline ? { championLevels: baseline } : {}), ...(champion ? { champion: { versionId: champion.id, version: champion.version } } : {}) });
    return {
      experimentId,
      status,
      counts,
      best: { cellIndex: analysis.best.index, mean: analysis.best.mean, levels: describeLevels(analysis.best.levels) },
      expectedRange: analysis.expectedRange.text,
      recommendation: analysis.recommendation.reason,
    };
  }

  /** Records that the workflow failed outright (its row would otherwise say 'running' for ever). */
  async function recordExperimentFailure({ experimentId, reason }: { experimentId: number; reason: string }): Promise<void> {
    await failExperiment(deps.pool, experimentId, reason);
  }

  return { startExperiment, experimentProgress, evaluateExperimentCell, recordCellOutcome, analyseExperimentResults, recordExperimentFailure };
}

/**
 * Scores the cell in a pooled thread. Once its rows are loaded the cell counts as a training on
 * this worker and tells its workflow so: the over-norm clock runs from there, at this load.
 */
async function scoreInThread(ctx: Context, job: CellJob): Promise<CellScores> {
  let load: ReturnType<typeof startTrainingLoad> | undefined;
  const { attempt } = ctx.info;
  try {
    return await resultFromThread<CellScores, CellMessage>(CELL_ENTRY, job, {
      signal: ctx.cancellationSignal,
      what: 'experiment cell',
      failedAs: 'TrainingFailed',
      onMessage: (message) => {
        if (message.type !== 'loaded') return;
        load = startTrainingLoad();
        const rows = message.rows;
        signalOwnWorkflow(ctx, trainingStartedSignal, { attempt, rows, contention: load.peak() });
        load.onPeakRise((peak) => signalOwnWorkflow(ctx, trainingStartedSignal, { attempt, rows, contention: peak }));
      },
    });
  } finally {
    load?.finish();
  }
}
