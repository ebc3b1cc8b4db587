import { CancellationScope, condition, ContinueAsNew, continueAsNew, executeChild, isCancellation, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CellOutcome, ExperimentPlan, ExperimentSummary } from '../activities/experiment';
import { formatZodError } from '../lib/errors';
import { experimentCell } from './experiment-cell';
import { ExperimentInput, StopRequest } from './experiment-input';
import { experimentStatusQuery, stopExperimentUpdate, type ExperimentStage, type ExperimentStatus } from './experiment-messages';
import { parseWorkflowInput } from './parse-input';
import { recordOutcome, tagRun } from './search-attributes';
import { describeFailure, STEP_RETRY } from './step-options';

const { startExperiment, experimentProgress, recordExperimentFailure } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });
const { analyseExperimentResults } = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', retry: STEP_RETRY });

/** Cells started by one run of the workflow before it continues as new: its history stays a few thousand events. */
const CELLS_PER_RUN = 200;

/**
 * A designed experiment on a pipeline: records it, runs one `experimentCell` child per cell of the
 * design (at most `budget.parallel` at once, each under the pipeline's runtime norm), skips cells
 * that already ended, continues as new every 200 cells, and analyses whatever finished, also
 * when a person stops it (`stop` Update) or its budget of minutes runs out.
 */
export async function runExperiment(rawInput: ExperimentInput): Promise<ExperimentSummary> {
  const input = parseWorkflowInput(ExperimentInput, rawInput, 'runExperiment');
  const status: ExperimentStatus = { stage: 'starting', done: 0, running: 0, failed: 0, cancelled: 0 };
  const enter = (stage: ExperimentStage) => {
    status.stage = stage;
    tagRun({ stage });
  };
  setHandler(experimentStatusQuery, () => status);
  // Only the executions of cells run in this scope: stopping cancels them, and nothing else.
  const cells = new CancellationScope();
  const stopFor = (why: string) => {
    if (status.stopped !== undefined) return;
    status.stopped = why;
    enter('stopping');
    cells.cancel();
  };
  setHandler(
    stopExperimentUpdate,
    (raw) => {
      const request = StopRequest.parse(raw);
      stopFor(`stopped by ${request.by}${request.reason ? `: ${request.reason}` : ''}`);
      return { stopping: true, done: status.done, running: status.running };
    },
    { validator: validStop(status) },
  );

  try {
    const { workflowId } = workflowInfo();
    const plan = await startExperiment({ experiment: input.experiment, requestedBy: input.requestedBy, snapshotId: input.snapshotId, workflowId });
    Object.assign(status, { experimentId: plan.experimentId, name: plan.name, pipeline: plan.pipeline, metric: plan.metric, cells: plan.cellCount });
    tagRun({ pipeline: plan.pipeline });
    const startedAt = input.continued?.startedAt ?? Date.now();
    const from = input.continued?.nextCell ?? 0;
    const to = Math.min(plan.cellCount, from + CELLS_PER_RUN);

    const progress = await experimentProgress({ experimentId: plan.experimentId, from, to, lowerIsBetter: plan.lowerIsBetter });
    Object.assign(status, progress.counts);
    status.best = progress.best;
    if (status.stage === 'starting') enter('running');
    await runCells(plan, startedAt + plan.maxMinutes * 60_000, new Set(progress.ended), from, to);

    if (status.stopped === undefined && to < plan.cellCount) {
      await continueAsNew<typeof runExperiment>({ ...rawInput, continued: { nextCell: to, startedAt } });
    }
    enter('analysing');
    const summary = await analyseExperimentResults({ experimentId: plan.experimentId, status: status.stopped === undefined ? 'completed' : 'stopped' });
    status.summary = summary;
    setCurrentDetails(`${plan.name}: ${summary.counts.done} of ${plan.cellCount} cells done${status.stopped ? ` (${status.stopped})` : ''}; ${summary.recommendation}`);
    recordOutcome(plan.pipeline, status.stopped === undefined ? 'experiment_completed' : 'experiment_stopped');
    enter('done');
    return summary;
  } catch (error) {
    // Continuing as new is how a large design goes on, not a failure.
    if (error instanceof ContinueAsNew) throw error;
    status.lastError = describeFailure(error);
    setCurrentDetails(`**failed** in ${status.stage}: ${status.lastError}`);
    const { experimentId } = status;
    const reason = `${isCancellation(error) ? 'cancelled' : 'failed'} in ${status.stage}: ${status.lastError}`;
    enter('failed');
    // Once recorded, the experiment's row says how it ended (also when the workflow is cancelled).
    if (experimentId !== undefined) await CancellationScope.nonCancellable(() => recordExperimentFailure({ experimentId, reason }));
    throw error;
  }

  /** Runs the cells of [from, to) not yet ended, `parallel` at a time, until done, stopped or out of budget. */
  async function runCells(plan: ExperimentPlan, deadline: number, ended: Set<number>, from: number, to: number): Promise<void> {
    const running = new Set<number>();
    /** Waits for `ready`; false once the experiment is stopping (by a person or when its budget runs out). */
    const waitFor = async (ready: () => boolean): Promise<boolean> => {
      const inTime = await condition(() => ready() || status.stopped !== undefined, Math.max(0, deadline - Date.now()));
      if (!inTime) stopFor(`its budget of ${plan.maxMinutes} minutes ran out`);
      return status.stopped === undefined;
    };
    for (let index = from; index < to; index += 1) {
      if (ended.has(index)) continue;
      if (!(await waitFor(() => running.size < plan.parallel))) break;
      running.add(index);
      status.running = running.size;
      void runCell(plan, index).then((outcome) => {
        running.delete(index);
        status.running = running.size;
        count(plan, outcome);
      });
    }
    await waitFor(() => running.size === 0);
    // Stopped: the cancelled cells record themselves before their executions end.
    await condition(() => running.size === 0);
  }

  async function runCell(plan: ExperimentPlan, cellIndex: number): Promise<CellOutcome> {
    const { workflowId } = workflowInfo();
    try {
      return await cells.run(() =>
        executeChild(experimentCell, {
          workflowId: `${workflowId}/cell-${cellIndex}`,
          staticSummary: `${plan.name}: cell ${cellIndex} of ${plan.cellCount}`,
          args: [{ experimentId: plan.experimentId, cellIndex, norm: plan.norm, ...(plan.trainingTaskQueue ? { trainingTaskQueue: plan.trainingTaskQueue } : {}) }],
        }),
      );
    } catch (error) {
      if (isCancellation(error)) return { cellIndex, status: 'cancelled', reason: status.stopped };
      return { cellIndex, status: 'failed', reason: describeFailure(error) };
    }
  }

  function count(plan: ExperimentPlan, outcome: CellOutcome): void {
    status[outcome.status] += 1;
    if (outcome.mean === undefined) return;
    const better = !status.best || (plan.lowerIsBetter ? outcome.mean < status.best.mean : outcome.mean > status.best.mean);
    if (better) status.best = { cellIndex: outcome.cellIndex, mean: outcome.mean };
  }
}

/** A stop is refused when malformed, or when the experiment is already stopping or over. */
function validStop(status: ExperimentStatus) {
  return (raw: StopRequest) => {
    const parsed = StopRequest.safeParse(raw);
    if (!parsed.success) throw new Error(`Invalid stop: ${formatZodError(parsed.error)}`);
    if (status.stage !== 'starting' && status.stage !== 'running') throw new Error(`the experiment is ${status.stage}: nothing to stop`);
  };
}
