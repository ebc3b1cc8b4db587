import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../activities';
import type { DriftAction } from '../lib/drift/drift-policy';
import { lazySchema } from '../lib/lazy-schema';
import type { LiveAccuracy } from '../lib/serving/live-accuracy';
import type { RecordedActuals } from '../lib/serving/record-actuals-file';
import { decayNotification, decayVerdict, describeDecay, servingAction } from '../lib/serving/serving-policy';
import { notifyTeam } from './notify-team';
import { parseWorkflowInput } from './parse-input';
import { type PipelineResult, modelPipeline } from './pipeline';
import { MAX_NAME_LENGTH, NO_NUL, PipelineName, RequestedBy } from './pipeline-input';
import { STEP_RETRY } from './step-options';

const { loadPipeline, recordActualsFromFile, judgeLiveAccuracy } = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', retry: STEP_RETRY });

export const RecordActualsInput = lazySchema(() =>
  z
    .object({
      pipeline: PipelineName,
      /** A file of outcomes the worker can read (absolute path): the row key and the target column. Without it, the outcomes already recorded are judged. */
      file: z.string().min(1).max(4096).refine(...NO_NUL).optional(),
      format: z.enum(['csv', 'jsonl', 'json']).optional(),
      /** The file's column holding each outcome's row key. */
      key: z.string().min(1).max(MAX_NAME_LENGTH).refine(...NO_NUL).default('row_key'),
      requestedBy: RequestedBy,
    })
    .strict(),
);
export type RecordActualsInput = z.input<typeof RecordActualsInput>;

export interface RecordActualsResult {
  pipeline: string;
  recorded?: RecordedActuals;
  /** Null without a champion. */
  live: LiveAccuracy | null;
  /** What the drift policy did with the live accuracy. */
  action: DriftAction;
  /** The retrain the policy started, when it did. */
  retrain?: { workflowId: string; result: PipelineResult };
}

/**
 * Actuals in, policy out: records a file of outcomes (when given), joins them to the champion's
 * logged predictions by row key, judges live accuracy over the recent window by the accuracy-decay
 * rules (minimum examples, bootstrap interval), and applies the pipeline's drift policy to decay —
 * notify the team and/or retrain (a modelPipeline child with trigger `retrain`), as a failing
 * drift check would.
 */
export async function recordActuals(rawInput: RecordActualsInput): Promise<RecordActualsResult> {
  const input = parseWorkflowInput(RecordActualsInput, rawInput, 'recordActuals');
  const { spec } = await loadPipeline({ pipeline: input.pipeline });
  const recorded = input.file === undefined ? undefined : await recordActualsFromFile({ spec, actuals: { file: input.file, format: input.format, key: input.key, recordedBy: input.requestedBy } });
  const live = await judgeLiveAccuracy({ spec });
  const decay = live?.decay;
  const action = servingAction(decayVerdict(decay), spec.drift.policy);
  const result: RecordActualsResult = { pipeline: spec.name, ...(recorded && { recorded }), live, action: { ...action, why: decay ? `${describeDecay(decay)}: ${action.why}` : 'no outcome joined to the champion’s predictions yet: nothing judged' } };
  if (!live || !decay) return result;
  const run = { pipeline: spec.name, model: live.model, version: live.version, workflowId: workflowInfo().workflowId };
  const alert = decayNotification(run, decay, action);
  if (alert) await notifyTeam(alert);
  if (!action.retrain) return result;
  const workflowId = `${workflowInfo().workflowId}/retrain`;
  const retrained = await executeChild(modelPipeline, {
    workflowId,
    staticSummary: `${spec.name}: retrain after accuracy decay of v${live.version}`,
    args: [{ pipeline: spec.name, trigger: 'retrain', requestedBy: `recordActuals (${input.requestedBy})` }],
  });
  return { ...result, retrain: { workflowId, result: retrained } };
}
