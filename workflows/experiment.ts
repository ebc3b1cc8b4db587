import { CancellationScope, condition, ContinueAsNew, continueAsNew, executeChild, isCancellation, proxyLocalActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CellOutcome, ExperimentPlan, ExperimentSummary } from '../activities/experiment';
import { formatZodError } from '../lib/errors';
import { cellBatches } from '../lib/experiments/batches';
import { experimentBatch } from './experiment-batch';
import { ExperimentInput, StopRequest } from './experiment-input';
import { experimentStatusQuery, stopExperimentUpdate, type ExperimentStage, type ExperimentStatus } from './experiment-messages';
import { parseWorkflowInput } from './parse-input';
import { recordOutcome, tagRun } from './search-attributes';
import { describeFailure, STEP_RETRY } from './step-options';

// The bookkeeping steps are a few queries each: run as local activities, in the workflow task that
// needs them, they spare a round trip through the server and a workflow task each.
const { startExperiment, recordExperimentFailure } = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });
const { analyseExperimentResults } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 minutes', retry: STEP_RETRY });


/**
 * A designed experiment on a pipeline: records it, runs its cells in batches, one `experimentBatch`
 * child each (at most `budget.parallel` at once, each cell under the pipeline's runtime norm),
 * skips cells that already ended, continues as new every 200 cells (`cellsPerRun`), and analyses
 * whatever finished, also when a person stops it (`stop` Update) or its budget of minutes runs out.
 */
export async function runExperiment(rawInput: ExperimentInput): Promise<ExperimentSummary> {
  const input = parseWorkflowInput(ExperimentInput, rawInput, 'runExperiment');
  const status: ExperimentStatus = { stage: 'starting', done: 0, running: 0, failed: 0, cancelled: 0 };
  const enter = (stage: ExperimentStage) => {
    status.stage = stage;
    tagRun({ stage });
  };
  setHandler(experimentStatusQuery, () => status);
  // Only the executions of batches run in this scope: stopping cancels them, and nothing else.
  const scope = new CancellationScope();
  const stopFor = (why: string) => {
    if (status.stopped !== undefined) return;
    status.stopped = why;
    enter('stopping');
    scope.cancel();
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
    const startedAt = input.continued?.startedAt ?? Date.now();
    const from = input.continued?.nextCell ?? 0;
    const plan = await startExperiment({ experiment: input.experiment, requestedBy: input.requestedBy, snapshotId: input.snapshotId, workflowId, from, cellsPerRun: input.cellsPerRun });
    Object.assign(status, { experimentId: plan.experimentId, name: plan.name, pipeline: plan.pipeline, metric: plan.metric, cells: plan.cellCount }, plan.progress.counts);
    status.best = plan.progress.best;
    tagRun({ pipeline: plan.pipeline });
    const { to } = plan;
    if (status.stage === 'starting') enter('running');
    const ended = new Set(plan.progress.ended);
    const todo = Array.from({ length: to - from }, (_, i) => from + i).filter((index) => !ended.has(index));
    await runBatches(plan, startedAt + plan.maxMinutes * 60_000, cellBatches(todo, plan.parallel, plan.cellsPerBatch));

    if (status.stopped === undefined && to < plan.cellCount) {
      await continueAsNew<typeof runExperiment>({ ...rawInput, continued: { nextCell: to, startedAt } });
    }
    enter('analysing');
    const summary = await analyseExperimentResults({ experimentId: plan.experimentId, status: status.stopped === undefined ? 'completed' : 'stopped' });
    // The stored counts: a stopped batch's cells are counted once they are recorded.
    Object.assign(status, summary.counts);
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

  /** Runs the batches, `parallel` at a time, until done, stopped or out of budget. */
  async function runBatches(plan: ExperimentPlan, deadline: number, batches: number[][]): Promise<void> {
    let runningBatches = 0;
    // One batch at a time never shares this workflow's over-norm signal: it runs here, not as a child.
    const inline = batches.length === 1 || plan.parallel === 1;
    /** Waits for `ready`; false once the experiment is stopping (by a person or when its budget runs out). */
    const waitFor = async (ready: () => boolean): Promise<boolean> => {
      const inTime = await condition(() => ready() || status.stopped !== undefined, Math.max(0, deadline - Date.now()));
      if (!inTime) stopFor(`its budget of ${plan.maxMinutes} minutes ran out`);
      return status.stopped === undefined;
    };
    for (const batch of batches) {
      if (!(await waitFor(() => runningBatches < plan.parallel))) break;
      runningBatches += 1;
      status.running += batch.length;
      void runBatch(plan, batch, inline).then((outcomes) => {
        runningBatches -= 1;
        status.running -= batch.length;
        outcomes.forEach((outcome) => count(plan, outcome));
      });
    }
    await waitFor(() => runningBatches === 0);
    // Stopped: the cancelled batches record their cells before their executions end.
    await condition(() => runningBatches === 0);
  }

  /** A batch's cell outcomes; none when the experiment was stopped (the analysis counts what was stored). */
  async function runBatch(plan: ExperimentPlan, cells: number[], inline: boolean): Promise<CellOutcome[]> {
    const { workflowId } = workflowInfo();
    const first = cells[0] as number;
    const last = cells[cells.length - 1] as number;
    const span = first === last ? `cell ${first}` : `cells ${first}–${last}`;
    const input = { experimentId: plan.experimentId, cells, norm: plan.norm, ...(plan.trainingTaskQueue ? { trainingTaskQueue: plan.trainingTaskQueue } : {}) };
    try {
      // The only batch running: scored in this workflow, which spares a child's start and its tasks
      // (the over-norm clock's signals come here, and no other batch listens for them).
      if (inline) return await scope.run(() => experimentBatch(input));
      return await scope.run(() =>
        executeChild(experimentBatch, {
          workflowId: `${workflowId}/cells-${first}${first === last ? '' : `-${last}`}`,
          staticSummary: `${plan.name}: ${span} of ${plan.cellCount}`,
          args: [input],
        }),
      );
    } catch (error) {
      if (isCancellation(error)) return [];
      const reason = describeFailure(error);
      return cells.map((cellIndex) => ({ cellIndex, status: 'failed' as const, reason }));
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
