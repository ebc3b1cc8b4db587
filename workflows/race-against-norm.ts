import { ActivityCancellationType, type CancellationScope, condition, isCancellation, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { normForRun, type RunNorm, type RuntimeNorm } from '../lib/norms/runtime-norm';
import { trainingStartedSignal } from './messages';
import { STEP_RETRY } from './step-options';

/**
 * The activities of compute that runs under a norm (training, an experiment's cell), on the
 * workers' training queue when they split one off, else on the workflow's own.
 */
export function normedActivities(taskQueue: string | undefined) {
  return proxyActivities<Activities>({
    taskQueue,
    startToCloseTimeout: '2 hours',
    // A dead worker is noticed within 10 s and the attempt retried on a live one.
    heartbeatTimeout: '10 seconds',
    // The workflow waits until the activity has stopped its compute before it records the outcome.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: STEP_RETRY,
  });
}

/** The attempt the over-norm clock runs for: from its start of compute (workflow time), at the most load it reported. */
interface AttemptClock {
  attempt: number;
  startedAt: number;
  rows: number;
  contention: number;
}

export type Raced<T> = { result: T; elapsedMs: number } | { overNorm: RunNorm; elapsedMs: number };

/**
 * Resolves with the training result, or with the norm it ran over. The clock starts when an
 * attempt's compute does (its signal), restarts for a newer attempt (a dead attempt's time never
 * counts), and the norm follows the attempt's rows and the load on its worker as it reports them.
 * No norm in force: just waits.
 */
export async function raceAgainstNorm<T>(training: Promise<T>, norm: RuntimeNorm, status: { runNorm?: RunNorm }): Promise<Raced<T>> {
  let clock: AttemptClock | undefined;
  let changed = false;
  // Runs started before an attempt could report more rows as it went (batch scoring does) keep
  // the rows of its first report.
  const rowsGrow = patched('norm-follows-rows-reported');
  setHandler(trainingStartedSignal, (started) => {
    if (!clock || started.attempt > clock.attempt) clock = { ...started, startedAt: Date.now() };
    else if (started.attempt === clock.attempt) {
      clock.contention = Math.max(clock.contention, started.contention);
      if (rowsGrow) clock.rows = Math.max(clock.rows, started.rows);
    } else return;
    changed = true;
  });
  let settled: { result: T } | { error: unknown } | undefined;
  training.then(
    (result) => void (settled = { result }),
    (error: unknown) => void (settled = { error }),
  );
  // Read through functions: the handlers above change these between awaits.
  const outcome = () => settled;
  const current = () => clock;
  const elapsed = () => {
    const running = current();
    return running ? Date.now() - running.startedAt : 0;
  };
  for (;;) {
    const running = current();
    const runNorm = running && normForRun(norm, running.rows, running.contention);
    status.runNorm = runNorm;
    const remainingMs = running && runNorm ? running.startedAt + runNorm.normMs - Date.now() : undefined;
    if (!outcome() && runNorm && remainingMs !== undefined && remainingMs <= 0) return { overNorm: runNorm, elapsedMs: elapsed() };
    changed = false;
    const woken = () => outcome() !== undefined || changed;
    if (!outcome()) await (remainingMs === undefined ? condition(woken) : condition(woken, remainingMs));
    const done = outcome();
    if (done) {
      if ('error' in done) throw done.error;
      return { result: done.result, elapsedMs: elapsed() };
    }
  }
}

/**
 * Cancels compute that ran over its norm and waits until it has stopped. It may have finished as
 * the cancellation went out: then its result stands and is returned; undefined once it stopped.
 */
export async function cancelOverNorm<T>(scope: CancellationScope, compute: Promise<T>): Promise<{ result: T } | undefined> {
  scope.cancel();
  return compute.then(
    (result) => ({ result }),
    (error: unknown) => {
      if (!isCancellation(error)) throw error;
      return undefined;
    },
  );
}

/** A run's time in the over-norm messages: tenths of a second. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
