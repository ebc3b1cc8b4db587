import { condition, continueAsNew, defineQuery, defineSignal, executeChild, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import { Interval, intervalMs } from '../lib/spec/schedule-spec';
import { parseWorkflowInput } from './parse-input';
import { monitorServing } from './monitor-serving';
import { modelPipeline } from './pipeline';
import { PipelineName } from './pipeline-input';
import { describeFailure } from './step-options';
import { lazySchema } from '../lib/lazy-schema';

export const MonitorInput = lazySchema(() =>
  z.object({
    pipeline: PipelineName,
    /** Time between checks, e.g. "1d"; at least a minute. */
    every: Interval.default('1d'),
    /** Checks per run before continuing as new, which keeps each run's history small. */
    checksPerRun: z.number().int().min(1).max(500).default(30),
    /** Carried across continue-as-new. */
    checksSoFar: z.number().int().nonnegative().default(0),
  }).strict(),
);
export type MonitorInput = z.input<typeof MonitorInput>;

export interface MonitorStatus {
  pipeline: string;
  checks: number;
  lastCheck?: { workflowId: string; outcome: string; at: string };
  /** The serving check that ran before it: what the champion was served since the previous one. */
  lastServingCheck?: { workflowId: string; outcome: string };
  nextCheckAt?: string;
}

export const monitorStatusQuery = defineQuery<MonitorStatus>('status');
export const stopMonitorSignal = defineSignal('stop');
/** Runs the next check now instead of at the end of the interval. */
export const checkNowSignal = defineSignal('checkNow');

/**
 * Checks a pipeline forever at a fixed interval — each check a serving check (monitorServing: what
 * the champion was served) then a full modelPipeline run (ingest, validation, drift, retrain when
 * the policy says so) — and continues as new every few checks.
 */
export async function monitorPipeline(rawInput: MonitorInput): Promise<{ checks: number }> {
  const input = parseWorkflowInput(MonitorInput, rawInput, 'monitorPipeline');
  const status: MonitorStatus = { pipeline: input.pipeline, checks: input.checksSoFar };
  let stopRequested = false;
  let checkRequested = false;
  setHandler(monitorStatusQuery, () => status);
  setHandler(stopMonitorSignal, () => void (stopRequested = true));
  setHandler(checkNowSignal, () => void (checkRequested = true));

  for (let i = 0; i < input.checksPerRun && !workflowInfo().continueAsNewSuggested; i += 1) {
    status.checks += 1;
    const servingRetrain = patched('serving-check-in-monitor') ? await checkServing(input.pipeline, status) : undefined;
    // A serving check that retrained already ran the pipeline this round: a second run would train twice.
    const workflowId = servingRetrain?.workflowId ?? `${workflowInfo().workflowId}/check-${status.checks}`;
    const outcome = servingRetrain
      ? `retrained after serving drift: ${servingRetrain.outcome}`
      : await executeChild(modelPipeline, {
          workflowId,
          staticSummary: `${input.pipeline}: check ${status.checks} of its monitor (trains when the data drifted)`,
          args: [{ pipeline: input.pipeline, trigger: 'schedule', requestedBy: 'monitor' }],
        }).then(
          (result) => (result.promoted ? 'promoted' : result.decision),
          (error: unknown) => `failed: ${describeFailure(error)}`,
        );
    status.lastCheck = { workflowId, outcome, at: new Date().toISOString() };
    const waitMs = intervalMs(input.every);
    status.nextCheckAt = new Date(Date.now() + waitMs).toISOString();
    await condition(() => stopRequested || checkRequested, waitMs);
    if (stopRequested) return { checks: status.checks };
    checkRequested = false;
  }
  return continueAsNew<typeof monitorPipeline>({ ...input, checksSoFar: status.checks });
}

/**
 * What the champion served since the last check, against the data it learned from; its failure
 * (the champion's data gone, say) never stops the pipeline check. The retrain it ran, if any.
 */
async function checkServing(pipeline: string, status: MonitorStatus): Promise<{ workflowId: string; outcome: string } | undefined> {
  const servingId = `${workflowInfo().workflowId}/serving-${status.checks}`;
  const serving = await executeChild(monitorServing, {
    workflowId: servingId,
    staticSummary: `${pipeline}: serving check ${status.checks} (served inputs vs the champion's training data)`,
    args: [{ pipeline, requestedBy: 'monitor' }],
  }).then(
    (result) => ({
      outcome: `${result.drift.verdict}: ${result.action.why}`,
      retrain: result.retrain && { workflowId: result.retrain.workflowId, outcome: result.retrain.result.promoted ? 'promoted' : result.retrain.result.decision },
    }),
    (error: unknown) => ({ outcome: `failed: ${describeFailure(error)}`, retrain: undefined }),
  );
  status.lastServingCheck = { workflowId: servingId, outcome: serving.outcome };
  return serving.retrain;
}
