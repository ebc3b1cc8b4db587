import { CancellationScope, isCancellation, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CellOutcome } from '../activities/experiment';
import type { RunNorm, RuntimeNorm } from '../lib/norms/runtime-norm';
import { normedActivities, raceAgainstNorm } from './race-against-norm';
import { describeFailure, STEP_RETRY } from './step-options';

const { recordCellOutcome } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });

export interface ExperimentCellInput {
  experimentId: number;
  cellIndex: number;
  /** The pipeline's training norm: a cell past it is cancelled and counted. */
  norm: RuntimeNorm;
  trainingTaskQueue?: string;
}

/**
 * One cell of an experiment: scored under the pipeline's runtime norm, as a training is. Past the
 * norm its compute is stopped and the cell recorded as cancelled; a cell whose configuration
 * cannot run is recorded as failed with the reason. Neither is fatal to the experiment.
 */
export async function experimentCell(input: ExperimentCellInput): Promise<CellOutcome> {
  const { experimentId, cellIndex } = input;
  const { evaluateExperimentCell } = normedActivities(input.trainingTaskQueue);
  const started = Date.now();
  const record = (status: 'failed' | 'cancelled', reason: string, durationMs = Date.now() - started) => recordCellOutcome({ experimentId, cellIndex, status, reason, durationMs });
  const scoring = new CancellationScope();
  const evaluation = scoring.run(() => evaluateExperimentCell({ experimentId, cellIndex }));
  const clock: { runNorm?: RunNorm } = {};
  try {
    const finished = await raceAgainstNorm(evaluation, input.norm, clock);
    if (!('overNorm' in finished)) return ended(finished.result);
    scoring.cancel();
    // The cell may have finished as the cancellation went out: then its scores stand.
    const late = await evaluation.then(
      (result) => result,
      (error: unknown) => {
        if (!isCancellation(error)) throw error;
        return undefined;
      },
    );
    if (late) return ended(late);
    const over = `over its runtime norm: ran ${seconds(finished.elapsedMs)} against ${seconds(finished.overNorm.normMs)} (${finished.overNorm.explanation})`;
    return ended(await record('cancelled', over, finished.elapsedMs));
  } catch (error) {
    if (isCancellation(error)) {
      // The experiment was stopped: once the compute has stopped (or finished, then its scores
      // stand) the cell is counted as cancelled, and the cancellation stands.
      const late = await evaluation.catch(() => undefined);
      if (late) return ended(late);
      await CancellationScope.nonCancellable(() => record('cancelled', 'the experiment was stopped'));
      throw error;
    }
    return ended(await record('failed', describeFailure(error)));
  }
}

function ended(outcome: CellOutcome): CellOutcome {
  setCurrentDetails(`cell ${outcome.cellIndex}: **${outcome.status}**${outcome.mean === undefined ? '' : ` (mean ${outcome.mean.toPrecision(4)})`}${outcome.reason ? `: ${outcome.reason}` : ''}`);
  return outcome;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
