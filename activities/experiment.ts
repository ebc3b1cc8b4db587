import { Context, log } from '@temporalio/activity';
import { experimentCells, experimentOfWorkflow, failExperiment, finishExperiment, getExperiment, recordExperiment, saveCells, storedCells, type ExperimentRecord, type StoredCell } from '../lib/db/experiments';
import { getAliasedVersion } from '../lib/db/model-registry';
import { analyseExperiment, type CellResult } from '../lib/experiments/analysis';
import { currentLevels, configureCell, describeLevels } from '../lib/experiments/cell-config';
import { designCells, type DesignCell } from '../lib/experiments/design';
import { cellCount, type ExperimentSpec } from '../lib/experiments/experiment-spec';
import { checkAgainstPipeline, loadExperimentSpec, parseExperimentSpec } from '../lib/experiments/load-experiment';
import { isSeeded } from '../lib/experiments/score-cell';
import { DriftlineError } from '../lib/errors';
import { higherIsBetter } from '../lib/model/metrics';
import { resolveTrainer } from '../lib/model/model-artifact';
import type { RuntimeNorm } from '../lib/norms/runtime-norm';
import { loadPipelineSpec } from '../lib/spec/load-spec';
import { PipelineSpec } from '../lib/spec/pipeline-spec';
import { trainingStartedSignal } from '../workflows/messages';
import type { BatchCell, BatchJob, BatchMessage } from './experiment/batch-thread';
import type { ActivityDeps } from './deps';
import { heartbeatWhile } from './heartbeat';
import { makeNorms } from './norms';
import { resultFromThread } from './threads/result-from-thread';
import { databaseUrlOf } from './train';
import { signalOwnWorkflow } from './training/progress';
import { startTrainingLoad } from './training/worker-load';

const BATCH_ENTRY = new URL('./experiment/batch-thread.ts', import.meta.url);
/** A cell that runs this long starts its own over-norm clock; quicker cells never signal. */
const CLOCK_AFTER_MS = 250;
/** Clock ticks of one attempt: a batch's cell positions (at most MAX_CELLS_PER_BATCH), then the next attempt's. */
const TICKS_PER_ATTEMPT = 1_000;

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
  cellsPerBatch?: number;
  /** This run's stretch of the design, [from, to), and how far the experiment has got. */
  to: number;
  progress: ExperimentProgress;
}

