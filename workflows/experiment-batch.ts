import { CancellationScope, isCancellation, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CellOutcome } from '../activities/experiment';
import type { RunNorm, RuntimeNorm } from '../lib/norms/runtime-norm';
import { cancelOverNorm, normedActivities, raceAgainstNorm, seconds } from './race-against-norm';
import { describeFailure, STEP_RETRY } from './step-options';

const { endBatchCells } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });

export interface ExperimentBatchInput {
  experimentId: number;
  /** Cells of the design, scored in this order by one activity on one load of the rows. */
  cells: number[];
  /** The pipeline's training norm: each cell is held to it; one past it is cancelled and counted. */
  norm: RuntimeNorm;
  trainingTaskQueue?: string;
}

/**
 * A batch of an experiment's cells, scored by one activity under the pipeline's runtime norm, as a
 * training is; every cell is stored as it ends. A cell past its norm has its compute stopped and
 * is recorded as cancelled, and the cells after it go on in a new activity; a cell whose
 * configuration cannot run is recorded as failed with the reason. Neither is fatal to the experiment.
 */
export async function experimentBatch(input: ExperimentBatchInput): Promise<CellOutcome[]> {
  const ended = new Map<number, CellOutcome>();
  let pending = input.cells;
  try {
    while (pending.length > 0) {
      for (const outcome of await scoreUnderNorm(input, pending)) ended.set(outcome.cellIndex, outcome);
      pending = pending.filter((index) => !ended.has(index));
    }
  } catch (error) {
    // Stopped: once the compute has stopped, the cells it did not finish are counted as cancelled,
    // and the cancellation stands. Failed past its retries: those cells failed, saying why.
    const stopped = isCancellation(error);
    const end = { experimentId: input.experimentId, cells: pending, which: 'all' as const, durationMs: 0 };
    const outcomes = await CancellationScope.nonCancellable(() =>
      endBatchCells(stopped ? { ...end, status: 'cancelled', reason: 'the experiment was stopped' } : { ...end, status: 'failed', reason: describeFailure(error) }),
    );
    if (stopped) throw error;
    outcomes.forEach((outcome) => ended.set(outcome.cellIndex, outcome));
  }
  const outcomes = input.cells.flatMap((index) => ended.get(index) ?? []);
  setCurrentDetails(describeBatch(outcomes));
  return outcomes;
}

/**
 * One activity over the pending cells, raced against the norm of whichever cell is running. Over
 * it: the activity is cancelled (whatever it stored stands) and the running cell, the first one it
 * did not store, is recorded as over its norm. Returns the cells that ended.
 */
async function scoreUnderNorm(input: ExperimentBatchInput, pending: number[]): Promise<CellOutcome[]> {
  const { experimentId } = input;
  const { evaluateExperimentBatch } = normedActivities(input.trainingTaskQueue);
  const scoring = new CancellationScope();
  const evaluation = scoring.run(() => evaluateExperimentBatch({ experimentId, cells: pending }));
  const clock: { runNorm?: RunNorm } = {};
  let finished;
  try {
    finished = await raceAgainstNorm(evaluation, input.norm, clock);
  } catch (error) {
    // The experiment was stopped: wait until the compute has stopped (and its cells are stored).
    if (isCancellation(error)) await evaluation.catch(() => undefined);
    throw error;
  }
  if (!('overNorm' in finished)) return finished.result;
  const late = await cancelOverNorm(scoring, evaluation);
  if (late) return late.result;
  const reason = `over its runtime norm: ran ${seconds(finished.elapsedMs)} against ${seconds(finished.overNorm.normMs)} (${finished.overNorm.explanation})`;
  return endBatchCells({ experimentId, cells: pending, which: 'running', status: 'cancelled', reason, durationMs: finished.elapsedMs });
}

function describeBatch(outcomes: CellOutcome[]): string {
  return outcomes
    .map((o) => `cell ${o.cellIndex}: **${o.status}**${o.mean === undefined ? '' : ` (mean ${o.mean.toPrecision(4)})`}${o.reason ? `: ${o.reason}` : ''}`)
    .join('\n');
}
