import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../activities';
import type { ServingDriftSummary } from '../activities/serving/serving-drift';
import { driftNotification } from '../lib/drift/drift-notification';
import type { DriftAction } from '../lib/drift/drift-policy';
import { lazySchema } from '../lib/lazy-schema';
import { servingAction } from '../lib/serving/serving-policy';
import { notifyTeam } from './notify-team';
import { parseWorkflowInput } from './parse-input';
import { type PipelineResult, modelPipeline } from './pipeline';
import { PipelineName, RequestedBy } from './pipeline-input';
import { STEP_RETRY } from './step-options';

const { loadPipeline } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: STEP_RETRY });

// Loads the champion's training rows and compares them (in a thread): heartbeats show it is alive.
const { checkServingDrift } = proxyActivities<Activities>({ startToCloseTimeout: '2 hours', heartbeatTimeout: '1 minute', retry: STEP_RETRY });

export const MonitorServingInput = lazySchema(() => z.object({ pipeline: PipelineName, requestedBy: RequestedBy }).strict());
export type MonitorServingInput = z.input<typeof MonitorServingInput>;

export interface MonitorServingResult extends ServingDriftSummary {
  pipeline: string;
  action: DriftAction;
  retrain?: { workflowId: string; result: PipelineResult };
}

/**
 * One serving check: the inputs and predictions logged since the previous check against the
 * champion's training data (calibrated tests, per segment), stored as a `serving` drift report
 * beside the estimated performance, and the verdict handed to the pipeline's drift policy (notify,
 * retrain). Run it on a Schedule, or let monitorPipeline run it before each of its checks.
 */
export async function monitorServing(rawInput: MonitorServingInput): Promise<MonitorServingResult> {
  const input = parseWorkflowInput(MonitorServingInput, rawInput, 'monitorServing');
  const { spec } = await loadPipeline({ pipeline: input.pipeline });
  const checked = await checkServingDrift({ spec });
  const { drift } = checked;
  const action = servingAction(drift.verdict, spec.drift.policy, drift.annotations);
  const result: MonitorServingResult = { pipeline: spec.name, ...checked, action };
  const alert = driftNotification({ pipeline: spec.name, model: spec.model.name, workflowId: workflowInfo().workflowId }, drift, action);
  if (alert) await notifyTeam({ ...alert, kind: `serving_${alert.kind}`, title: `Serving ${alert.title.charAt(0).toLowerCase()}${alert.title.slice(1)}` });
  if (!action.retrain) return result;
  const workflowId = `${workflowInfo().workflowId}/retrain`;
  const retrained = await executeChild(modelPipeline, {
    workflowId,
    staticSummary: `${spec.name}: retrain after serving drift`,
    args: [{ pipeline: spec.name, trigger: 'retrain', requestedBy: `monitorServing (${input.requestedBy})` }],
  });
  return { ...result, retrain: { workflowId, result: retrained } };
}