export interface StartExperimentInput {
  /** A file's name under `experiments/`, or the spec itself. */
  experiment: string | Record<string, unknown>;
  requestedBy: string;
  snapshotId?: number;
  workflowId: string;
  /** This run's stretch of the design starts here, and holds at most `cellsPerRun` cells. */
  from: number;
  cellsPerRun: number;
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

function cellOf(design: DesignCell[], cellIndex: number): DesignCell {
  const cell = design[cellIndex];
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
    const metric = pipeline.evaluation.primaryMetric;
    const lowerIsBetter = !higherIsBetter(metric);
    const to = Math.min(experiment.cellCount, input.from + input.cellsPerRun);
    const [norm, progress] = await Promise.all([
      norms.computeRuntimeNorm({ modelName: pipeline.model.name, policy: pipeline.training.norm }),
      experimentProgress(experiment.id, input.from, to, lowerIsBetter),
    ]);
    return {
      experimentId: experiment.id,
      name: spec.name,
      pipeline: pipeline.name,
      cellCount: experiment.cellCount,
      parallel: spec.budget.parallel,
      maxMinutes: spec.budget.maxMinutes,
      metric,
      lowerIsBetter,
      snapshotId: experiment.snapshotId,
      norm,
      ...(deps.trainingTaskQueue ? { trainingTaskQueue: deps.trainingTaskQueue } : {}),
      ...(spec.budget.cellsPerBatch ? { cellsPerBatch: spec.budget.cellsPerBatch } : {}),
      to,
      progress,
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
  async function experimentProgress(experimentId: number, from: number, to: number, lowerIsBetter: boolean): Promise<ExperimentProgress> {
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
   * Scores a batch of cells in one pooled thread on one load of the rows, storing each cell as it
   * ends, once: a cell already stored (by an attempt that a crash hid from the workflow) is
   * returned, not run again. A configuration no pipeline could run, or data it cannot learn from,
   * ends its cell as failed with the reason and the batch goes on; only transient errors are
   * retried. Cancelled (over a cell's norm, or the experiment stopped), it stores what ended first.
   */
  async function evaluateExperimentBatch({ experimentId, cells }: { experimentId: number; cells: number[] }): Promise<CellOutcome[]> {
    const stored = await storedCells(deps.pool, experimentId, cells);
    const todo = cells.filter((index) => !stored.has(index));
    if (todo.length === 0) return cells.map((index) => outcomeOf(stored.get(index) as StoredCell));
    const experiment = await experimentById(deps, experimentId);
    const { spec, pipeline } = specsOf(experiment);
    const design = designCells(spec);
    const metric = pipeline.evaluation.primaryMetric;
    const save = async (cells: Omit<StoredCell, 'experimentId' | 'levels' | 'metric'>[]) => {
      const ended = await saveCells(deps.pool, cells.map((cell) => ({ ...cell, experimentId, levels: cellOf(design, cell.cellIndex).levels, metric })));
      ended.forEach((cell) => stored.set(cell.cellIndex, cell));
    };
    const job: BatchCell[] = [];
    for (const cellIndex of todo) {
      try {
        const configured = configureCell(pipeline, spec.factors, cellOf(design, cellIndex));
        const trainer = resolveTrainer(configured.model.trainer, experiment.specDir);
        if (trainer.kind === 'command') throw new DriftlineError('InvalidInput', 'model.trainer: experiments run in-process trainers (built-in or module); a command trainer is not backtested');
        job.push({ cellIndex, spec: configured, trainer, seeded: isSeeded(configured) });
      } catch (error) {
        if (!(error instanceof DriftlineError)) throw error;
        log.warn('experiment cell failed', { experimentId, cellIndex, reason: error.message });
        await save([{ cellIndex, status: 'failed', reason: error.message, durationMs: 0 }]);
      }
    }
    if (job.length > 0) {
      const ctx = Context.current();
      await heartbeatWhile(() => scoreBatchInThread(ctx, { databaseUrl: databaseUrlOf(deps), snapshotId: experiment.snapshotId, cells: job, replication: spec.replication }, save));
    }
    return cells.map((index) => outcomeOf(stored.get(index) as StoredCell));
  }

  /**
   * Ends the cells of a batch the workflow gave up on, leaving every cell already stored as it is:
   * over a norm, the first cell not stored (the one that was running: a batch scores in order);
   * when the experiment stopped or the batch failed, all of them. Returns the outcomes now stored.
   */
  async function endBatchCells(input: { experimentId: number; cells: number[]; which: 'running' | 'all'; status: 'failed' | 'cancelled'; reason: string; durationMs: number }): Promise<CellOutcome[]> {
    const { experimentId, cells } = input;
    const stored = await storedCells(deps.pool, experimentId, cells);
    const unstored = cells.filter((index) => !stored.has(index));
    const ending = input.which === 'running' ? unstored.slice(0, 1) : unstored;
    if (ending.length > 0) {
      const experiment = await experimentById(deps, experimentId);
      const { spec, pipeline } = specsOf(experiment);
      const design = designCells(spec);
      const metric = pipeline.evaluation.primaryMetric;
      const ended = await saveCells(deps.pool, ending.map((cellIndex) => ({ experimentId, cellIndex, levels: cellOf(design, cellIndex).levels, metric, status: input.status, reason: input.reason, durationMs: input.durationMs })));
      ended.forEach((cell) => stored.set(cell.cellIndex, cell));
    }
    return cells.flatMap((index) => (stored.has(index) ? [outcomeOf(stored.get(index) as StoredCell)] : []));
  }

  /**
   * Analyses the cells that finished (main effects, interactions, spread, recommendation against
   * the champion's configuration when it is one of the cells) and stores it with the experiment.
   */
  async function analyseExperimentResults({ experimentId, status }: { experimentId: number; status: 'completed' | 'stopped' }): Promise<ExperimentSummary> {
    // Both reads at once: this runs inside a workflow task, and each round trip holds it up.
    const [experiment, cells] = await Promise.all([experimentById(deps, experimentId), experimentCells(deps.pool, experimentId)]);
    const { spec, pipeline } = specsOf(experiment);
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

  return { startExperiment, evaluateExperimentBatch, endBatchCells, analyseExperimentResults, recordExperimentFailure };
}

/**
 * Scores a batch in a pooled thread, saving each cell as the thread reports it (every save awaited,
 * also when the batch is cancelled, so the workflow then finds them stored). Once the rows are
 * loaded the batch counts as a training on this worker. A cell still running after CLOCK_AFTER_MS
 * starts its own over-norm clock in the workflow (signalled as a newer tick of the clock: one tick
 * per cell per attempt), so each cell is held to the norm, and a cell that takes milliseconds
 * costs no signal.
 */
async function scoreBatchInThread(ctx: Context, job: BatchJob, save: (cells: Omit<StoredCell, 'experimentId' | 'levels' | 'metric'>[]) => Promise<void>): Promise<void> {
  let load: ReturnType<typeof startTrainingLoad> | undefined;
  let rows = 0;
  let clock: { tick: number; timer?: NodeJS.Timeout; signalled: boolean } | undefined;
  let saves: Promise<void> = Promise.resolve();
  const queued: Omit<StoredCell, 'experimentId' | 'levels' | 'metric'>[] = [];
  const signalClock = () => {
    if (clock && load) signalOwnWorkflow(ctx, trainingStartedSignal, { attempt: clock.tick, rows, contention: load.peak() });
  };
  const onMessage = (message: BatchMessage) => {
    if (message.type === 'loaded') {
      rows = message.rows;
      load = startTrainingLoad('pooled thread');
      load.onPeakRise(() => clock?.signalled && signalClock());
    } else if (message.type === 'cell-started') {
      // After a cell whose clock ran, the next one's starts at once: the old clock must not run on into it.
      const next: NonNullable<typeof clock> = { tick: ctx.info.attempt * TICKS_PER_ATTEMPT + message.position, signalled: clock?.signalled ?? false };
      clock = next;
      if (next.signalled) signalClock();
      else {
        next.timer = setTimeout(() => {
          next.signalled = true;
          signalClock();
        }, CLOCK_AFTER_MS);
      }
    } else {
      clearTimeout(clock?.timer);
      const { cellIndex, scores, reason, durationMs } = message;
      queued.push(scores ? { cellIndex, scores, status: 'done', durationMs } : { cellIndex, status: 'failed', reason: reason ?? 'failed', durationMs });
      // One write at a time, each taking every cell that ended since the last began.
      saves = saves.then(() => save(queued.splice(0)));
    }
  };
  try {
    await resultFromThread<number, BatchMessage>(BATCH_ENTRY, job, { signal: ctx.cancellationSignal, what: 'experiment batch', onMessage });
  } finally {
    clearTimeout(clock?.timer);
    load?.finish();
    await saves;
  }
}
